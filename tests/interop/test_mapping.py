"""The CFP -> ProductFootprint mapping: every document valid against the official schema
of its version, figures carried exactly; canonical JSON and detached signatures."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from battrace.identity.canonical import canonical_json
from battrace.pact.mapping import Envelope, Figures, split_signature, to_v2, to_v3, with_signature
from tests.interop.schemas import assert_valid

MOMENT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
amounts = st.decimals(min_value=0, max_value=10**6, places=5, allow_nan=False)
ratings = st.one_of(st.none(), st.decimals(min_value=0, max_value=6, places=2))


def figures(
    pre: Decimal, main: Decimal, own: Decimal, unit: str = "kilogram", **extra: object
) -> Figures:
    return Figures(
        trace_id=str(uuid.uuid4()),
        product_name="正極材",
        product_description="正極材 / NMC811",
        company_name="A社",
        company_ids=[f"urn:uuid:{uuid.uuid4()}", "urn:battrace:open-operator-id:1234567890123"],
        unit=unit,
        pre_emission=str(pre),
        main_emission=str(main),
        own_emission=str(own),
        ter=extra.get("ter"),  # type: ignore[arg-type]
        ger=extra.get("ger"),  # type: ignore[arg-type]
        tir=extra.get("tir"),  # type: ignore[arg-type]
        reference_period_start="2025-01-01T00:00:00Z",
        reference_period_end="2026-01-01T00:00:00Z",
        geography_country=extra.get("country"),  # type: ignore[arg-type]
    )


def envelope(status: str = "Active", preceding: uuid.UUID | None = None) -> Envelope:
    return Envelope(uuid.uuid4(), 1 if preceding else 0, preceding, status, MOMENT, MOMENT)


@settings(max_examples=30, deadline=None)
@given(
    pre=amounts,
    main=amounts,
    share=st.decimals(0, 1, places=3),
    ter=ratings,
    ger=ratings,
    tir=ratings,
    unit=st.sampled_from(["kilogram", "liter", "kilowatt-hour", "unit"]),
    country=st.sampled_from([None, "JP", "DE"]),
)
def test_every_footprint_is_valid_against_the_official_schema(
    pre: Decimal,
    main: Decimal,
    share: Decimal,
    ter: Decimal | None,
    ger: Decimal | None,
    tir: Decimal | None,
    unit: str,
    country: str | None,
) -> None:
    own = (pre + main) * share
    made = figures(
        pre,
        main,
        own,
        unit,
        ter=None if ter is None else str(ter),
        ger=None if ger is None else str(ger),
        tir=None if tir is None else str(tir),
        country=country,
    )
    v3 = to_v3(envelope(), made)
    assert_valid(3, v3)
    assert Decimal(v3["pcf"]["pcfExcludingBiogenicUptake"]) == pre + main
    assert ("dqi" in v3["pcf"]) == all(r is not None and 1 <= r <= 5 for r in (ter, ger, tir))
    if unit != "unit":
        v2 = to_v2(envelope("Deprecated", uuid.uuid4()), made)
        assert_valid(2, v2)
        assert Decimal(v2["pcf"]["pCfExcludingBiogenic"]) == pre + main
        assert 0 <= v2["pcf"]["primaryDataShare"] <= 100


def test_field_by_field_for_a_kilogram_part() -> None:
    made = figures(
        Decimal("10.5"), Decimal("20.25"), Decimal("3"), ter="1.5", ger="2", tir="3", country="JP"
    )
    v3 = to_v3(envelope(), made)
    pcf = v3["pcf"]
    assert v3["specVersion"] == "3.0.0"
    assert v3["productIds"] == [f"urn:uuid:{made.trace_id}"]
    assert pcf["declaredUnitOfMeasurement"] == "kilogram"
    assert pcf["declaredUnitAmount"] == "1"
    assert pcf["productMassPerDeclaredUnit"] == "1"
    assert pcf["pcfExcludingBiogenicUptake"] == pcf["pcfIncludingBiogenicUptake"] == "30.75"
    assert pcf["primaryDataShare"] == "9.76"  # 3 of 30.75 from own processes
    assert pcf["dqi"] == {"technologicalDQR": "1.5", "geographicalDQR": "2", "temporalDQR": "3"}
    assert pcf["geographyCountry"] == "JP"
    assert v3["extensions"][0]["data"] == {
        "preProcessing": "10.5",
        "mainProduction": "20.25",
        "declaredUnit": "kilogram",
    }
    v2 = to_v2(envelope(), made)
    assert v2["pcf"]["declaredUnit"] == "kilogram"
    assert v2["pcf"]["unitaryProductAmount"] == "1"
    assert v2["version"] == 0
    assert "dqi" not in v2["pcf"]  # v2 rates 1..3 on five indicators battrace does not hold


def test_a_piece_is_a_v3_unit_only() -> None:
    v3 = to_v3(envelope(), figures(Decimal(1), Decimal(2), Decimal(0), "unit"))
    assert v3["pcf"]["declaredUnitOfMeasurement"] == "piece"


# ------------------------------------------------------------------ RFC 8785


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": 1, "a": [True, None, "x"]}, '{"a":[true,null,"x"],"b":1}'),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (123456789012345680000.0, "123456789012345680000"),
        (0.000001, "0.000001"),
        (-0.0, "0"),
        (4.5, "4.5"),
        (2**53, "9007199254740992"),
        ({"\u20ac": 1, "\r": 2, "1": 3}, '{"\\r":2,"1":3,"\u20ac":1}'),
        ('\u0001"\\/', '"\\u0001\\"\\\\/"'),
    ],
)
def test_canonical_json_follows_rfc_8785(value: object, expected: str) -> None:
    assert canonical_json(value).decode() == expected


@settings(max_examples=50, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.text()
        | st.floats(allow_nan=False, allow_infinity=False),
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_canonical_json_round_trips_and_is_stable(value: object) -> None:
    text = canonical_json(value)
    parsed = json.loads(text)
    assert canonical_json(parsed) == text


def test_signature_extension_is_split_off_exactly() -> None:
    document = to_v3(envelope(), figures(Decimal(1), Decimal(2), Decimal(0)))
    signed = json.loads(json.dumps(document))
    with_signature(signed, jws="h..s", signer="A社", jwks_url="https://a.example/jwks.json")
    assert_valid(3, signed)
    unsigned, signature = split_signature(signed)
    assert unsigned == document
    assert signature == {"jws": "h..s", "signer": "A社", "jwks": "https://a.example/jwks.json"}
