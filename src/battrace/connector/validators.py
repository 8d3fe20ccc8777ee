"""Body rules of the data distribution endpoints (#5 #6 #7 #15 #16), message for message.

Each reader takes a bound body (see `wire.bind`) and returns plain domain inputs, or raises
`ValidationFailed` with the reference's message.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from battrace.connector import wire
from battrace.traceability.cfp import CfpRowWrite, CfpSetWrite, Dqr
from battrace.traceability.models import AmountUnit, CfpResponseStatus, CfpType
from battrace.traceability.parts import ChildWrite, PartWrite
from battrace.traceability.trades import TradeRequestWrite

UNITS = tuple(unit.value for unit in AmountUnit)
DECLARED_UNITS = tuple(f"kgCO2e/{unit}" for unit in UNITS)
BASE_CFP_TYPES = ("preProduction", "mainProduction", "preComponent", "mainComponent")
DQR_TYPES = ("preProcessing", "mainProcessing")

PARTS = wire.struct(
    "traceability.PartsModel",
    traceId=wire.STRING,
    operatorId=wire.STRING,
    plantId=wire.STRING,
    partsName=wire.STRING,
    supportPartsName=wire.STRING,
    terminatedFlag=wire.BOOL,
    amountRequired=wire.FLOAT,
    amountRequiredUnit=wire.STRING,
    partsLabelName=wire.STRING,
    partsAddInfo1=wire.STRING,
    partsAddInfo2=wire.STRING,
    partsAddInfo3=wire.STRING,
)
PARTS_STRUCTURE = wire.struct(
    "traceability.PartsStructureModel",
    parentPartsModel=PARTS,
    childrenPartsModel=wire.array_of(PARTS),
)
REQUEST_STATUS = wire.struct(
    "traceability.RequestStatus",
    cfpResponseStatus=wire.STRING,
    tradeTreeStatus=wire.STRING,
    completedCount=wire.INT,
    completedCountModifiedAt=wire.STRING,
    tradesCount=wire.INT,
    tradesCountModifiedAt=wire.STRING,
)
STATUS = wire.struct(
    "traceability.StatusModel",
    statusId=wire.STRING,
    tradeId=wire.STRING,
    requestStatus=REQUEST_STATUS,
    message=wire.STRING,
    replyMessage=wire.STRING,
    requestType=wire.STRING,
    responseDueDate=wire.STRING,
)
TRADE = wire.struct(
    "traceability.TradeModel",
    tradeId=wire.STRING,
    downstreamOperatorId=wire.STRING,
    upstreamOperatorId=wire.STRING,
    downstreamTraceId=wire.STRING,
    upstreamTraceId=wire.STRING,
)
TRADE_REQUEST = wire.struct("traceability.TradeRequestModel", tradeModel=TRADE, statusModel=STATUS)
DQR_VALUE = wire.struct("traceability.DqrValue", TeR=wire.FLOAT, GeR=wire.FLOAT, TiR=wire.FLOAT)
CFP = wire.struct(
    "traceability.CfpModel",
    cfpId=wire.STRING,
    traceId=wire.STRING,
    ghgEmission=wire.FLOAT,
    ghgDeclaredUnit=wire.STRING,
    cfpType=wire.STRING,
    dqrType=wire.STRING,
    dqrValue=DQR_VALUE,
)
CFP_LIST = wire.array_of(CFP)


def _parts_errors(body: dict[str, Any], *, child: bool) -> wire.Errors:
    errors = wire.Errors()
    wire.collect(errors, "traceId", body.get("traceId"), wire.is_uuid)
    wire.collect(errors, "operatorId", body.get("operatorId"), wire.required, wire.is_uuid)
    wire.collect(errors, "plantId", body.get("plantId"), wire.required, wire.is_uuid)
    wire.collect(errors, "partsName", body.get("partsName"), wire.required, wire.rune_length(1, 50))
    wire.collect(errors, "supportPartsName", body.get("supportPartsName"), wire.rune_length(0, 50))
    wire.collect(errors, "terminatedFlag", body.get("terminatedFlag"), wire.not_nil)
    if child:
        wire.collect(
            errors, "amountRequired", body.get("amountRequired"), wire.not_nil, *wire.AMOUNT_RULES
        )
        wire.collect(
            errors,
            "amountRequiredUnit",
            body.get("amountRequiredUnit"),
            wire.not_nil,
            wire.one_of(*UNITS),
        )
    else:
        wire.collect(errors, "amountRequired", body.get("amountRequired"), wire.nil)
        wire.collect(
            errors, "amountRequiredUnit", body.get("amountRequiredUnit"), wire.one_of(*UNITS)
        )
    for name in ("partsLabelName", "partsAddInfo1", "partsAddInfo2", "partsAddInfo3"):
        wire.collect(errors, name, body.get(name), wire.rune_length(0, 50))
    return errors


def _part_write(body: dict[str, Any]) -> PartWrite:
    operator_id = wire.as_uuid(body.get("operatorId"))
    plant_id = wire.as_uuid(body.get("plantId"))
    assert operator_id is not None and plant_id is not None  # noqa: S101 (validated)
    unit = body.get("amountRequiredUnit") or None
    return PartWrite(
        trace_id=wire.as_uuid(body.get("traceId")),
        operator_id=operator_id,
        plant_id=plant_id,
        parts_name=body["partsName"],
        support_parts_name=body.get("supportPartsName"),
        terminated_flag=bool(body["terminatedFlag"]),
        amount_required_unit=AmountUnit(unit) if unit else None,
        parts_label_name=body.get("partsLabelName"),
        parts_add_info1=body.get("partsAddInfo1"),
        parts_add_info2=body.get("partsAddInfo2"),
        parts_add_info3=body.get("partsAddInfo3"),
    )


def read_parent_part(body: object) -> PartWrite:
    """#5: one parent part."""
    part = body if isinstance(body, dict) else {}
    errors = _parts_errors(part, child=False)
    if errors:
        raise wire.fail(errors)
    return _part_write(part)


