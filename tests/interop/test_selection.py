"""ListFootprints filters run in SQL (`pact.selection`) and select exactly what the
specification's reading of the served documents selects (`filter_oracle`), for v3's
parameters and v2's `$filter`, pages included; another company's footprints and footprints
not published to the client never appear."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from battrace.pact import clients, hosting, selection
from battrace.pact.filters import Criteria, parse_v2_filter
from battrace.pact.mapping import Figures, timestamp
from battrace.pact.models import FootprintStatus, PactClient, PactFootprint, PactPublication
from battrace.pact.publishing import document
from battrace.store import Database
from tests.interop.filter_oracle import v2_matches, v3_matches
from tests.interop.support import A, B

COUNTRIES = ["JP", "DE", "jp", "Fr", None]
COMPANY_IDS = [f"urn:uuid:{A.operator_id}", "urn:battrace:open-operator-id:1234567890123", "URN:X"]
CPCS = ["4642", "4641", "46", "4642a"]
BASE = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
REFERENCE_ENDS = [
    "2024-02-29T00:00:00Z",  # no default validity (no 29 February three years on)
    "2025-01-01T00:00:00Z",
    "2026-01-01T00:00:00Z",
    "2026-07-01T12:30:00Z",
]


def _figures(rng: random.Random, owner: uuid.UUID) -> Figures:
    end = rng.choice(REFERENCE_ENDS)
    return Figures(
        trace_id=str(uuid.uuid4()),
        product_name="cell",
        product_description="cell",
        company_name="A",
        company_ids=rng.sample(COMPANY_IDS, rng.randint(1, 3))
        if owner == A.operator_id
        else [f"urn:uuid:{owner}"],
        unit=rng.choice(["kilogram", "kilogram", "unit"]),
        pre_emission="1",
        main_emission="2",
        own_emission="1",
        ter=None,
        ger=None,
        tir=None,
        reference_period_start="2023-01-01T00:00:00Z",
        reference_period_end=end,
        geography_country=rng.choice(COUNTRIES),
        cpc=rng.choice(CPCS),
    )


def _add(session: Session, rng: random.Random, owner: uuid.UUID, client: PactClient | None) -> None:
    figures = _figures(rng, owner)
    created = BASE + timedelta(seconds=rng.randint(0, 5), microseconds=rng.randint(0, 999_999))
    updated = (
        created
        if rng.random() < 0.5
        else created + timedelta(microseconds=rng.randint(1, 3_000_000))
    )
    footprint = PactFootprint(
        operator_id=owner,
        trace_id=uuid.UUID(figures.trace_id),
        id=uuid.uuid4(),
        version=0,
        preceding_id=None,
        status=rng.choice(list(FootprintStatus)),
        digest="d",
        figures=figures.as_json(),
        v2_servable=figures.unit != "unit",
        created_at=created,
        updated_at=updated,
    )
    session.add(footprint)
    selection.index_footprint(session, footprint, figures)
    if client is not None:
        session.add(
            PactPublication(operator_id=owner, trace_id=footprint.trace_id, client_row_id=client.id)
        )


@pytest.fixture
def catalogue(seeded: Database) -> tuple[Database, uuid.UUID]:
    """40 of A's footprints published to its client, 5 it did not publish, and 5 of B's
    published to B's client."""
    rng = random.Random(17)
    with seeded.transaction() as session:
        mine = clients.issue_client(session, caller=A.operator_id, counterparty_name="EU").client
        theirs = clients.issue_client(session, caller=B.operator_id, counterparty_name="EU").client
        for _ in range(40):
            _add(session, rng, A.operator_id, mine)
        for _ in range(5):
            _add(session, rng, A.operator_id, None)
            _add(session, rng, B.operator_id, theirs)
        client_row = mine.id
    return seeded, client_row


def _served(session: Session, client: PactClient, version: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        hosting._visible(client, version).order_by(PactFootprint.created_at, PactFootprint.id)
    )
    return [document(row, version) for row in rows]


def _ids(documents: list[dict[str, Any]]) -> list[str]:
    return [str(d["id"]) for d in documents]


def _listed(session: Session, client: PactClient, version: int, condition: Any) -> list[str]:
    whole = hosting.list_footprints(
        session, client=client, version=version, limit=1000, offset=0, condition=condition
    )
    assert not whole.more
    paged: list[str] = []
    offset = 0
    while True:  # pages of 7 add up to the whole, in order
        page = hosting.list_footprints(
            session, client=client, version=version, limit=7, offset=offset, condition=condition
        )
        paged += _ids(page.footprints)
        offset += 7
        if not page.more:
            break
    assert paged == _ids(whole.footprints)
    return paged


def _cased(value: str, flip: bool) -> str:
    return value.swapcase() if flip else value


