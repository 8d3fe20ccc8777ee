"""JSON shapes of the recycling API (camelCase; exact numbers as JSON numbers)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from battrace.recycling.balance import HistoryCheck
from battrace.recycling.content import Allocation, ElementContent, MinimumCheck
from battrace.recycling.impact import Figure
from battrace.recycling.market import OfferView
from battrace.recycling.materials import ModelContent
from battrace.recycling.models import Ask, CustodyEvent, CustodyLot, MaterialLot, Permit
from battrace.recycling.reports import ReportView
from battrace.recycling.rules import Rates, TargetCheck
from battrace.store.base import tidy_decimal


def number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    tidy = tidy_decimal(value)
    return int(tidy) if tidy == tidy.to_integral_value() else float(tidy)


def _id(value: object) -> str | None:
    return None if value is None else str(value)


def permit(row: Permit) -> dict[str, Any]:
    return {
        "role": row.role.value,
        "permitRef": row.permit_ref,
        "validUntil": None if row.valid_until is None else row.valid_until.isoformat(),
    }


def lot(row: CustodyLot) -> dict[str, Any]:
    return {
        "lotId": str(row.id),
        "code": row.code,
        "productType": row.product_type,
        "fraction": row.fraction.value,
        "chemistry": row.chemistry,
        "memberState": row.member_state,
        "status": row.status.value,
        "custodianOperatorId": str(row.custodian_operator_id),
        "receiverOperatorId": _id(row.receiver_operator_id),
        "parentLotId": _id(row.parent_lot_id),
        "massKg": number(row.mass_kg),
        "units": row.units,
        "energyKwh": number(row.energy_kwh),
        "lostTrack": row.lost_track,
    }


def event(row: CustodyEvent) -> dict[str, Any]:
    return {
        "sequence": row.sequence,
        "kind": row.kind.value,
        "operatorId": str(row.operator_id),
        "occurredAt": row.occurred_at.isoformat(),
        "place": row.place,
        "massInKg": number(row.mass_in_kg),
        "massOutKg": number(row.mass_out_kg),
        "lossKg": number(row.loss_kg),
        "unitsIn": row.units_in,
        "unitsOut": row.units_out,
        "receiverOperatorId": _id(row.receiver_operator_id),
        "acceptedAt": None if row.accepted_at is None else row.accepted_at.isoformat(),
        "note": row.note,
    }


def history(check: HistoryCheck) -> dict[str, Any]:
    return {
        "steps": check.steps,
        "balanced": check.balanced,
        "lostTrack": check.lost_track,
        "massInKg": number(check.mass_in_kg),
        "massOutKg": number(check.mass_out_kg),
        "lossesKg": number(check.losses_kg),
        "findings": [
            {"sequence": f.sequence, "kind": f.kind, "message": f.message} for f in check.findings
        ],
    }


def _check(check: TargetCheck) -> dict[str, Any]:
    return {
        "deadline": check.deadline.isoformat(),
        "targetPercent": number(check.target_percent),
        "ratePercent": number(check.rate_percent),
        "gapPercent": number(check.gap_percent),
        "met": check.met,
    }


def rates(found: Rates) -> dict[str, Any]:
    return {
        "inputKg": number(found.input_kg),
        "outputKg": number(found.output_kg),
        "recyclingEfficiencyPercent": number(found.efficiency_percent),
        "efficiencyTargets": [_check(c) for c in found.efficiency_checks],
        "materialRecovery": {
            element.value: {
                "ratePercent": number(rate),
                "targets": [_check(c) for c in found.recovery_checks[element]],
            }
            for element, rate in found.recovery_percent.items()
        },
    }


def _masses(masses: Mapping[Any, Decimal]) -> dict[str, Any]:
    return {str(getattr(k, "value", k)): number(v) for k, v in masses.items()}


def report(view: ReportView) -> dict[str, Any]:
    return {
        "reportId": str(view.report_id),
        "facility": view.facility,
        "periodStart": view.period_start.isoformat(),
        "periodEnd": view.period_end.isoformat(),
        "memberState": view.member_state,
        "category": view.category.value,
        "inputs": [
            {
                "chemistry": b.chemistry,
                "massKg": number(b.mass_kg),
                "deductedKg": number(b.deducted_kg),
                "elements": _masses(b.elements),
            }
            for b in view.inputs
        ],
        "outputs": [
            {
                "name": f.name,
                "massKg": number(f.mass_kg),
                "final": f.final,
                "counts": f.counts,
                "usable": f.usable,
                "purityPercent": number(f.purity_percent),
                "elements": _masses(f.elements),
                "destination": destination,
            }
            for f, destination in zip(view.outputs, view.destinations, strict=False)
        ],
        "rates": rates(view.rates),
    }


def content(value: ElementContent | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "massKg": number(value.mass_kg),
        "preConsumerKg": number(value.pre_consumer_kg),
        "postConsumerKg": number(value.post_consumer_kg),
    }


def minimum(check: MinimumCheck) -> dict[str, Any]:
    return {
        "element": check.element.value,
        "sharePercent": number(check.share_percent),
        "minimumPercent": None if check.minimum is None else number(check.minimum.percent),
        "inForceFrom": None if check.minimum is None else check.minimum.deadline.isoformat(),
        "nextMinimumPercent": None
        if check.next_minimum is None
        else number(check.next_minimum.percent),
        "nextFrom": None if check.next_minimum is None else check.next_minimum.deadline.isoformat(),
        "gapPercent": number(check.gap_percent),
        "met": check.met,
    }


def model_content(found: ModelContent) -> dict[str, Any]:
    return {
        "traceId": str(found.trace_id),
        "content": {e.value: content(v) for e, v in found.content.items()},
        "sharesPercent": {e.value: number(v) for e, v in found.shares.items()},
        "art8": [minimum(c) for c in found.checks],
        "passportModels": [str(m) for m in found.passport_models],
    }


def material_lot(row: MaterialLot) -> dict[str, Any]:
    return {
        "lotId": str(row.id),
        "traceId": str(row.trace_id),
        "element": row.element,
        "grade": row.grade,
        "massKg": number(row.mass_kg),
        "elementFraction": number(row.element_fraction),
        "preConsumerPercent": number(row.pre_consumer_percent),
        "postConsumerPercent": number(row.post_consumer_percent),
        "certificate": row.certificate,
        "cfpKgCO2ePerKg": number(row.cfp_kg_co2e_per_kg),
    }


def allocation(found: Allocation) -> dict[str, Any]:
    return {
        "model": "mass balance, proportional allocation to every output of the period",
        "inputKg": number(found.input_kg),
        "recycledKg": number(found.recycled_kg),
        "sharePercent": number(found.share_percent),
        "preConsumerShare": number(found.pre_share),
        "postConsumerShare": number(found.post_share),
    }


def offer(view: OfferView) -> dict[str, Any]:
    return {
        "offerId": str(view.offer_id),
        "offererOperatorId": str(view.offerer_operator_id),
        "offererName": view.offerer_name,
        "lotId": str(view.lot_id),
        "element": view.element.value,
        "grade": view.grade,
        "quantityKg": number(view.quantity_kg),
        "preConsumerPercent": number(view.pre_consumer_percent),
        "postConsumerPercent": number(view.post_consumer_percent),
        "cfpKgCO2ePerKg": number(view.cfp_kg_co2e_per_kg),
        "certificate": view.certificate,
        "public": view.public,
        "viewers": [str(v) for v in view.viewers],
    }


def ask(row: Ask) -> dict[str, Any]:
    return {
        "askId": str(row.id),
        "operatorId": str(row.operator_id),
        "traceId": str(row.trace_id),
        "element": row.element,
        "grade": row.grade,
        "quantityKg": number(row.quantity_kg),
        "status": row.status,
        "offerId": _id(row.offer_id),
        "tradeId": _id(row.trade_id),
    }


def figure(found: Figure) -> dict[str, Any]:
    return {
        "kgCO2e": number(found.kg_co2e),
        "assumptions": [str(line) for line in found.assumptions],
    }