def read_structure(body: object) -> tuple[PartWrite, list[ChildWrite]]:
    """#6: a parent and its children (0..50)."""
    structure = body if isinstance(body, dict) else {}
    errors = wire.Errors()
    parent = structure.get("parentPartsModel")
    children = structure.get("childrenPartsModel")
    if parent is None:
        errors["parentPartsModel"] = "cannot be blank"
    else:
        nested = _parts_errors(parent, child=False)
        if nested:
            errors["parentPartsModel"] = nested
    if children is None:
        errors["childrenPartsModel"] = "cannot be blank"
    elif len(children) > 50:
        errors["childrenPartsModel"] = "the length must be between 0 and 50"
    else:
        for index, child in enumerate(children):
            nested = _parts_errors(child or {}, child=True)
            if nested:
                errors[f"childrenPartsModel[{index}]"] = nested
    if errors:
        raise wire.fail(errors)
    assert parent is not None and children is not None  # noqa: S101
    return _part_write(parent), [
        ChildWrite(_part_write(child), wire.as_decimal(child["amountRequired"]) or Decimal(0))
        for child in children
    ]


def read_trade_request(body: object) -> TradeRequestWrite:
    """#7: tradeModel + statusModel; their field errors are reported side by side."""
    request = body if isinstance(body, dict) else {}
    trade = request.get("tradeModel") or {}
    status = request.get("statusModel") or {}
    errors = wire.Errors()
    wire.collect(
        errors,
        "downstreamOperatorId",
        trade.get("downstreamOperatorId"),
        wire.required,
        wire.is_uuid,
    )
    wire.collect(
        errors, "upstreamOperatorId", trade.get("upstreamOperatorId"), wire.required, wire.is_uuid
    )
    wire.collect(
        errors, "downstreamTraceId", trade.get("downstreamTraceId"), wire.required, wire.is_uuid
    )
    wire.collect(errors, "tradeId", trade.get("tradeId"), wire.is_uuid)
    wire.collect(errors, "upstreamTraceId", trade.get("upstreamTraceId"), wire.nil)
    wire.collect(errors, "message", status.get("message"), wire.rune_length(0, 1000))
    wire.collect(
        errors, "requestType", status.get("requestType"), wire.required, wire.one_of("CFP")
    )
    wire.collect(errors, "responseDueDate", status.get("responseDueDate"), _required_date)
    wire.collect(errors, "statusId", status.get("statusId"), wire.is_uuid)
    if "tradeId" not in errors:
        wire.collect(errors, "tradeId", status.get("tradeId"), wire.is_uuid)
    if errors:
        raise wire.fail(errors)
    ids = (trade.get("tradeId"), status.get("statusId"), status.get("tradeId"))
    if any(ids) and not all(ids):
        raise wire.fail(
            "tradeModel.tradeId, statusModel.statusId, and statusModel.tradeId "
            "must all have values or all be null."
        )
    if all(ids) and trade.get("tradeId") != status.get("tradeId"):
        raise wire.fail("tradeModel.tradeId and statusModel.tradeId must be equal.")
    downstream = wire.as_uuid(trade["downstreamOperatorId"])
    upstream = wire.as_uuid(trade["upstreamOperatorId"])
    trace = wire.as_uuid(trade["downstreamTraceId"])
    assert downstream and upstream and trace  # noqa: S101
    return TradeRequestWrite(
        trade_id=wire.as_uuid(trade.get("tradeId")),
        status_id=wire.as_uuid(status.get("statusId")),
        downstream_operator_id=downstream,
        upstream_operator_id=upstream,
        downstream_trace_id=trace,
        message=status.get("message"),
        response_due_date=date.fromisoformat(status["responseDueDate"]),
    )


