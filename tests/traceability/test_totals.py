"""Stored part totals (`traceability.totals`): settled in the transaction that changes an
input, whatever the change; used by the loader as a shortcut to the same digits; never
trusted while a change is pending or under another default disclosure policy. SQLite and
PostgreSQL."""

from __future__ import annotations

import random
import time
import uuid
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from battrace.app import create_app
from battrace.footprint import load_graph
from battrace.footprint.rollup import roll_up
from battrace.settings import Settings
from battrace.store import Database
from battrace.traceability import totals
from battrace.traceability.models import (
    CfpResponseStatus,
    CfpValue,
    Disclosure,
    Part,
    PartEdge,
    PartTotal,
    Trade,
)
from battrace.traceability.rollup import cfp_rows
from battrace.traceability.stages import Stage
from battrace.traceability.supply import SupplyGraph
from tests.totals_check import assert_totals_settled, pending, stale, stored_and_fresh
from tests.traceability.chain import Chain


class Supply:
    """Three companies: maker M buys two parts from S, S buys one from T; each has a product
    with its own structure, so a change at T moves S's product, M's bought part and M's
    product."""

    def __init__(self) -> None:
        chain = self.chain = Chain()
        self.m, self.s, self.t = chain.operator(), chain.operator(), chain.operator()
        self.t_product = chain.part(self.t, parent=True, cfp="3")
        self.t_leaf = chain.part(self.t, terminated=True, cfp="2")
        chain.edge(self.t, self.t_product, self.t_leaf, "2")
        self.s_product = chain.part(self.s, parent=True, cfp="1")
        self.s_bought = chain.part(self.s)
        self.s_leaf = chain.part(self.s, terminated=True, cfp="4")
        chain.edge(self.s, self.s_product, self.s_bought, "1.5")
        chain.edge(self.s, self.s_product, self.s_leaf, "0.5")
        chain.answer(self.s, self.s_bought, self.t, self.t_product)
        self.m_product = chain.part(self.m, parent=True, cfp="10")
        self.m_bought = [chain.part(self.m), chain.part(self.m)]
        self.m_leaf = chain.part(self.m, terminated=True, cfp="1")
        for bought, amount in zip(self.m_bought, ("2", "3"), strict=True):
            chain.edge(self.m, self.m_product, bought, amount)
            chain.answer(self.m, bought, self.s, self.s_product)
        chain.edge(self.m, self.m_product, self.m_leaf, "1")

    def store(self, database: Database) -> None:
        self.chain.store(database)

    def operator(self, at: int) -> uuid.UUID:
        return self.chain.operators[at]

    def set_t_leaf(self, session: Session, value: int) -> None:
        """T's leaf's pre-processing production value."""
        session.execute(
            update(CfpValue)
            .where(CfpValue.trace_id == self.t_leaf, CfpValue.cfp_type == "preProduction")
            .values(ghg_emission=Decimal(value))
        )

    def withhold(self, session: Session, supplier: int, part: uuid.UUID, customer: int) -> None:
        session.add(
            Disclosure(
                operator_id=self.operator(supplier),
                trace_id=part,
                released_to_operator_id=self.operator(customer),
                total_cfp=False,
            )
        )


def product_total(database: Database, supply: Supply) -> Decimal | None:
    with database.transaction(write=False) as session:
        rows = cfp_rows(
            session,
            caller=supply.operator(supply.m),
            trace_ids=[supply.m_product],
            disclose_by_default=True,
        )
    by_type = {row.cfp_type: row.ghg_emission for row in rows}
    component = by_type["preComponentTotal"]
    return None if component is None else by_type["preProductionTotal"] + component


