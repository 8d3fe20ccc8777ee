"""The loop dashboard: figures added up by hand, withheld when too few operators contribute,
CSV and a self-contained HTML page; the impact figures from the CFP engine and factors."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from battrace.footprint import factors
from battrace.recycling import custody, dashboard, figures, materials, permits, reports
from battrace.recycling.content import BalanceInput
from battrace.recycling.custody import Collection, StepWrite
from battrace.recycling.models import EventKind, LotStatus, Permit, Role
from battrace.recycling.rules import Element
from battrace.store import Database
from battrace.traceability.models import AmountUnit
from tests.recycling.loop import (
    CARRIER,
    COLLECTOR,
    MATERIAL,
    PACK,
    RECYCLER,
    part,
    plant,
    register_cfp,
    seed_loop,
)
from tests.recycling.test_reports import REPORT

D = Decimal
C, R, M, P, T = (c.operator_id for c in (COLLECTOR, RECYCLER, MATERIAL, PACK, CARRIER))
LOT = Collection(
    code="L",
    product_type="battery",
    member_state="DE",
    mass_kg=D(500),
    units=2,
    energy_kwh=D(120),
)


@pytest.fixture
def loop(database: Database) -> Database:
    seed_loop(database)
    return database


def _fill(database: Database, *, operators: int) -> None:
    """`operators` collectors each with two lots (500 kg, 2 packs, 120 kWh); one of them sent
    for repurposing per collector; one report of R; bookings of M."""
    collectors = [C, P, T][:operators]
    with database.transaction() as session:
        for n, operator in enumerate(collectors):
            if session.get(Permit, (operator, Role.COLLECTOR)) is None:
                permits.declare_permit(
                    session, caller=operator, role=Role.COLLECTOR, permit_ref="x", valid_until=None
                )
            custody.collect(session, caller=operator, collection=replace(LOT, code=f"A{n}"))
            second = custody.collect(
                session, caller=operator, collection=replace(LOT, code=f"B{n}")
            )
            custody.record_step(
                session,
                caller=operator,
                lot_id=second.id,
                step=StepWrite(EventKind.SENT_FOR_REPURPOSING, D(500)),
            )
        reports.submit_report(session, caller=R, report=REPORT)
        materials.book_input(
            session,
            caller=M,
            site="S",
            element=Element.COBALT,
            period="2031",
            booked=BalanceInput(D(800), D(0), D(200)),
            source="bought",
        )


def test_the_platform_dashboard_by_hand(loop: Database) -> None:
    _fill(loop, operators=3)
    with loop.transaction() as session:
        # reports and bookings come from one operator each: raise them to three
        for operator in (C, P):
            permits.declare_permit(
                session, caller=operator, role=Role.RECYCLER, permit_ref="r", valid_until=None
            )
            reports.submit_report(session, caller=operator, report=REPORT)
            materials.book_input(
                session,
                caller=operator,
                site="S",
                element=Element.COBALT,
                period="2031",
                booked=BalanceInput(D(200)),
                source="virgin",
            )
        board = dashboard.build(session, caller=C)
    assert board.withheld == ()
    assert board.lots_by_status == {
        LotStatus.COLLECTED: (3, 6),
        LotStatus.FOR_REPURPOSING: (3, 6),
    }
    assert board.second_life_kwh == D(360)  # 3 x 120 kWh
    assert board.collected_t == D(3)  # 6 lots x 500 kg
    # per report: Co 27, Ni 81, Li 11 kg usable final outputs; three reports
    assert board.recovered_t == {
        Element.COBALT: D("0.081"),
        Element.NICKEL: D("0.243"),
        Element.LITHIUM: D("0.033"),
    }
    assert board.content is not None
    cobalt = board.content[0]
    # 200 recycled of 800 + 200 + 200 = 1,200 kg booked -> 16.67 %
    assert (cobalt.element, cobalt.element_kg, cobalt.recycled_kg) == (
        Element.COBALT,
        D(1200),
        D(200),
    )
    assert cobalt.share_percent == D("16.67")
    # second life: 360 kWh x 1,500 / 5,000 x 80 = 8,640 kgCO2e
    assert board.second_life_avoided is not None
    assert board.second_life_avoided.kg_co2e == D("8640.000")
    csv = dashboard.to_csv(board)
    assert "recovered,Co,0.081,t" in csv
    assert "CO2e avoided,second life,8640,kgCO2e" in csv
    html = dashboard.render_html(board)
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count("<svg") == 3
    assert "16.67 %" in html


def test_too_few_operators_withhold_platform_figures(loop: Database) -> None:
    _fill(loop, operators=1)
    with loop.transaction() as session:
        board = dashboard.build(session, caller=P)
        own = dashboard.build(session, caller=C, scope="own")
    assert board.withheld == ("custody", "recovered", "recycled content")
    assert board.lots_by_status is None and board.recovered_t is None
    assert "Withheld" in dashboard.render_html(board)
    # the collector's own view shows its own lots
    assert own.lots_by_status == {LotStatus.COLLECTED: (1, 2), LotStatus.FOR_REPURPOSING: (1, 2)}


def test_second_life_from_the_cfp_engine(loop: Database) -> None:
    with loop.transaction() as session:
        storage = part(session, PACK, plant(session, PACK), "Storage 100 kWh", unit=AmountUnit.UNIT)
        # 7,000 kgCO2e per storage unit
        register_cfp(session, PACK, storage["Storage 100 kWh"], "7000", unit="unit")
        figure = figures.second_life(
            session,
            caller=P,
            given=figures.SecondLifeInput(
                capacity_kwh=D(50),
                cycles=D(2000),
                new_lifetime_cycles=D(4000),
                new_storage_trace_id=storage["Storage 100 kWh"],
                new_storage_capacity_kwh=D(100),
            ),
            disclose_by_default=True,
        )
    # 7,000 / 100 = 70 kgCO2e/kWh; 50 x 2,000 / 4,000 = 25 kWh displaced -> 1,750 kgCO2e
    assert figure.kg_co2e == D("1750.000")
    assert any("CFP engine roll-up of Storage 100 kWh" in line for line in figure.assumptions)


def test_recycled_material_uses_the_callers_factors(loop: Database) -> None:
    with loop.transaction() as session:
        for name, value in (("virgin Co", D(40)), ("recycled Co", D(10))):
            factors.add_factor(
                session,
                caller=M,
                name=name,
                unit=AmountUnit.KILOGRAM,
                kg_co2e_per_unit=value,
                source="test",
                year=2026,
            )
        session.flush()
        figure = figures.recycled_material(
            session, caller=M, recovered_kg={Element.COBALT: D(10), Element.NICKEL: D(10)}
        )
    # Co 10 x (40 - 10) = 300; Ni 10 x (13 - 4) default = 90
    assert figure.kg_co2e == D("390.000")
    assert "your emission factors for Co" in figure.assumptions[-1]
