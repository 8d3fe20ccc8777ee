"""Stored recycled-content totals: kept in the writing transaction like the CFP totals, read
at the company boundary, dropped past the budget and refilled, always the digits of a full walk.

R (recycler) sells recovered cobalt sulphate: 0.2 kg Co per kg, 0.2 kg of it post-consumer.
M (cathode maker) makes 1 kg cathode from 0.5 kg of R's sulphate (bought) and 0.5 kg of a
virgin cobalt input with 0.2 kg Co per kg: Co 0.1 + 0.1 = 0.2 kg, recycled 0.1 kg = 50 %.
P (pack maker) buys 20 kg cathode per pack: Co 4 kg, recycled 2 kg.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from battrace.recycling import materials
from battrace.recycling.content import Content, ElementContent
from battrace.recycling.content_totals import ContentWalk, encode, stored_content
from battrace.recycling.models import ContentTotal
from battrace.recycling.rollup import roll_up_content
from battrace.recycling.rules import Element
from battrace.store import Database
from battrace.traceability import disclosure, totals
from battrace.traceability.models import Part, StaleTotal
from battrace.traceability.supply_walk import TraceKeys
from tests.recycling.loop import (
    COLLECTOR,
    MATERIAL,
    PACK,
    RECYCLER,
    part,
    plant,
    register_cfp,
    seed_loop,
    trade,
)
from tests.totals_check import assert_totals_settled

D = Decimal
CO = Element.COBALT
R, M, P = RECYCLER.operator_id, MATERIAL.operator_id, PACK.operator_id


@dataclass(frozen=True)
class Chain:
    sulphate: uuid.UUID
    cathode: uuid.UUID
    bought_sulphate: uuid.UUID
    virgin: uuid.UUID
    pack: uuid.UUID
    bought_cathode: uuid.UUID


@pytest.fixture
def chain(database: Database) -> Chain:
    seed_loop(database)
    with database.transaction() as session:
        sulphate = part(session, RECYCLER, plant(session, RECYCLER), "CoSO4")["CoSO4"]
        materials.declare_content(
            session, caller=R, trace_id=sulphate, element=CO,
            content=ElementContent(D("0.2"), D(0), D("0.2")),
        )  # fmt: skip
        register_cfp(session, RECYCLER, sulphate, "2")
        cathode = part(
            session, MATERIAL, plant(session, MATERIAL), "Cathode",
            [("CoSO4 bought", D("0.5")), ("Virgin Co", D("0.5"))], bought=["CoSO4 bought"],
        )  # fmt: skip
        materials.declare_content(
            session, caller=M, trace_id=cathode["Virgin Co"], element=CO,
            content=ElementContent(D("0.2")),
        )  # fmt: skip
        trade(session, MATERIAL, cathode["CoSO4 bought"], RECYCLER, sulphate)
        register_cfp(session, MATERIAL, cathode["Cathode"], "12")
        pack = part(
            session, PACK, plant(session, PACK), "Pack", [("Cathode", D(20))], bought=["Cathode"]
        )
        trade(session, PACK, pack["Cathode"], MATERIAL, cathode["Cathode"])
    return Chain(
        sulphate, cathode["Cathode"], cathode["CoSO4 bought"], cathode["Virgin Co"],
        pack["Pack"], pack["Cathode"],
    )  # fmt: skip


def assert_content_settled(database: Database) -> None:
    """Every part's stored content equals what a walk ignoring stored rows computes now, and
    every part with a CFP total has one (the invariant, like `assert_totals_settled`)."""
    assert_totals_settled(database)
    with database.transaction(write=False) as session:
        ids = TraceKeys(session)
        every = {key for (key,) in session.connection().execute(select(ids.column(Part.trace_id)))}
        walk = ContentWalk(session, stored=False, disclose_by_default=True).load(every)
        fresh = {key: encode(walk.content(key)) for key in every}
        stored = {key: encode(value) for key, value in stored_content(session, every).items()}
    assert stored == fresh


def _co(content: Mapping[uuid.UUID, Content], trace: uuid.UUID) -> ElementContent | None:
    return content[trace][CO]


def test_stored_content_is_settled_in_the_writing_transaction(
    database: Database, chain: Chain
) -> None:
    assert_content_settled(database)
    with database.transaction(write=False) as session:
        stored = roll_up_content(session, viewer=P, roots=[chain.pack], disclose_by_default=True)
        walked = roll_up_content(
            session, viewer=P, roots=[chain.pack], stored=False, disclose_by_default=True
        )
        assert stored == walked
        # 20 x (0.5 x 0.2 + 0.5 x 0.2) = 4 kg Co, 20 x 0.5 x 0.2 = 2 kg recycled
        assert _co(stored.parts, chain.pack) == ElementContent(D(4), D(0), D(2))
        assert stored.shares(chain.pack)[CO] == D("50.00")
        # the walk stops at M's cathode: P's own parts are walked, M's read as one total
        ids = TraceKeys(session)
        walk = ContentWalk(session, disclose_by_default=True).load(
            {ids.key(chain.pack)}, detail_for=ids.key(P)
        )
        assert walk.walked() == {ids.key(chain.pack), ids.key(chain.bought_cathode)}
        assert walk.boundary.keys() == {ids.key(chain.cathode)}


def test_a_supplier_change_reaches_the_customer_at_commit(database: Database, chain: Chain) -> None:
    with database.transaction() as session:  # R's sulphate: now only 0.1 kg recycled
        materials.declare_content(
            session, caller=R, trace_id=chain.sulphate, element=CO,
            content=ElementContent(D("0.2"), D("0.05"), D("0.05")),
        )  # fmt: skip
    assert_content_settled(database)
    with database.transaction(write=False) as session:
        rolled = roll_up_content(session, viewer=P, roots=[chain.pack], disclose_by_default=True)
        # 20 x 0.5 x 0.1 = 1 kg recycled of 4 kg
        assert _co(rolled.parts, chain.pack) == ElementContent(D(4), D("0.5"), D("0.5"))


def test_past_the_budget_rows_are_dropped_and_refilled(database: Database, chain: Chain) -> None:
    with database.transaction() as session:
        materials.declare_content(
            session, caller=R, trace_id=chain.sulphate, element=CO,
            content=ElementContent(D("0.2"), D(0), D("0.1")),
        )  # fmt: skip
        totals.settle(session, disclose_by_default=True, budget=0)
    with database.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(StaleTotal)) == 5
        ids = TraceKeys(session)
        assert not stored_content(session, {ids.key(chain.cathode), ids.key(chain.pack)})
        # the reader walks what has no row: right, only slower
        rolled = roll_up_content(session, viewer=P, roots=[chain.pack], disclose_by_default=True)
        assert _co(rolled.parts, chain.pack) == ElementContent(D(4), D(0), D(1))
    with database.transaction() as session:
        while totals.refill(session, disclose_by_default=True):
            pass
    assert_content_settled(database)


def test_a_withheld_total_is_unknown_in_the_stored_rows_too(
    database: Database, chain: Chain
) -> None:
    with database.transaction() as session:
        disclosure.set_disclosure(
            session, caller=M, trace_id=chain.cathode, customer=P, total_cfp=False
        )
    assert_content_settled(database)
    with database.transaction(write=False) as session:
        rolled = roll_up_content(session, viewer=P, roots=[chain.pack], disclose_by_default=True)
        assert _co(rolled.parts, chain.pack) is None
        assert _co(rolled.parts, chain.bought_cathode) is None


def test_missing_rows_are_stored_by_the_upgrade_path(database: Database, chain: Chain) -> None:
    with database.transaction() as session:
        session.execute(delete(ContentTotal))
    with database.transaction() as session:
        assert (
            totals.store_missing(session, disclose_by_default=True) == 0
        )  # every CFP total was there
        assert session.scalar(select(func.count()).select_from(ContentTotal)) == 6  # every part
    assert_content_settled(database)


def test_dropping_a_cfp_total_drops_its_content_row(database: Database, chain: Chain) -> None:
    from battrace.traceability.models import PartTotal  # noqa: PLC0415

    with database.transaction() as session:
        assert session.get(ContentTotal, chain.cathode) is not None
        session.execute(delete(PartTotal).where(PartTotal.trace_id == chain.cathode))
        assert session.get(ContentTotal, chain.cathode) is None
        session.rollback()  # (the invariant the fixture checks last)


@pytest.mark.parametrize("closing", [0, 1, 2])
def test_a_cycle_through_answered_trades_is_unknown_from_every_entry_point(
    database: Database, closing: int
) -> None:
    """R's sulphate is made of scrap bought from P, M's cathode of R's sulphate, P's pack of
    M's cathode: each is made of itself. Whichever trade closes the cycle (the settlement's
    entry point) and whichever part a fresh walk starts from, every part of the cycle and the
    part made of it are unknown, and the stored contents equal those walks; a part outside
    the cycle keeps its declared content."""
    seed_loop(database)
    with database.transaction() as session:
        sulphate = part(
            session, RECYCLER, plant(session, RECYCLER), "CoSO4", [("Scrap", D(2))],
            bought=["Scrap"],
        )  # fmt: skip
        cathode = part(
            session, MATERIAL, plant(session, MATERIAL), "Cathode",
            [("CoSO4 bought", D("0.5")), ("Virgin Co", D("0.5"))], bought=["CoSO4 bought"],
        )  # fmt: skip
        pack = part(
            session, PACK, plant(session, PACK), "Pack", [("Cathode", D(20))], bought=["Cathode"]
        )
        module = part(
            session, COLLECTOR, plant(session, COLLECTOR), "Module", [("Pack part", D(1))],
            bought=["Pack part"],
        )  # fmt: skip
        for company, trace, mass in (
            (RECYCLER, sulphate["CoSO4"], "0.1"),
            (MATERIAL, cathode["Virgin Co"], "0.2"),
            (PACK, pack["Pack"], "0.5"),
        ):
            materials.declare_content(
                session, caller=company.operator_id, trace_id=trace, element=CO,
                content=ElementContent(D(mass), D(0), D(mass)),
            )  # fmt: skip
        register_cfp(session, RECYCLER, sulphate["CoSO4"], "2")
        register_cfp(session, MATERIAL, cathode["Cathode"], "12")
        register_cfp(session, PACK, pack["Pack"], "300")
    trades = [
        (MATERIAL, cathode["CoSO4 bought"], RECYCLER, sulphate["CoSO4"]),
        (PACK, pack["Cathode"], MATERIAL, cathode["Cathode"]),
        (RECYCLER, sulphate["Scrap"], PACK, pack["Pack"]),
    ]
    for opened in [*trades[:closing], *trades[closing + 1 :], trades[closing]]:
        with database.transaction() as session:  # one settlement per answered trade
            trade(session, *opened)
    with database.transaction() as session:  # a part using the cycle, answered afterwards
        trade(session, COLLECTOR, module["Pack part"], PACK, pack["Pack"])
    assert_content_settled(database)
    cycle = [
        sulphate["CoSO4"], sulphate["Scrap"], cathode["Cathode"], cathode["CoSO4 bought"],
        pack["Pack"], pack["Cathode"],
    ]  # fmt: skip
    below = [*cycle, module["Module"], module["Pack part"]]
    with database.transaction(write=False) as session:
        ids = TraceKeys(session)
        stored = stored_content(session, {ids.key(trace) for trace in below})
        for entry in below:  # a fresh walk from each part alone, nothing stored
            walk = ContentWalk(session, stored=False, disclose_by_default=True)
            walk.load({ids.key(entry)})
            assert walk.content(ids.key(entry)) == stored[ids.key(entry)]
            for trace in below:
                if ids.key(trace) in walk.walk.parts:
                    assert encode(walk.content(ids.key(trace))) == encode(stored[ids.key(trace)])
        virgin = ContentWalk(session, stored=False, disclose_by_default=True)
        virgin.load({ids.key(cathode["Virgin Co"])})
        assert _co(
            {cathode["Virgin Co"]: virgin.content(ids.key(cathode["Virgin Co"]))},
            cathode["Virgin Co"],
        ) == ElementContent(D("0.2"), D(0), D("0.2"))
    assert {_co({t: stored[ids.key(t)]}, t) for t in below} == {None}
