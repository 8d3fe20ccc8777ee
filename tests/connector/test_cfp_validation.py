"""Property-based tests of CFP set validation (digest 6.2) and of exact storage.

The reader is a pure function, so most properties run on it directly; a smaller number of
examples go through HTTP to prove that what is accepted is stored and read back exactly,
and that what is refused leaves nothing behind.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from battrace.errors import ValidationFailed
from battrace.inputs import validators, wire
from battrace.store import Database
from tests.support import DT, B, create_plant, login_b, part

TRACE = "2fb97052-250b-44de-acbb-1ba63e28af71"
UNITS = list(validators.DECLARED_UNITS)

amounts = st.decimals(
    min_value=Decimal(0), max_value=Decimal("99999.99999"), places=5, allow_nan=False
)
ratings = st.one_of(st.none(), st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=5))


@st.composite
def valid_sets(draw: st.DrawFn) -> list[dict[str, Any]]:
    unit = draw(st.sampled_from(UNITS))
    rows = []
    for stage in ("pre", "main"):
        production, component = draw(amounts), draw(amounts)
        if production > 0 or component > 0:
            dqr = {"TeR": draw(ratings), "GeR": draw(ratings), "TiR": draw(ratings)}
        else:  # ratings above 0 need an emission above 0 in the stage
            dqr = {"TeR": Decimal(0), "GeR": None, "TiR": Decimal(0)}
        for kind, value in (("Production", production), ("Component", component)):
            rows.append(
                {
                    "cfpId": None,
                    "traceId": TRACE,
                    "ghgEmission": value,
                    "ghgDeclaredUnit": unit,
                    "cfpType": f"{stage}{kind}",
                    "dqrType": f"{stage}Processing",
                    "dqrValue": dqr,
                }
            )
    return draw(st.permutations(rows))


class _DecimalEncoder(json.JSONEncoder):
    """Writes Decimals as bare JSON numbers with exactly their digits."""

    def encode(self, o: object) -> str:
        return super().encode(_mark(o)).replace('"__dec__', "").replace('__"', "")


def read(rows: object) -> object:
    """The reader as the endpoint runs it: bytes in, a CfpSetWrite out (or ValidationFailed)."""
    raw = json.dumps(rows, cls=_DecimalEncoder).encode()
    return validators.read_cfp_set(wire.bind(wire.parse_json(raw), validators.CFP_LIST))


def _mark(value: object) -> object:
    if isinstance(value, Decimal):
        return f"__dec__{value}__"
    if isinstance(value, list):
        return [_mark(item) for item in value]
    if isinstance(value, dict):
        return {key: _mark(item) for key, item in value.items()}
    return value


@given(valid_sets())
@settings(max_examples=300, deadline=None)
def test_every_valid_set_is_accepted_exactly(rows: list[dict[str, Any]]) -> None:
    cfp_set = read(rows)
    assert isinstance(cfp_set.trace_id, object)
    by_type = {row["cfpType"]: row["ghgEmission"] for row in rows}
    for written in cfp_set.rows:  # type: ignore[attr-defined]
        assert written.ghg_emission == by_type[written.cfp_type.value]


@given(valid_sets(), st.integers(0, 3), st.integers(6, 9))
@settings(max_examples=200, deadline=None)
def test_more_than_five_decimals_is_refused(
    rows: list[dict[str, Any]], index: int, places: int
) -> None:
    rows[index]["ghgEmission"] = Decimal(1).scaleb(-places) + Decimal(1)
    with pytest.raises(ValidationFailed) as refused:
        read(rows)
    assert f"cfpModel[{index}]: (ghgEmission: must be a value up to the 5th decimal place.)" in (
        refused.value.message
    )


@given(valid_sets(), st.integers(0, 3))
@settings(max_examples=200, deadline=None)
def test_a_missing_row_is_refused(rows: list[dict[str, Any]], index: int) -> None:
    missing = rows.pop(index)["cfpType"]
    with pytest.raises(ValidationFailed) as refused:
        read(rows)
    message = refused.value.message
    assert message.startswith("cfp models must be 4 elements")
    assert f"cfpType {missing} is insufficient" in message


@given(valid_sets(), st.integers(0, 3), st.sampled_from(["traceId", "ghgDeclaredUnit", "cfpId"]))
@settings(max_examples=200, deadline=None)
def test_rows_must_agree(rows: list[dict[str, Any]], index: int, key: str) -> None:
    other = {
        "traceId": "40b77952-2c89-49be-8ce9-7c64a15e0ae7",
        "ghgDeclaredUnit": "kgCO2e/unit"
        if rows[0]["ghgDeclaredUnit"] != "kgCO2e/unit"
        else "kgCO2e/liter",
        "cfpId": "6191188d-6e67-4449-8bd3-e121b8f23a65",
    }[key]
    rows[index][key] = other
    with pytest.raises(ValidationFailed) as refused:
        read(rows)
    assert f"ensure all objects have the same {key}" in refused.value.message


@given(valid_sets(), st.integers(0, 3), st.decimals(Decimal("0.00001"), Decimal(5), places=5))
@settings(max_examples=200, deadline=None)
def test_ratings_must_agree_within_a_stage(
    rows: list[dict[str, Any]], index: int, bump: Decimal
) -> None:
    stage = rows[index]["dqrType"]
    partner = next(r for i, r in enumerate(rows) if i != index and r["dqrType"] == stage)
    if not any(row["ghgEmission"] > 0 for row in rows if row["dqrType"] == stage):
        return  # ratings above 0 are refused for another reason; covered elsewhere
    if all(value is None for value in partner["dqrValue"].values()):
        return  # as in the reference, a row without any rating sets no rating to agree with
    base = partner["dqrValue"]["TeR"] or Decimal(0)
    rows[index] = dict(rows[index], dqrValue=dict(partner["dqrValue"], TeR=base + bump))
    with pytest.raises(ValidationFailed) as refused:
        read(rows)
    assert "different dqrValues are set for the same dqrType" in refused.value.message


# --------------------------------------------------------------------------- over HTTP


def test_accepted_sets_are_stored_exactly(client: TestClient, seeded: Database) -> None:
    b = login_b(client)
    plant = create_plant(client, b, B.operator_id, "1234567890124012345")

    @given(valid_sets())
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def round_trip(rows: list[dict[str, Any]]) -> None:
        trace = client.put(
            f"{DT}?dataTarget=parts",
            headers=b,
            json=part(B.operator_id, plant, f"P-{uuid.uuid4()}", terminated=True),
        ).json()["traceId"]
        body = json.dumps([dict(row, traceId=trace) for row in rows], cls=_DecimalEncoder)
        response = client.put(
            f"{DT}?dataTarget=cfp",
            headers={**b, "Content-Type": "application/json"},
            content=body,
        )
        assert response.status_code == 201, response.text
        stored = [
            row
            for row in client.get(f"{DT}?dataTarget=cfp&traceIds={trace}", headers=b).json()
            if row["cfpType"] in validators.BASE_CFP_TYPES
        ]
        sent = {row["cfpType"]: row for row in rows}
        assert len(stored) == 4
        for row in stored:
            assert Decimal(str(row["ghgEmission"])) == sent[row["cfpType"]]["ghgEmission"]
            for key in ("TeR", "GeR", "TiR"):
                expected = sent[row["cfpType"]]["dqrValue"][key]
                got = row["dqrValue"][key]
                assert (got is None) == (expected is None)
                if got is not None:
                    assert Decimal(str(got)) == expected

    round_trip()


def test_refused_sets_store_nothing(client: TestClient, seeded: Database) -> None:
    b = login_b(client)
    plant = create_plant(client, b, B.operator_id, "1234567890124012345")
    trace = client.put(
        f"{DT}?dataTarget=parts", headers=b, json=part(B.operator_id, plant, "X", terminated=True)
    ).json()["traceId"]

    @given(valid_sets(), st.integers(0, 3))
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def refused(rows: list[dict[str, Any]], index: int) -> None:
        rows = [dict(row, traceId=trace) for row in rows]
        rows[index] = dict(rows[index], ghgEmission=Decimal("-1"))
        response = client.put(
            f"{DT}?dataTarget=cfp",
            headers={**b, "Content-Type": "application/json"},
            content=json.dumps(rows, cls=_DecimalEncoder),
        )
        assert response.status_code == 400
        assert client.get(f"{DT}?dataTarget=cfp&traceIds={trace}", headers=b).json() == []

    refused()
