"""Domain rows in the contract's JSON shapes (key order as the reference emits them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from battrace.identity.models import Operator, Plant
from battrace.store.base import tidy_decimal
from battrace.traceability.models import CfpValue, Part, Trade
from battrace.traceability.rollup import CfpRow
from battrace.traceability.stages import Dqr

Json = dict[str, Any]


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: integral values print without a fraction, like Go's."""
    if value is None:
        return None
    tidy = tidy_decimal(value)
    if tidy == tidy.to_integral_value():
        return int(tidy)
    return float(tidy)


def text_id(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def rfc3339(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def operator_json(operator: Operator) -> Json:
    return {
        "operatorId": str(operator.id),
        "operatorName": operator.name,
        "operatorAddress": operator.address,
        "openOperatorId": operator.open_operator_id,
        "operatorAttribute": {"globalOperatorId": operator.global_operator_id},
    }


def plant_json(plant: Plant) -> Json:
    return {
        "plantId": str(plant.id),
        "operatorId": str(plant.operator_id),
        "plantName": plant.name,
        "plantAddress": plant.address,
        "openPlantId": plant.open_plant_id,
        "plantAttribute": {"globalPlantId": plant.global_plant_id},
    }


def part_json(part: Part, amount_required: Decimal | None = None) -> Json:
    return {
        "traceId": str(part.trace_id),
        "operatorId": str(part.operator_id),
        "plantId": str(part.plant_id),
        "partsName": part.parts_name,
        "supportPartsName": part.support_parts_name,
        "terminatedFlag": part.terminated_flag,
        "amountRequired": number(amount_required),
        "amountRequiredUnit": part.amount_required_unit.value
        if part.amount_required_unit
        else None,
        "partsLabelName": part.parts_label_name,
        "partsAddInfo1": part.parts_add_info1,
        "partsAddInfo2": part.parts_add_info2,
        "partsAddInfo3": part.parts_add_info3,
    }


def trade_json(trade: Trade) -> Json:
    return {
        "tradeId": str(trade.id),
        "downstreamOperatorId": str(trade.downstream_operator_id),
        "upstreamOperatorId": str(trade.upstream_operator_id),
        "downstreamTraceId": str(trade.downstream_trace_id),
        "upstreamTraceId": text_id(trade.upstream_trace_id),
    }


def status_json(trade: Trade, *, with_state: bool = True) -> Json:
    """StatusModel. On a #7 answer the two enums are omitted and the counters are null."""
    if with_state:
        request_status: Json = {
            "cfpResponseStatus": trade.cfp_response_status.value,
            "tradeTreeStatus": trade.trade_tree_status.value,
            "completedCount": trade.completed_count,
            "completedCountModifiedAt": rfc3339(trade.completed_count_modified_at),
            "tradesCount": trade.trades_count,
            "tradesCountModifiedAt": rfc3339(trade.trades_count_modified_at),
        }
    else:
        request_status = {
            "completedCount": None,
            "completedCountModifiedAt": None,
            "tradesCount": None,
            "tradesCountModifiedAt": None,
        }
    return {
        "statusId": str(trade.status_id),
        "tradeId": str(trade.id),
        "requestStatus": request_status,
        "message": trade.message,
        "replyMessage": trade.reply_message,
        "requestType": trade.request_type,
        "responseDueDate": trade.response_due_date.isoformat() if trade.response_due_date else None,
    }


def dqr_json(dqr: Dqr) -> Json:
    return {"TeR": number(dqr.ter), "GeR": number(dqr.ger), "TiR": number(dqr.tir)}


def cfp_value_json(row: CfpValue) -> Json:
    return {
        "cfpId": str(row.cfp_id),
        "traceId": str(row.trace_id),
        "ghgEmission": number(row.ghg_emission),
        "ghgDeclaredUnit": row.ghg_declared_unit,
        "cfpType": row.cfp_type.value,
        "dqrType": row.dqr_type,
        "dqrValue": dqr_json(Dqr(row.ter, row.ger, row.tir)),
    }


def cfp_row_json(row: CfpRow) -> Json:
    return {
        "cfpId": text_id(row.cfp_id),
        "traceId": str(row.trace_id),
        "ghgEmission": number(row.ghg_emission),
        "ghgDeclaredUnit": row.ghg_declared_unit,
        "cfpType": row.cfp_type,
        "dqrType": row.dqr_type,
        "dqrValue": dqr_json(row.dqr),
    }
