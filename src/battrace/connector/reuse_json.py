"""The JSON shapes of the second-life API (`/api/v1/reuse…`), camelCase like the other
battrace APIs. An assessment's `results` and `inputs` are its stored documents as they are."""

from __future__ import annotations

import uuid
from typing import Any

from battrace.reuse.models import (
    ReuseAssessment,
    ReuseHealthUpdate,
    ReuseIntake,
    ReuseListing,
    ReuseNotification,
    ReuseReservation,
    ReuseSystem,
    ReuseSystemProposal,
    ReuseTable,
)


def intake_json(row: ReuseIntake, *, with_document: bool = True) -> dict[str, Any]:
    found: dict[str, Any] = {
        "intakeId": str(row.id),
        "operatorId": str(row.operator_id),
        "passportId": str(row.passport_id),
        "label": row.label,
        "sourceName": row.source_name,
        "sourceSha256": row.source_sha256,
        "sourceRows": row.source_rows,
        "recordedAt": row.recorded_at.isoformat(),
    }
    if with_document:
        found["document"] = row.document
    return found


def assessment_json(row: ReuseAssessment, *, full: bool = True) -> dict[str, Any]:
    found: dict[str, Any] = {
        "assessmentId": str(row.id),
        "operatorId": str(row.operator_id),
        "intakeId": str(row.intake_id),
        "passportId": str(row.passport_id),
        "methodVersion": row.method_version,
        "inputHash": row.input_hash,
        "grade": row.grade,
        "route": row.route,
        "soh": float(row.soh),
        "residualValue": float(row.residual_value),
        "passportUpdated": row.passport_updated,
        "assessedAt": row.assessed_at.isoformat(),
    }
    if full:
        found["results"] = row.results
        found["inputs"] = row.inputs
    return found


def table_json(row: ReuseTable) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "chemistry": row.chemistry,
        "version": row.version,
        "values": row.values,
        "createdAt": row.created_at.isoformat(),
    }


def listing_json(row: ReuseListing) -> dict[str, Any]:
    return {
        "listingId": str(row.id),
        "listerOperatorId": str(row.operator_id),
        "assessmentId": str(row.assessment_id),
        "passportId": str(row.passport_id),
        "grade": row.grade,
        "chemistry": row.chemistry,
        "capacityKwh": float(row.capacity_kwh),
        "soh": float(row.soh),
        "lifeYears": {"p10": float(row.life_p10_years), "p50": float(row.life_p50_years)},
        "value": float(row.value),
        "location": row.location,
        "visibleTo": list(row.visible_to),
        "status": row.status.value,
        "createdAt": row.created_at.isoformat(),
    }


def reservation_json(row: ReuseReservation) -> dict[str, Any]:
    return {
        "reservationId": str(row.id),
        "operatorId": str(row.operator_id),
        "listerOperatorId": str(row.lister_operator_id),
        "listingId": str(row.listing_id),
        "passportId": str(row.passport_id),
        "status": row.status.value,
        "message": row.message,
        "systemId": str(row.system_id) if row.system_id else None,
        "proposalId": str(row.proposal_id) if row.proposal_id else None,
        "createdAt": row.created_at.isoformat(),
        "decidedAt": row.decided_at.isoformat() if row.decided_at else None,
    }


def proposal_json(
    row: ReuseSystemProposal, reservations: list[ReuseReservation], viewer: uuid.UUID
) -> dict[str, Any]:
    """A proposal as the viewer may see it: the integrator every reservation, a lister its own
    (and how many listers there are, not who)."""
    shown = [r for r in reservations if viewer in (row.operator_id, r.lister_operator_id)]
    return {
        "proposalId": str(row.id),
        "operatorId": str(row.operator_id),
        "label": row.label,
        "status": row.status,
        "batteryIdentifier": row.battery_identifier,
        "state": row.state.value,
        "listers": len({r.lister_operator_id for r in reservations}),
        "reservations": [reservation_json(r) for r in shown],
        "systemId": str(row.system_id) if row.system_id else None,
        "reason": row.reason,
        "createdAt": row.created_at.isoformat(),
        "decidedAt": row.decided_at.isoformat() if row.decided_at else None,
    }


def system_json(row: ReuseSystem) -> dict[str, Any]:
    return {
        "systemId": str(row.id),
        "operatorId": str(row.operator_id),
        "passportId": str(row.passport_id),
        "label": row.label,
        "status": row.status,
        "predecessors": row.predecessors,
        "predicted": row.predicted,
        "commissionedAt": row.commissioned_at.isoformat(),
    }


def health_json(row: ReuseHealthUpdate) -> dict[str, Any]:
    return {
        "efcSince": float(row.efc_since),
        "soh": float(row.soh),
        "expected": {"p50": float(row.expected_p50), "p10": float(row.expected_p10)},
        "belowBand": row.below_band,
        "recordedAt": row.recorded_at.isoformat(),
    }


def notification_json(row: ReuseNotification) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "subjectId": str(row.subject_id),
        "message": row.message,
        "createdAt": row.created_at.isoformat(),
    }