MOMENTS = st.sampled_from(
    [
        "2024-02-29T00:00:00Z",
        "2026-01-01T00:00:00Z",
        "2027-06-01T00:00:00.5Z",
        "2029-01-01",
        "2029-07-01T12:30:00+09:00",
        "2021-01-01T00:00:00Z",
        "2026-07-01T12:30:00Z",
    ]
)


@st.composite
def v3_queries(draw: st.DrawFn) -> list[tuple[str, str]]:
    pool = {
        "productId": st.sampled_from(["urn:uuid:nothing", "URN:UUID:X"]),
        "companyId": st.sampled_from([*COMPANY_IDS, "urn:unknown"]),
        "geography": st.sampled_from(["JP", "jp", "de", "FR", "US"]),
        "classification": st.sampled_from(["urn:x", "4642"]),
        "validOn": MOMENTS,
        "validAfter": MOMENTS,
        "validBefore": MOMENTS,
        "status": st.sampled_from(["Active", "deprecated", "ACTIVE", "bogus"]),
    }
    names = draw(st.lists(st.sampled_from(sorted(pool)), max_size=3, unique=True))
    query: list[tuple[str, str]] = []
    for name in names:
        for value in draw(st.lists(pool[name], min_size=1, max_size=3)):
            query.append((name, _cased(value, draw(st.booleans()))))
    return query


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=v3_queries(), product=st.booleans())
def test_v3_filters_in_sql_select_what_the_documents_say(
    catalogue: tuple[Database, uuid.UUID], query: list[tuple[str, str]], product: bool
) -> None:
    database, client_row = catalogue
    with database.transaction(write=False) as session:
        client = session.get(PactClient, (A.operator_id, client_row))
        assert client is not None
        served = _served(session, client, 3)
        if product:  # one real product id, in another case
            query = [*query, ("productId", str(served[3]["productIds"][0]).upper())]
        criteria = Criteria.from_query(query)
        expected = [str(d["id"]) for d in served if v3_matches(criteria, d)]
        assert _listed(session, client, 3, selection.v3_condition(criteria)) == expected


@st.composite
def v2_filters(draw: st.DrawFn) -> str:
    moment = st.sampled_from(
        [
            timestamp(BASE + timedelta(seconds=2)),
            "2026-01-01T12:00:02.5Z",
            "2026-01-01T12:00:04Z",
            "2026-01-01T21:00:03+09:00",
            "2024-02-29T00:00:00Z",
            "2026-01-01T00:00:00Z",
        ]
    )
    clauses = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["date", "text", "any"]))
        operator = draw(st.sampled_from(["eq", "lt", "le", "gt", "ge"]))
        if kind == "date":
            name = draw(
                st.sampled_from(
                    ["created", "updated", "pcf/referencePeriodStart", "pcf/referencePeriodEnd"]
                )
            )
            clauses.append(f"{name} {operator} '{draw(moment)}'")
        elif kind == "text":
            name = draw(st.sampled_from(["productCategoryCpc", "pcf/geographyCountry"]))
            value = draw(st.sampled_from([*CPCS, "JP", "jp", "DE", "E", "Fr", "Z"]))
            clauses.append(f"{name} {operator} '{value}'")
        else:
            value = draw(st.sampled_from([*COMPANY_IDS, "urn:uuid:nothing"]))
            clauses.append(f"companyIds/any(c:(c eq '{value}'))")
    return " and ".join(clauses)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(expression=v2_filters())
def test_v2_filter_in_sql_selects_what_the_documents_say(
    catalogue: tuple[Database, uuid.UUID], expression: str
) -> None:
    database, client_row = catalogue
    with database.transaction(write=False) as session:
        client = session.get(PactClient, (A.operator_id, client_row))
        assert client is not None
        clauses = parse_v2_filter(expression)
        expected = [str(d["id"]) for d in _served(session, client, 2) if v2_matches(clauses, d)]
        dialect = session.get_bind().dialect.name
        assert _listed(session, client, 2, selection.v2_condition(clauses, dialect)) == expected


def test_the_catalogue_is_varied_enough(catalogue: tuple[Database, uuid.UUID]) -> None:
    """The comparisons above are worth something only if filters split the catalogue."""
    database, client_row = catalogue
    with database.transaction(write=False) as session:
        client = session.get(PactClient, (A.operator_id, client_row))
        assert client is not None
        served = _served(session, client, 3)
        assert len(served) == 40  # A's unpublished and B's footprints are not there
        for query in (
            [("geography", "jp")],
            [("status", "Active")],
            [("validOn", "2027-06-01T00:00:00Z")],
            [("companyId", "urn:x")],
        ):
            criteria = Criteria.from_query(query)
            matched = sum(v3_matches(criteria, d) for d in served)
            assert 0 < matched < len(served), query
        updated = [d for d in _served(session, client, 2) if "updated" in d]
        assert 0 < len(updated) < 40
