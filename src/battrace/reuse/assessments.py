"""Assess an intake and keep the result: state of health, grade, remaining life and value,
stored with the method version, the inputs and their hash. The state of health goes to the
passport's dynamic performance data when the caller may report for it."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.ids import new_id
from battrace.reuse import intakes, passport_link, rules
from battrace.reuse.assessment import Assessment, Case, assess, performance_data, recompute
from battrace.reuse.diagnostics import read_intake
from battrace.reuse.models import ReuseAssessment, ReuseIntakeGrant
from battrace.store.base import utcnow


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 5)))


def results_document(found: Assessment, *, soh_eol: float, efc_per_year: float) -> dict[str, Any]:
    """Everything the health report shows, as JSON values."""
    life = found.life
    valuation = found.valuation
    return {
        "health": {
            **{k: v for k, v in asdict(found.health).items() if k not in ("flags", "rules")},
            "flags": [asdict(f) for f in found.health.flags],
            "rules": list(found.health.rules),
        },
        "grading": {
            "grade": found.grading.grade,
            "uses": list(found.grading.uses),
            "gates": [asdict(g) for g in found.grading.gates],
            "tests_present": list(found.grading.tests_present),
            "tests_missing": list(found.grading.tests_missing),
            "missing_data": list(found.grading.missing_data),
        },
        "life": None
        if life is None
        else {
            **asdict(life),
            "years_p50": life.n_rem_p50 / efc_per_year,
            "years_p10": life.n_rem_p10 / efc_per_year,
            "relative_uncertainty": life.relative_uncertainty,
            "soh_eol": soh_eol,
        },
        "history": [list(p) for p in found.history],
        "valuation": {
            **{k: v for k, v in asdict(valuation).items() if k != "recycle"},
            "recycle": {
                **asdict(valuation.recycle),
                "contents_kg": dict(valuation.recycle.contents_kg),
            },
            "composition_default": found.composition_default,
            "waterfall": [list(step) for step in valuation.waterfall()],
        },
    }


def assess_intake(session: Session, *, caller: uuid.UUID, intake_id: uuid.UUID) -> ReuseAssessment:
    """Assess one of the intakes the caller may see with its own tables in force."""
    intake_row = intakes.visible_intake(session, caller=caller, intake_id=intake_id)
    intake = read_intake(intake_row.document)
    grading_rules = rules.grading_rules(session, operator=caller, chemistry=intake.rated.chemistry)
    prices = rules.price_table(session, operator=caller)
    today = utcnow().date()
    case = Case(
        intake=intake,
        rules=grading_rules,
        prices=prices,
        assessed_on=today,
        composition_kg=passport_link.composition_kg(
            session, caller=caller, passport_id=intake_row.passport_id
        ),
        document=intake_row.document,
    )
    found = assess(case)
    now = utcnow()
    values = performance_data(found, intake)
    if found.life is not None:
        values["remainingLifetimeCycles"] = found.life.n_rem_p50
        values["remainingLifetimeYears"] = found.life.n_rem_p50 / prices.efc_per_year
    updated = passport_link.record_performance(
        session,
        caller=caller,
        passport_id=intake_row.passport_id,
        values=values,
        measured_at=now,
        method=found.method_version,
    )
    row = ReuseAssessment(
        operator_id=caller,
        id=new_id(),
        intake_id=intake_row.id,
        passport_id=intake_row.passport_id,
        method_version=found.method_version,
        input_hash=found.input_hash,
        inputs=found.inputs,
        results=results_document(
            found, soh_eol=grading_rules.soh_eol, efc_per_year=prices.efc_per_year
        )
        | {"performance": values},
        grade=found.grading.grade,
        route=found.valuation.route,
        soh=_decimal(found.health.soh),
        residual_value=_decimal(found.valuation.residual_value),
        passport_updated=updated,
        assessed_at=now,
    )
    session.add(row)
    record_event(
        session,
        action=AuditAction.REUSE_ASSESSMENT_CREATE,
        actor=caller,
        target_type="reuse_assessment",
        target_id=row.id,
        change={"input_hash": found.input_hash, "grade": row.grade, "route": row.route},
    )
    return row


def _visible(caller: uuid.UUID) -> Any:  # noqa: ANN401 (a SQL expression)
    granted = select(ReuseIntakeGrant.intake_id).where(
        ReuseIntakeGrant.grantee_operator_id == caller
    )
    return or_(ReuseAssessment.operator_id == caller, ReuseAssessment.intake_id.in_(granted))


def visible_assessment(
    session: Session, *, caller: uuid.UUID, assessment_id: uuid.UUID
) -> ReuseAssessment:
    """An assessment of the caller's, or of an intake granted to it."""
    found = session.scalars(
        select(ReuseAssessment).where(ReuseAssessment.id == assessment_id, _visible(caller))
    ).first()
    if found is None:
        raise errors.NotFound(f"assessmentId: no assessment {assessment_id}.")
    return found


def list_assessments(
    session: Session, *, caller: uuid.UUID, intake_id: uuid.UUID | None = None
) -> list[ReuseAssessment]:
    query = select(ReuseAssessment).where(_visible(caller))
    if intake_id is not None:
        query = query.where(ReuseAssessment.intake_id == intake_id)
    return list(session.scalars(query.order_by(ReuseAssessment.assessed_at.desc()).limit(500)))


def verify(session: Session, *, caller: uuid.UUID, assessment_id: uuid.UUID) -> bool:
    """Recompute a stored assessment from its inputs: True if the hash and every stored number
    come out the same."""
    row = visible_assessment(session, caller=caller, assessment_id=assessment_id)
    again = recompute(row.inputs, row.method_version)
    life = row.results.get("life") or {}
    results = results_document(
        again,
        soh_eol=float(row.inputs["rules"]["soh_eol"]),
        efc_per_year=float(row.inputs["prices"]["efc_per_year"]),
    )
    stored = {k: v for k, v in row.results.items() if k != "performance"}
    return (
        again.input_hash == row.input_hash
        and results == stored
        and bool(life) == bool(results["life"])
    )
