"""Body rules of the data distribution endpoints (#5 #6 #7 #15 #16), message for message.

Each reader takes a bound body (see `wire.bind`) and returns plain domain inputs, or raises
`ValidationFailed` with the reference's message. The wire's own checks (ids are UUIDs, the
request's sections, the trade's id consistency) are here; the part and CFP rules are the
domain's (`traceability.rules`), and this module only lists their problems in the reference's
order and joins them into its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from battrace.errors import Problem
from battrace.ids import PlantId, StatusId, TraceId, TradeId
from battrace.inputs import wire
from battrace.traceability import rules
from battrace.traceability.cfp import CfpRowWrite, CfpSetWrite
from battrace.traceability.models import AmountUnit, CfpResponseStatus, CfpType
from battrace.traceability.parts import ChildWrite, PartWrite
from battrace.traceability.stages import Dqr
from battrace.traceability.trades import TradeRequestWrite

BASE_CFP_TYPES = rules.BASE_CFP_TYPES
DECLARED_UNITS = rules.DECLARED_UNITS

MAX_CHILDREN = 50  # children of one structure (#6)

# Go type names of the reference's request structs: they appear in bind error messages.
PARTS = wire.struct(
    "traceability.PutPartsInput",
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
    "traceability.PutPartsStructureInput",
    parentPartsModel=PARTS,
    childrenPartsModel=wire.GoType("traceability.PutPartsInputs", "array", item=PARTS),
)
REQUEST_STATUS = wire.struct(
    "traceability.PutRequestStatusInput",
    cfpResponseStatus=wire.STRING,
    tradeTreeStatus=wire.STRING,
    completedCount=wire.INT,
    completedCountModifiedAt=wire.STRING,
    tradesCount=wire.INT,
    tradesCountModifiedAt=wire.STRING,
)
STATUS = wire.struct(
    "traceability.PutStatusInput",
    statusId=wire.STRING,
    tradeId=wire.STRING,
    requestStatus=REQUEST_STATUS,
    message=wire.STRING,
    replyMessage=wire.STRING,
    requestType=wire.STRING,
    responseDueDate=wire.STRING,
)
TRADE = wire.struct(
    "traceability.PutTradeInput",
    tradeId=wire.STRING,
    downstreamOperatorId=wire.STRING,
    upstreamOperatorId=wire.STRING,
    downstreamTraceId=wire.STRING,
    upstreamTraceId=wire.STRING,
)
TRADE_REQUEST = wire.struct(
    "traceability.PutTradeRequestInput", tradeModel=TRADE, statusModel=STATUS
)
DQR_VALUE = wire.struct(
    "traceability.PutDqrValueInput", TeR=wire.FLOAT, GeR=wire.FLOAT, TiR=wire.FLOAT
)
CFP = wire.struct(
    "traceability.PutCfpInput",
    cfpId=wire.STRING,
    traceId=wire.STRING,
    ghgEmission=wire.FLOAT,
    ghgDeclaredUnit=wire.STRING,
    cfpType=wire.STRING,
    dqrType=wire.STRING,
    dqrValue=DQR_VALUE,
)
CFP_LIST = wire.GoType("traceability.PutCfpInputs", "array", item=CFP)


@dataclass
class _Found:
    """The errors of a body with several groups: the messages as the reference joins them,
    and the same problems with their field paths (`ValidationFailed.problems`)."""

    messages: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.messages.append(f"{path}: {message}")
        self.problems.append(Problem(path, message))

    def nested(self, path: str, errors: wire.Errors) -> None:
        if errors:
            self.messages.append(f"{path}: ({errors.render()})")
            self.problems.extend(errors.problems(f"{path}."))

    def whole(self, message: str) -> None:
        self.messages.append(message)
        self.problems.append(Problem("", message))

    def raise_if_any(self) -> None:
        if self.messages:
            raise wire.fail(wire.join_errors(self.messages), self.problems)


def parts_errors(body: dict[str, Any], *, child: bool) -> wire.Errors:
    """One part's field errors (a child needs amountRequired and its unit)."""
    errors = wire.Errors()
    wire.collect(errors, "traceId", body.get("traceId"), wire.nil_or_uuid)
    wire.collect(errors, "operatorId", body.get("operatorId"), wire.uuid_required)
    wire.collect(errors, "plantId", body.get("plantId"), wire.uuid_required)
    terminated = body.get("terminatedFlag")
    for problem in rules.part_problems(
        parts_name=wire.as_str(body.get("partsName")),
        support_parts_name=wire.as_str(body.get("supportPartsName")),
        terminated_flag=terminated if isinstance(terminated, bool) else None,
        amount_required=wire.as_decimal(body.get("amountRequired")),
        amount_required_unit=wire.as_str(body.get("amountRequiredUnit")),
        texts={name: wire.as_str(body.get(name)) for name in rules.PART_TEXTS},
        child=child,
    ):
        errors[problem.path] = problem.message
    return errors