def test_a_bulk_write_stores_every_total(database: Database) -> None:
    supply = Supply()
    supply.store(database)
    stored, computed = stored_and_fresh(database)
    assert stored.keys() == {row.trace_id for row in supply.chain.rows if isinstance(row, Part)}
    assert stored == computed
    # T: 3 + 2 x 2 = 7; S: 1 + 1.5 x 7 + 0.5 x 4 = 13.5; M: 10 + (2 + 3) x 13.5 + 1 = 78.5
    assert Decimal(stored[supply.t_product]["pre_emission"]) == 7
    assert Decimal(stored[supply.s_product]["pre_emission"]) == Decimal("13.5")
    assert product_total(database, supply) == Decimal("78.5")


def test_a_change_upstream_moves_every_total_downstream(database: Database) -> None:
    supply = Supply()
    supply.store(database)
    with database.transaction() as session:
        supply.set_t_leaf(session, 5)
    assert pending(database) == []
    # T: 3 + 2 x 5 = 13; S: 1 + 1.5 x 13 + 2 = 22.5; M: 10 + 5 x 22.5 + 1 = 123.5
    assert product_total(database, supply) == Decimal("123.5")
    assert_totals_settled(database)


def test_a_withheld_total_is_unknown_downstream_until_released(database: Database) -> None:
    supply = Supply()
    supply.store(database)
    with database.transaction() as session:
        supply.withhold(session, supply.t, supply.t_product, supply.s)
    assert product_total(database, supply) is None
    assert_totals_settled(database)
    with database.transaction() as session:
        session.execute(update(Disclosure).values(total_cfp=True))
    assert product_total(database, supply) == Decimal("78.5")


def test_the_loader_stops_at_a_suppliers_stored_total(database: Database) -> None:
    """Tamper with S's stored total (no trigger watches that table): M's roll-up shows the
    tampered value, so it read the total and never walked S's structure or T's parts."""
    supply = Supply()
    supply.store(database)
    with database.transaction() as session:
        session.execute(
            update(PartTotal)
            .where(PartTotal.trace_id == supply.s_product)
            .values(pre_emission="100")
        )
    try:
        with database.transaction(write=False) as session:
            graph = load_graph(
                session,
                viewer=supply.operator(supply.m),
                roots=[supply.m_product],
                disclose_by_default=True,
            )
            walked = SupplyGraph(session, stored=False, disclose_by_default=True).load(
                [supply.m_product]
            )
            assert walked.total(supply.m_product)[Stage.PRE].emission == Decimal("78.5")
        assert set(graph.nodes) == {supply.m_product, *supply.m_bought, supply.m_leaf}
        boundary = graph.nodes[supply.m_bought[0]].boundary
        assert boundary is not None
        assert boundary.totals[Stage.PRE].emission == Decimal(100)
        assert roll_up(graph, supply.m_product).stages[Stage.PRE].total == Decimal(511)
        # GET cfp expands only the product: it reads M's bought parts' own stored totals
        assert product_total(database, supply) == Decimal("78.5")
    finally:  # put the right row back for the closing check
        with database.transaction() as session:
            session.execute(delete(PartTotal))
            totals.store_missing(session, disclose_by_default=True)


def test_an_unsettled_commit_makes_the_loader_walk(database: Database) -> None:
    """A write that bypasses the session (a migration, a DBA's UPDATE) leaves its part
    pending: readers ignore every stored total until a session settles it."""
    supply = Supply()
    supply.store(database)
    with database.engine.begin() as connection:
        connection.execute(
            update(PartEdge)
            .where(PartEdge.child_trace_id == supply.m_leaf)
            .values(amount_required=Decimal(4))
        )
    assert len(pending(database)) == 1
    assert product_total(database, supply) == Decimal("81.5")  # walked: 78.5 + 3 x 1
    with database.transaction() as session:
        assert (
            totals.settle(session, disclose_by_default=True).stored == 1
        )  # only M's product is downstream of it
    assert pending(database) == []
    assert product_total(database, supply) == Decimal("81.5")