def _required_date(value: object) -> str | None:
    if value is None or value == "":
        return "must be a valid date"
    return wire.is_date(value)


def read_status_change(body: object) -> tuple[uuid.UUID, uuid.UUID, CfpResponseStatus, str | None]:
    """#16: statusId, tradeId, CANCEL or REJECT, and the reason for a REJECT."""
    status = body if isinstance(body, dict) else {}
    errors = wire.Errors()
    wire.collect(errors, "statusId", status.get("statusId"), wire.required, wire.is_uuid)
    wire.collect(errors, "tradeId", status.get("tradeId"), wire.required, wire.is_uuid)
    wire.collect(errors, "replyMessage", status.get("replyMessage"), wire.rune_length(0, 1000))
    wire.collect(errors, "message", status.get("message"), wire.rune_length(0, 1000))
    request_status = status.get("requestStatus")
    if request_status is None:
        errors["requestStatus"] = "cannot be blank"
    else:
        nested = wire.Errors()
        wire.collect(
            nested,
            "cfpResponseStatus",
            request_status.get("cfpResponseStatus"),
            wire.required,
            wire.one_of("CANCEL", "REJECT"),
        )
        if nested:
            errors["requestStatus"] = nested
    if errors:
        raise wire.fail(errors)
    status_id = wire.as_uuid(status["statusId"])
    trade_id = wire.as_uuid(status["tradeId"])
    assert status_id and trade_id and request_status is not None  # noqa: S101
    return (
        status_id,
        trade_id,
        CfpResponseStatus(request_status["cfpResponseStatus"]),
        status.get("replyMessage"),
    )


# --------------------------------------------------------------------------------- #15 CFP