def _part_write(body: dict[str, Any]) -> PartWrite:
    operator_id = wire.as_uuid(body.get("operatorId"))
    plant_id = wire.as_uuid(body.get("plantId"))
    trace_id = wire.as_uuid(body.get("traceId"))
    assert operator_id is not None and plant_id is not None  # noqa: S101 (validated)
    unit = body.get("amountRequiredUnit") or None
    return PartWrite(
        trace_id=None if trace_id is None else TraceId(trace_id),
        operator_id=operator_id,
        plant_id=PlantId(plant_id),
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
    errors = parts_errors(part, child=False)
    if errors:
        raise wire.fail(errors)
    return _part_write(part)


def read_structure(body: object) -> tuple[PartWrite, list[ChildWrite]]:
    """#6: a parent and its children; errors listed parent first, then children in order."""
    structure = body if isinstance(body, dict) else {}
    found = _Found()
    _structure_errors(found, structure, "")
    found.raise_if_any()
    return _structure_write(structure)


def _structure_errors(found: _Found, structure: dict[str, Any], prefix: str) -> None:
    parent = structure.get("parentPartsModel")
    children = structure.get("childrenPartsModel")
    if parent is None:
        found.add(f"{prefix}parentPartsModel", "cannot be blank")
    else:
        found.nested(f"{prefix}parentPartsModel", parts_errors(parent, child=False))
    if children is None:
        found.add(f"{prefix}childrenPartsModel", "cannot be blank")
    elif len(children) > MAX_CHILDREN:
        found.add(f"{prefix}childrenPartsModel", f"the length must be no more than {MAX_CHILDREN}")
    else:
        for index, child in enumerate(children):
            found.nested(
                f"{prefix}childrenPartsModel[{index}]", parts_errors(child or {}, child=True)
            )


def _structure_write(structure: dict[str, Any]) -> tuple[PartWrite, list[ChildWrite]]:
    parent, children = structure["parentPartsModel"], structure["childrenPartsModel"]
    return _part_write(parent), [
        ChildWrite(_part_write(child), wire.as_decimal(child["amountRequired"]) or Decimal(0))
        for child in children
    ]


def read_structures(items: list[object]) -> list[tuple[PartWrite, list[ChildWrite]]]:
    """Several #6 bodies (battrace's bulk save): each bound and checked as `read_structure`
    does, every error's field path led by the structure's index (``[2].childrenPartsModel[0]``).
    The first bind error stops the reading, as Go's decoder does; the field errors of every
    structure are listed together."""
    bound: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            value = wire.bind(item, PARTS_STRUCTURE)
        except wire.BindError as exc:
            joint = "" if exc.message.startswith(":") else "."
            raise wire.BindError(f"[{index}]{joint}{exc.message}") from exc
        bound.append(value if isinstance(value, dict) else {})
    found = _Found()
    for index, structure in enumerate(bound):
        _structure_errors(found, structure, f"[{index}].")
    found.raise_if_any()
    return [_structure_write(structure) for structure in bound]


def read_trade_request(body: object) -> TradeRequestWrite:
    """#7: tradeModel + statusModel. Field errors carry no section prefix; the trade group
    comes first, then the status group, then the id-consistency rules."""
    request = body if isinstance(body, dict) else {}
    trade = request.get("tradeModel") or {}
    status = request.get("statusModel") or {}
    trade_errors = wire.Errors()
    for name in ("downstreamOperatorId", "downstreamTraceId", "upstreamOperatorId"):
        wire.collect(trade_errors, name, trade.get(name), wire.uuid_required)
    wire.collect(trade_errors, "tradeId", trade.get("tradeId"), wire.nil_or_uuid)
    status_errors = wire.Errors()
    wire.collect(status_errors, "message", status.get("message"), wire.rune_length(0, 1000))
    wire.collect(
        status_errors, "requestType", status.get("requestType"), wire.required, wire.one_of("CFP")
    )
    wire.collect(
        status_errors,
        "responseDueDate",
        status.get("responseDueDate"),
        wire.required,
        wire.is_date,
    )
    wire.collect(status_errors, "statusId", status.get("statusId"), wire.nil_or_uuid)
    wire.collect(status_errors, "tradeId", status.get("tradeId"), wire.nil_or_uuid)
    found = _Found()
    groups = [group for group in (trade_errors, status_errors) if group]
    if groups:
        found.messages.append(wire.join_errors([group.render() for group in groups]))
        found.problems.extend(p for group in groups for p in group.problems())
    ids = (trade.get("tradeId"), status.get("statusId"), status.get("tradeId"))
    if any(value is not None for value in ids) and not all(value is not None for value in ids):
        found.whole(
            "tradeModel.tradeId, statusModel.statusId, and statusModel.tradeId "
            "must all have values or all be null"
        )
    if ids[0] is not None and ids[2] is not None and ids[0] != ids[2]:
        found.whole("tradeModel.tradeId and statusModel.tradeId must be equal")
    found.raise_if_any()
    downstream = wire.as_uuid(trade["downstreamOperatorId"])
    upstream = wire.as_uuid(trade["upstreamOperatorId"])
    trace = wire.as_uuid(trade["downstreamTraceId"])
    assert downstream and upstream and trace  # noqa: S101
    return TradeRequestWrite(
        trade_id=wire.as_uuid(trade.get("tradeId")),
        status_id=wire.as_uuid(status.get("statusId")),
        downstream_operator_id=downstream,
        upstream_operator_id=upstream,
        downstream_trace_id=TraceId(trace),
        message=status.get("message"),
        response_due_date=date.fromisoformat(status["responseDueDate"]),
    )


def read_status_change(
    body: object,
) -> tuple[StatusId, TradeId, CfpResponseStatus, str | None]:
    """#16: statusId, tradeId, CANCEL or REJECT, and the reason for a REJECT."""
    status = body if isinstance(body, dict) else {}
    errors = wire.Errors()
    wire.collect(errors, "replyMessage", status.get("replyMessage"), wire.rune_length(0, 1000))
    wire.collect(errors, "statusId", status.get("statusId"), wire.required, wire.nil_or_uuid)
    wire.collect(errors, "tradeId", status.get("tradeId"), wire.required, wire.nil_or_uuid)
    found = _Found()
    if errors:
        found.messages.append(errors.render())
        found.problems.extend(errors.problems())
    request_status = status.get("requestStatus") or {}
    new_status = request_status.get("cfpResponseStatus")
    if new_status not in ("CANCEL", "REJECT"):
        # The reference crashes on a missing value; battrace answers like for a wrong one.
        shown = new_status if isinstance(new_status, str) else ""
        nested = wire.Errors(cfpResponseStatus=f"cannot be allowed '{shown}'")
        found.messages.append(f"requestStatus: (cfpResponseStatus: cannot be allowed '{shown}')")
        found.problems.extend(nested.problems("requestStatus."))
    found.raise_if_any()
    status_id = wire.as_uuid(status["statusId"])
    trade_id = wire.as_uuid(status["tradeId"])
    assert status_id and trade_id  # noqa: S101
    return (
        StatusId(status_id),
        TradeId(trade_id),
        CfpResponseStatus(str(new_status)),
        status.get("replyMessage"),
    )


# --------------------------------------------------------------------------------- #15 CFP


def _row_input(row: dict[str, Any]) -> rules.CfpRowInput:
    return rules.CfpRowInput(
        cfp_id=wire.as_str(row.get("cfpId")),
        trace_id=wire.as_str(row.get("traceId")),
        unit=wire.as_str(row.get("ghgDeclaredUnit")),
        cfp_type=wire.as_str(row.get("cfpType")),
        dqr_type=wire.as_str(row.get("dqrType")),
        ghg_emission=wire.as_decimal(row.get("ghgEmission")),
        dqr=_dqr_of(row),
    )


def _cfp_element_error(row: dict[str, Any], path: str) -> tuple[str, list[Problem]] | None:
    """One row's error text (inside `cfpModel[i]: (…)`) and its problems, or None: the ids'
    form, then the domain's row rules, as the reference lists them (fields sorted by name,
    then the cfpType/dqrType pairing, then the ratings as `dqrValue: (…)`)."""
    fields = wire.Errors()
    wire.collect(fields, "cfpId", row.get("cfpId"), wire.nil_or_uuid)
    wire.collect(fields, "traceId", row.get("traceId"), wire.uuid_required)
    whole: list[str] = []
    ratings = wire.Errors()
    for problem in rules.cfp_row_problems(_row_input(row)):
        if not problem.path:
            whole.append(problem.message)
        elif problem.path.startswith("dqrValue."):
            ratings[problem.path.removeprefix("dqrValue.")] = problem.message
        else:
            fields[problem.path] = problem.message
    problems = fields.problems(f"{path}.") + [Problem("", message) for message in whole]
    problems.extend(ratings.problems(f"{path}.dqrValue."))
    extra = whole + ([f"dqrValue: ({ratings.render()})"] if ratings else [])
    if not extra:
        return (fields.render(), problems) if fields else None
    return wire.join_errors(([fields.render()] if fields else []) + extra), problems


def _dqr_of(row: dict[str, Any]) -> Dqr:
    dqr = row.get("dqrValue") or {}
    return Dqr(
        wire.as_decimal(dqr.get("TeR")),
        wire.as_decimal(dqr.get("GeR")),
        wire.as_decimal(dqr.get("TiR")),
    )


# The set rules whose contract examples carry no final period.
_UNPUNCTUATED = ("cfp models must be 4 elements", "is insufficient", "ensure all objects")


def read_cfp_set(body: object) -> CfpSetWrite:
    """#15: exactly the 4 base rows of one traceId, with the set rules of digest 6.2
    (`rules.cfp_set_problems`).

    Errors are listed as the reference lists them: rows, then the set rules in their order.
    """
    rows = [row if isinstance(row, dict) else {} for row in body] if isinstance(body, list) else []
    found = _Found()
    for index, row in enumerate(rows):
        error = _cfp_element_error(row, f"cfpModel[{index}]")
        if error is not None:
            found.messages.append(f"cfpModel[{index}]: ({error[0]})")
            found.problems.extend(error[1])
    for problem in rules.cfp_set_problems([_row_input(row) for row in rows]):
        found.whole(problem.message)
    if found.messages:
        text = wire.join_errors(found.messages)
        if any(marker in found.messages[-1] for marker in _UNPUNCTUATED):
            text = text.removesuffix(".")
        raise wire.fail(text, found.problems)
    trace_id = wire.as_uuid(rows[0]["traceId"])
    assert trace_id is not None  # noqa: S101
    return CfpSetWrite(
        trace_id=TraceId(trace_id),
        cfp_id=wire.as_uuid(rows[0].get("cfpId")),
        unit=rows[0]["ghgDeclaredUnit"],
        rows=[
            CfpRowWrite(
                CfpType(row["cfpType"]), wire.as_decimal(row.get("ghgEmission")), _dqr_of(row)
            )
            for row in rows
        ],
    )