def test_totals_stored_under_another_disclosure_policy_are_not_used(database: Database) -> None:
    supply = Supply()
    supply.store(database)
    maker = supply.operator(supply.m)
    with database.transaction() as session:  # a server run withholding by default
        # every part: its row is of the other policy
        assert totals.store_missing(session, disclose_by_default=False) == 9
        assert totals.store_missing(session, disclose_by_default=False) == 0
        rows = cfp_rows(
            session, caller=maker, trace_ids=[supply.m_product], disclose_by_default=False
        )
        assert {row.cfp_type: row.ghg_emission for row in rows}["preComponentTotal"] is None
        session.execute(update(PartTotal).values(pre_emission="999"))  # would show if read
    with database.transaction(write=False) as session:  # back to disclosing by default
        rows = cfp_rows(
            session, caller=maker, trace_ids=[supply.m_product], disclose_by_default=True
        )
    assert {row.cfp_type: row.ghg_emission for row in rows}["preComponentTotal"] == Decimal("68.5")
    with database.transaction() as session:
        assert totals.store_missing(session, disclose_by_default=True) == 9


def test_a_change_past_the_budget_drops_its_totals_until_refilled(database: Database) -> None:
    supply = Supply()
    supply.store(database)
    with database.transaction() as session:
        supply.set_t_leaf(session, 5)
        settlement = totals.settle(session, budget=6, disclose_by_default=True)
    # the leaf, T's product, S's bought part and product, M's two bought parts and product
    assert settlement == totals.Settlement(stored=0, dropped=7)
    assert len(stale(database)) == 7
    stored, _ = stored_and_fresh(database)
    assert supply.m_product not in stored and supply.m_leaf in stored
    assert product_total(database, supply) == Decimal("123.5")  # walked, and right
    with database.transaction() as session:
        assert (
            totals.refill(session, limit=1, disclose_by_default=True) >= 1
        )  # one stale root and what lies below it
    while stale(database):
        with database.transaction() as session:
            assert totals.refill(session, limit=1, disclose_by_default=True) > 0
    with database.transaction() as session:
        assert totals.refill(session, disclose_by_default=True) == 0
    assert_totals_settled(database)
    assert product_total(database, supply) == Decimal("123.5")


def test_the_server_refills_dropped_totals_in_the_background(
    database: Database, settings: Settings
) -> None:
    supply = Supply()
    supply.store(database)
    with database.transaction() as session:
        supply.withhold(session, supply.s, supply.s_product, supply.m)
        totals.settle(session, budget=0, disclose_by_default=True)
    assert len(stale(database)) == 4  # S's product, M's bought parts and product
    fast = settings.model_copy(update={"totals_refill_seconds": 0.05})
    with TestClient(create_app(fast, database=database)):
        deadline = time.monotonic() + 20
        while stale(database) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert stale(database) == []
    assert product_total(database, supply) is None
    assert_totals_settled(database)


