"""Recycler reports stored and read back with their rates; impossible ones refused whole."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from battrace.errors import AccessDenied, InvalidRequest, NotFound
from battrace.recycling import reports
from battrace.recycling.models import Report
from battrace.recycling.reports import ReportWrite
from battrace.recycling.rules import Category, Element, InputBatch, OutputFraction
from battrace.store import Database
from tests.recycling.loop import COLLECTOR, RECYCLER, seed_loop

D = Decimal
R = RECYCLER.operator_id
CO, NI, LI = Element.COBALT, Element.NICKEL, Element.LITHIUM

REPORT = ReportWrite(
    facility="Recycler plant 1",
    period_start=date(2026, 1, 1),
    period_end=date(2026, 12, 31),
    member_state="fr",
    category=Category.LITHIUM,
    inputs=[
        InputBatch(Category.LITHIUM, "NMC", D(800), D(100), {CO: D(30), NI: D(90), LI: D(10)}),
        InputBatch(Category.LITHIUM, "LFP", D(200), D(0), {LI: D(6)}),
    ],
    outputs=[
        OutputFraction("black mass", D(350), final=False, counts=False, usable=False),
        OutputFraction("cobalt sulphate", D(120), elements={CO: D(27)}, purity_percent=D("99.8")),
        OutputFraction("nickel sulphate", D(400), elements={NI: D(81)}),
        OutputFraction("lithium carbonate", D(60), elements={LI: D(11)}),
        OutputFraction("aluminium", D(100)),
    ],
    destinations=["Refinery X", "Cathode maker", "Cathode maker", "Cathode maker", "Smelter"],
)


@pytest.fixture
def loop(database: Database) -> Database:
    seed_loop(database)
    return database


def test_a_report_is_stored_and_read_back_with_its_rates(loop: Database) -> None:
    with loop.transaction() as session:
        submitted = reports.submit_report(session, caller=R, report=REPORT)
    with loop.transaction() as session:
        read = reports.get_report(session, caller=R, report_id=submitted.report_id)
        listed = reports.list_reports(session, caller=R)
    # m_in = 700 + 200 = 900; counted out 120 + 400 + 60 + 100 = 680 -> 75.56 %
    assert read.rates.input_kg == D(900) and read.rates.output_kg == D(680)
    assert read.rates.efficiency_percent == D("75.56")
    # Co 27/30 = 90, Ni 81/90 = 90, Li 11/16 = 68.75
    assert read.rates.recovery_percent == {CO: D(90), NI: D(90), LI: D("68.75")}
    assert [c.gap_percent for c in read.rates.recovery_checks[LI]] == [D(0), D("11.25")]
    assert read.member_state == "FR"
    assert read.destinations[1] == "Cathode maker"
    assert read.outputs[1].purity_percent == D("99.8")
    assert [r.report_id for r in listed] == [submitted.report_id]


def test_only_a_recycler_reports_and_only_it_reads(loop: Database) -> None:
    with loop.transaction() as session:
        with pytest.raises(AccessDenied, match="recycler permit"):
            reports.submit_report(session, caller=COLLECTOR.operator_id, report=REPORT)
        submitted = reports.submit_report(session, caller=R, report=REPORT)
        with pytest.raises(NotFound):
            reports.get_report(session, caller=COLLECTOR.operator_id, report_id=submitted.report_id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"outputs": [OutputFraction("cobalt", D(40), elements={CO: D(31)})]},
            "31 kg of Co recovered is more than the 30 kg put in",
        ),
        ({"member_state": ""}, "memberState"),
        ({"period_end": date(2025, 1, 1)}, "periodEnd"),
    ],
)
def test_impossible_reports_store_nothing(
    loop: Database, change: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message), loop.transaction() as session:
        reports.submit_report(session, caller=R, report=replace(REPORT, **change))  # type: ignore[arg-type]
    with loop.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0
