"""Recycler period reports: inputs by chemistry and mass, output fractions and recovered
materials per element with masses and purity, and the rates `rules.compute_rates` gives them.

A report covers one facility, one period, one Member State of collection and one Annex XII
Part B category. The duty and its breakdown are Art. 75(5) of Regulation (EU) 2023/1542
(recyclers report per calendar year, by Member State of collection, the amounts received and
recycled, the rates, and the destination and yield of the final output fractions); the format
is Delegated Regulation (EU) 2025/606, Art. 1 and Annex points 4-9 (the annual documentation,
one template per battery type, recital (7)), whose text could not be read (`rules`,
`docs/recycling.md`). Only an operator holding a recycler permit reports; an impossible report is
refused whole (`rules.check_report`), nothing stored. Reports are the recycler's own: no other
operator reads them (the platform dashboard shows totals only).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, InvalidRequest, NotFound
from battrace.ids import new_id
from battrace.recycling.models import Permit, Report, ReportElement, ReportLine, Role
from battrace.recycling.rules import (
    Category,
    Element,
    InputBatch,
    OutputFraction,
    Rates,
    compute_rates,
)

IN, OUT = "in", "out"


@dataclass(frozen=True)
class ReportWrite:
    facility: str
    period_start: date
    period_end: date
    member_state: str
    category: Category
    inputs: Sequence[InputBatch]
    outputs: Sequence[OutputFraction]
    destinations: Sequence[str | None] = ()  # per output, where it went


@dataclass(frozen=True)
class ReportView:
    report_id: uuid.UUID
    facility: str
    period_start: date
    period_end: date
    member_state: str
    category: Category
    inputs: tuple[InputBatch, ...]
    outputs: tuple[OutputFraction, ...]
    destinations: tuple[str | None, ...]
    rates: Rates


def submit_report(session: Session, *, caller: uuid.UUID, report: ReportWrite) -> ReportView:
    """Store a period report after checking it; returns it with its rates."""
    permit = session.get(Permit, (caller, Role.RECYCLER))
    if permit is None or (
        permit.valid_until is not None and permit.valid_until < report.period_end
    ):
        raise AccessDenied("report: only an operator with a valid recycler permit reports.")
    state = report.member_state.strip()
    if len(state) != 2 or not state.isalpha():
        raise InvalidRequest("memberState: the two-letter Member State of collection is required.")
    if report.period_end < report.period_start:
        raise InvalidRequest("periodEnd: must not be before periodStart.")
    if not report.facility.strip():
        raise InvalidRequest("facility: must not be empty.")
    if any(batch.category != report.category for batch in report.inputs):
        raise InvalidRequest(f"inputs: every batch must be {report.category.value}.")
    rates = compute_rates(report.inputs, report.outputs)  # refuses an impossible report
    row = Report(
        operator_id=caller,
        id=new_id(),
        facility=report.facility.strip(),
        period_start=report.period_start,
        period_end=report.period_end,
        member_state=state.upper(),
        category=report.category.value,
    )
    session.add(row)
    session.flush()  # lines reference it
    destinations = list(report.destinations) + [None] * len(report.outputs)
    line = 0
    for batch in report.inputs:
        line += 1
        _add_line(session, row, line, IN, batch.chemistry, batch, None)
    for n, fraction in enumerate(report.outputs):
        line += 1
        _add_line(session, row, line, OUT, fraction.name, fraction, destinations[n])
    record_event(
        session,
        action=AuditAction.RECYCLING_REPORT,
        actor=caller,
        target_type="report",
        target_id=row.id,
        change={"efficiency": str(rates.efficiency_percent), "period": str(report.period_end)},
    )
    return _view(row, list(report.inputs), list(report.outputs), destinations, rates)


def _add_line(
    session: Session,
    report: Report,
    line: int,
    side: str,
    name: str,
    entry: InputBatch | OutputFraction,
    destination: str | None,
) -> None:
    if isinstance(entry, InputBatch):
        deducted, flags, purity = entry.deducted_kg, (True, True, True), None
    else:
        deducted, purity = Decimal(0), entry.purity_percent
        flags = (entry.final, entry.counts, entry.usable)
    session.add(
        ReportLine(
            operator_id=report.operator_id,
            report_id=report.id,
            line=line,
            side=side,
            name=name,
            mass_kg=entry.mass_kg,
            deducted_kg=deducted,
            final=flags[0],
            counts=flags[1],
            usable=flags[2],
            purity_percent=purity,
            destination=destination,
        )
    )
    session.flush()  # element rows reference the line
    session.add_all(
        ReportElement(
            operator_id=report.operator_id,
            report_id=report.id,
            line=line,
            element=element.value,
            mass_kg=mass,
        )
        for element, mass in entry.elements.items()
    )


def _view(
    row: Report,
    inputs: list[InputBatch],
    outputs: list[OutputFraction],
    destinations: list[str | None],
    rates: Rates,
) -> ReportView:
    return ReportView(
        report_id=row.id,
        facility=row.facility,
        period_start=row.period_start,
        period_end=row.period_end,
        member_state=row.member_state,
        category=Category(row.category),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        destinations=tuple(destinations[: len(outputs)]),
        rates=rates,
    )


def _load(session: Session, rows: Sequence[Report]) -> list[ReportView]:
    if not rows:
        return []
    owner = rows[0].operator_id
    ids = [row.id for row in rows]
    lines = session.scalars(
        select(ReportLine)
        .where(ReportLine.operator_id == owner, ReportLine.report_id.in_(ids))
        .order_by(ReportLine.report_id, ReportLine.line)
    ).all()
    elements: dict[tuple[uuid.UUID, int], dict[Element, Decimal]] = {}
    for element in session.scalars(
        select(ReportElement).where(
            ReportElement.operator_id == owner, ReportElement.report_id.in_(ids)
        )
    ):
        elements.setdefault((element.report_id, element.line), {})[Element(element.element)] = (
            element.mass_kg
        )
    views = []
    for row in rows:
        inputs: list[InputBatch] = []
        outputs: list[OutputFraction] = []
        destinations: list[str | None] = []
        for line in (line for line in lines if line.report_id == row.id):
            masses = elements.get((row.id, line.line), {})
            if line.side == IN:
                inputs.append(
                    InputBatch(
                        Category(row.category),
                        line.name,
                        line.mass_kg,
                        line.deducted_kg,
                        masses,
                    )
                )
            else:
                outputs.append(
                    OutputFraction(
                        line.name,
                        line.mass_kg,
                        final=line.final,
                        counts=line.counts,
                        usable=line.usable,
                        elements=masses,
                        purity_percent=line.purity_percent,
                    )
                )
                destinations.append(line.destination)
        views.append(_view(row, inputs, outputs, destinations, compute_rates(inputs, outputs)))
    return views


def get_report(session: Session, *, caller: uuid.UUID, report_id: uuid.UUID) -> ReportView:
    row = session.get(Report, (caller, report_id))
    if row is None:
        raise NotFound(f"reportId: {report_id} was not found.")
    return _load(session, [row])[0]


def list_reports(session: Session, *, caller: uuid.UUID) -> list[ReportView]:
    rows = session.scalars(
        select(Report).where(Report.operator_id == caller).order_by(Report.period_end.desc())
    ).all()
    return _load(session, rows)