def test_store_missing_fills_an_upgraded_database(database: Database) -> None:
    supply = Supply()
    supply.store(database)
    expected, _ = stored_and_fresh(database)
    with database.transaction() as session:
        session.execute(delete(PartTotal).where(PartTotal.trace_id != supply.t_leaf))
    with database.transaction() as session:
        assert totals.store_missing(session, disclose_by_default=True) == len(expected) - 1
    assert stored_and_fresh(database)[0] == expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_keep_every_stored_total_equal_to_a_fresh_walk(
    database: Database, seed: int
) -> None:
    """Each edit in its own transaction, straight on the tables (the services' checks are
    bypassed, so cycles and dangling answers happen too); after each, every row holds."""
    rng = random.Random(seed)
    supply = Supply()
    supply.store(database)
    chain = supply.chain
    parts = [row for row in chain.rows if isinstance(row, Part)]
    edges = [
        (row.parent_trace_id, row.child_trace_id) for row in chain.rows if isinstance(row, PartEdge)
    ]
    trades = [row.id for row in chain.rows if isinstance(row, Trade)]

    def edit(session: Session) -> str:
        kind = rng.randrange(8)
        part = rng.choice(parts)
        if kind == 0:
            session.execute(
                update(CfpValue)
                .where(CfpValue.trace_id == part.trace_id, CfpValue.cfp_type == "mainProduction")
                .values(
                    ghg_emission=Decimal(rng.randint(0, 900)) / 100, ter=Decimal(rng.randint(1, 5))
                )
            )
            return "value"
        if kind == 1 and edges:
            parent, child = rng.choice(edges)
            session.execute(
                update(PartEdge)
                .where(PartEdge.parent_trace_id == parent, PartEdge.child_trace_id == child)
                .values(amount_required=Decimal(rng.randint(1, 400)) / 100)
            )
            return "amount"
        if kind == 2 and edges:
            parent, child = edges.pop(rng.randrange(len(edges)))
            session.execute(
                delete(PartEdge).where(
                    PartEdge.parent_trace_id == parent, PartEdge.child_trace_id == child
                )
            )
            return "unlink"
        if kind == 3:
            status = rng.choice(list(CfpResponseStatus))
            session.execute(
                update(Trade)
                .where(Trade.id == rng.choice(trades))
                .values(cfp_response_status=status)
            )
            return "status"
        if kind == 4:
            session.execute(
                update(Part)
                .where(Part.trace_id == part.trace_id)
                .values(terminated_flag=rng.random() < 0.5, is_parent=rng.random() < 0.5)
            )
            return "flags"
        if kind == 5:
            session.execute(delete(CfpValue).where(CfpValue.trace_id == part.trace_id))
            return "forget values"
        if kind == 6:
            trade = session.get(Trade, rng.choice(trades))
            if trade is None or trade.upstream_trace_id is None:
                return "nothing"
            session.merge(
                Disclosure(
                    operator_id=trade.upstream_operator_id,
                    trace_id=trade.upstream_trace_id,
                    released_to_operator_id=trade.downstream_operator_id,
                    total_cfp=rng.random() < 0.5,
                    total_dqr=rng.random() < 0.5,
                )
            )
            return "disclosure"
        same_owner = [p for p in parts if p.operator_id == part.operator_id and p is not part]
        child = rng.choice(same_owner)
        if (part.trace_id, child.trace_id) in edges:
            return "nothing"
        session.add(
            PartEdge(
                operator_id=part.operator_id,
                parent_trace_id=part.trace_id,
                child_trace_id=child.trace_id,
                amount_required=Decimal(rng.randint(1, 300)) / 100,
            )
        )  # may close a cycle
        edges.append((part.trace_id, child.trace_id))
        return "link"

    kinds = set()
    for _ in range(30):
        with database.transaction() as session:
            kinds.add(edit(session))
        stored, computed = stored_and_fresh(database)
        assert stored == computed
        assert pending(database) == []
    assert len(kinds - {"nothing"}) >= 6


def test_writers_meeting_downstream_both_count(database: Database, backend: str) -> None:
    """Two transactions change two leaves under one product at the same time; the one that
    commits second recomputes the product from the first one's committed value."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: two open write transactions cannot meet")
    supply = Supply()
    supply.store(database)
    first, second = database.session(), database.session()
    try:
        first.execute(
            update(CfpValue)
            .where(CfpValue.trace_id == supply.s_leaf, CfpValue.cfp_type == "preProduction")
            .values(ghg_emission=Decimal(6))  # S: 13.5 + 0.5 x 2 = 14.5
        )
        first.flush()
        second.execute(
            update(PartEdge)
            .where(PartEdge.child_trace_id == supply.m_leaf)
            .values(amount_required=Decimal(2))  # M: + 1
        )
        second.commit()
        first.commit()
    finally:
        first.close()
        second.close()
    assert product_total(database, supply) == Decimal("84.5")  # 10 + 5 x 14.5 + 2
    assert_totals_settled(database)