def _cfp_element_errors(row: dict[str, Any]) -> wire.Errors:
    errors = wire.Errors()
    wire.collect(errors, "cfpId", row.get("cfpId"), wire.is_uuid)
    wire.collect(errors, "traceId", row.get("traceId"), wire.required, wire.is_uuid)
    wire.collect(errors, "ghgEmission", row.get("ghgEmission"), *wire.AMOUNT_RULES)
    wire.collect(
        errors,
        "ghgDeclaredUnit",
        row.get("ghgDeclaredUnit"),
        wire.required,
        wire.one_of(*DECLARED_UNITS),
    )
    wire.collect(errors, "cfpType", row.get("cfpType"), wire.required, wire.one_of(*BASE_CFP_TYPES))
    wire.collect(errors, "dqrType", row.get("dqrType"), wire.required, wire.one_of(*DQR_TYPES))
    dqr = row.get("dqrValue")
    if dqr is None:
        errors["dqrValue"] = "cannot be blank"
    else:
        nested = wire.Errors()
        for key in ("TeR", "GeR", "TiR"):
            wire.collect(nested, key, dqr.get(key), *wire.AMOUNT_RULES)
        if nested:
            errors["dqrValue"] = nested
    cfp_type, dqr_type = row.get("cfpType"), row.get("dqrType")
    if (
        "cfpType" not in errors
        and "dqrType" not in errors
        and str(cfp_type)[:3] != str(dqr_type)[:3]
    ):
        errors["cfpType"] = "ensure the combination of cfpType and dqrType is correct"
    return errors


def _dqr_of(row: dict[str, Any]) -> Dqr:
    dqr = row.get("dqrValue") or {}
    return Dqr(
        wire.as_decimal(dqr.get("TeR")),
        wire.as_decimal(dqr.get("GeR")),
        wire.as_decimal(dqr.get("TiR")),
    )


def read_cfp_set(body: object) -> CfpSetWrite:
    """#15: exactly the 4 base rows of one traceId, with the set rules of digest 6.2."""
    rows = body if isinstance(body, list) else []
    rows = [row if isinstance(row, dict) else {} for row in rows]
    messages: list[str] = []
    if len(rows) != 4:
        messages.append("cfp models must be 4 elements")
    element_errors = wire.Errors()
    for index, row in enumerate(rows):
        nested = _cfp_element_errors(row)
        if nested:
            element_errors[f"cfpModel[{index}]"] = nested
    if element_errors:
        messages.append(element_errors.render())
    present = {row.get("cfpType") for row in rows}
    messages.extend(
        f"cfpType {cfp_type} is insufficient"
        for cfp_type in BASE_CFP_TYPES
        if cfp_type not in present
    )
    if messages:
        raise wire.fail(_join(messages))
    for key, label in (
        ("cfpId", "cfpId"),
        ("traceId", "traceId"),
        ("ghgDeclaredUnit", "ghgDeclaredUnit"),
    ):
        if len({row.get(key) for row in rows}) != 1:
            raise wire.fail(f"ensure all objects have the same {label}")
    by_type = {row["cfpType"]: row for row in rows}
    for members in (
        ("preProduction", "preComponent"),
        ("mainProduction", "mainComponent"),
    ):
        dqrs = [_dqr_of(by_type[member]) for member in members]
        has_rating = any((value or 0) > 0 for dqr in dqrs for value in (dqr.ter, dqr.ger, dqr.tir))
        has_emission = any(
            (wire.as_decimal(by_type[m].get("ghgEmission")) or 0) > 0 for m in members
        )
        if has_rating and not has_emission:
            raise wire.fail(
                f"set ghgEmission to a value greater than 0 for cfpType of {members[0]} or "
                f"{members[1]}."
            )
    for dqr_type in DQR_TYPES:
        same = {_dqr_of(row) for row in rows if row.get("dqrType") == dqr_type}
        if len(same) > 1:
            raise wire.fail("different dqrValues are set for the same dqrType.")
    trace_id = wire.as_uuid(rows[0]["traceId"])
    assert trace_id is not None  # noqa: S101
    return CfpSetWrite(
        trace_id=trace_id,
        cfp_id=wire.as_uuid(rows[0].get("cfpId")),
        unit=rows[0]["ghgDeclaredUnit"],
        rows=[
            CfpRowWrite(
                CfpType(row["cfpType"]), wire.as_decimal(row.get("ghgEmission")), _dqr_of(row)
            )
            for row in rows
        ],
    )


def _join(messages: list[str]) -> str:
    if len(messages) == 1:
        return messages[0]
    return wire.join_errors(messages)
