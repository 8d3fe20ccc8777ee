"""Register products and their structures from a CSV file, with a progress bar and a report
of every row's errors.

One row per part. A row without `parentPartsName` describes a product (or an intermediate
part); a row with it is a child of that parent, with `amountRequired` per unit of the parent.
A child may be the parent of other rows, so a file holds as many levels as needed. Every row
is checked first (plant known, numbers, the contract's part rules); a file with any error
writes nothing. Then every parent's structure is saved through the same service as
`PUT partsStructure`, set-based (`traceability.structures`: a few statements for the whole
file), in one transaction: the file is stored whole or not at all. A structure the service
refuses (say, one that would contain itself through parts stored since the check) writes
nothing and names its row. The transaction runs in a thread of its own so the browser can be
told after each structure has passed the service's checks.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from battrace import errors
from battrace.identity import plants
from battrace.ids import OperatorId, PlantId
from battrace.traceability import parts, rules
from battrace.traceability.models import AmountUnit
from battrace.traceability.parts import ChildWrite, PartWrite
from battrace.web import i18n
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, number

COLUMNS = (
    "parentPartsName",
    "parentSupportPartsName",
    "partsName",
    "supportPartsName",
    "openPlantId",
    "amountRequired",
    "amountRequiredUnit",
    "terminatedFlag",
)
MAX_ROWS = 5000
TRUE_WORDS = {"1", "true", "yes", "y", "はい", "○"}
FALSE_WORDS = {"", "0", "false", "no", "n", "いいえ"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Plan:
    """What a valid file writes: one entry per parent, children in file order."""

    groups: list[tuple[PartWrite, list[ChildWrite], list[int]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise errors.InvalidRequest("file: not UTF-8 or Shift_JIS text")


def _key(name: str, support: str) -> tuple[str, str]:
    return name, support


def read_plan(ctx: Ctx, content: bytes) -> Plan:
    """Check every row; return the structures to save, or the errors."""
    plan = Plan()
    caller = ctx.operator_id
    plant_ids = {
        p.open_plant_id: p.id
        for p in ctx.state.read(lambda s: plants.list_plants(s, caller=caller))
    }
    reader = csv.DictReader(io.StringIO(_decode(content)))
    try:  # at most one row past the limit is read; a cell past csv's field limit is refused
        header = reader.fieldnames or []
        records = list(itertools.islice(reader, MAX_ROWS + 1))
    except csv.Error:
        plan.errors.append(RowError(reader.line_num, "", ctx.t("import.unreadable")))
        return plan
    missing = [c for c in ("parentPartsName", "partsName", "openPlantId") if c not in header]
    if missing:
        plan.errors.append(RowError(1, ", ".join(missing), ctx.t("import.missing_columns")))
        return plan
    writes: dict[tuple[str, str], tuple[PartWrite, int]] = {}
    children: dict[tuple[str, str], list[tuple[ChildWrite, int]]] = {}
    child_keys: set[tuple[str, str]] = set()
    for line, raw in enumerate(records, start=2):
        if line - 1 > MAX_ROWS:
            plan.errors.append(RowError(line, "", ctx.t("import.too_many", max=MAX_ROWS)))
            break
        row = {name: (raw.get(name) or "").strip() for name in COLUMNS}
        if not any(row.values()):
            continue
        write, amount = _read_row(ctx, row, line, plant_ids, plan)
        if write is None:
            continue
        key = _key(row["partsName"], row["supportPartsName"])
        if row["parentPartsName"]:
            parent_key = _key(row["parentPartsName"], row["parentSupportPartsName"])
            children.setdefault(parent_key, []).append(
                (ChildWrite(write, amount or Decimal(0)), line)
            )
            child_keys.add(key)
        if key in writes and not row["parentPartsName"]:
            plan.errors.append(
                RowError(line, "partsName", ctx.t("import.duplicate", row=writes[key][1]))
            )
        if key not in writes or not row["parentPartsName"]:
            writes.setdefault(key, (write, line))
    for parent_key, items in children.items():
        parent = writes.get(parent_key)
        if parent is None:
            for _, line in items:
                plan.errors.append(
                    RowError(line, "parentPartsName", ctx.t("import.unknown_parent"))
                )
            continue
        plan.groups.append(
            (parent[0], [c for c, _ in items], [parent[1], *(line for _, line in items)])
        )
    for key, (write, line) in writes.items():
        if key not in children and key not in child_keys:
            plan.groups.append((write, [], [line]))  # a product without components
    return plan


def _read_row(
    ctx: Ctx, row: dict[str, str], line: int, plant_ids: dict[str, PlantId], plan: Plan
) -> tuple[PartWrite | None, Decimal | None]:
    form_errors = FormErrors()
    child = bool(row["parentPartsName"])
    amount = number(row["amountRequired"], "amountRequired", form_errors) if child else None
    flag = row["terminatedFlag"].lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        form_errors.add("terminatedFlag", ctx.t("import.bad_flag"))
    plant = plant_ids.get(row["openPlantId"])
    if plant is None:
        form_errors.add("openPlantId", ctx.t("import.unknown_plant"))
    unit = row["amountRequiredUnit"] or None
    for problem in rules.part_problems(
        parts_name=row["partsName"] or None,
        support_parts_name=row["supportPartsName"] or None,
        terminated_flag=flag in TRUE_WORDS,
        amount_required=amount,
        amount_required_unit=unit,
        texts={},
        child=child,
    ):
        form_errors.add(problem.path, problem.message)
    if form_errors or plant is None:
        plan.errors.extend(
            RowError(line, name, i18n.message(ctx.lang, message))
            for name, message in form_errors.fields.items()
        )
        return None, None
    write = PartWrite(
        trace_id=None,
        operator_id=ctx.operator_id,
        plant_id=plant,
        parts_name=row["partsName"],
        support_parts_name=row["supportPartsName"] or None,
        terminated_flag=flag in TRUE_WORDS,
        amount_required_unit=AmountUnit(unit) if unit else None,
    )
    return write, amount


class ImportFailed(Exception):
    """A structure the service refused, by the file's row; the whole import is rolled back."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.message = message


_CHILD = re.compile(r"^childrenPartsModel\[(\d+)\]")


def _row_of(message: str, lines: list[int]) -> int:
    """The file row a service message is about: the child it names, else the parent's row."""
    match = _CHILD.match(message)
    index = int(match.group(1)) + 1 if match else 0
    return lines[index] if index < len(lines) else lines[0]


def _save_all(
    session: Session, *, caller: OperatorId, plan: Plan, saved: Callable[[int], None]
) -> list[dict[str, str]]:
    """Every structure of the plan in the caller's transaction, in one set-based save;
    `saved(n)` once the n-th passed its checks. Raises ImportFailed for the first structure
    the service refuses (nothing is written then)."""
    passed = 0

    def checked(done: int) -> None:
        nonlocal passed
        passed = done
        saved(done)

    try:
        structures = parts.save_structures(
            session,
            caller=caller,
            structures=[(parent, children) for parent, children, _ in plan.groups],
            checked=checked,
        )
    except errors.BattraceError as exc:
        lines = plan.groups[passed][2] if passed < len(plan.groups) else [0]
        raise ImportFailed(_row_of(exc.message, lines), exc.message) from exc
    return [
        {"name": structure.parent.parts_name, "url": f"/parts/{structure.parent.trace_id}"}
        for structure in structures
    ]


def _store(ctx: Ctx, plan: Plan, progress: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Write the plan in one transaction; the last message: what was stored, or the row that
    failed and nothing stored."""
    caller, total = ctx.operator_id, len(plan.groups)

    def saved(done: int) -> None:
        progress(
            {
                "done": done,
                "total": total,
                "status": ctx.t("import.progress", done=done, total=total),
            }
        )

    try:
        created = ctx.state.write(lambda s: _save_all(s, caller=caller, plan=plan, saved=saved))
    except ImportFailed as failure:
        return {
            "done": 0,
            "total": total,
            "status": ctx.t("import.failed_at", row=failure.row),
            "created": [],
            "errors": [vars(RowError(failure.row, "", i18n.message(ctx.lang, failure.message)))],
        }
    return {
        "done": total,
        "total": total,
        "status": ctx.t("import.finished", count=len(created)),
        "created": created,
        "errors": [],
    }


def _run(ctx: Ctx, plan: Plan) -> Iterator[dict[str, Any]]:
    """Check, then store; yield progress along the way and the outcome last."""
    total = len(plan.groups)
    yield {"done": 0, "total": total, "status": ctx.t("import.checking")}
    if plan.errors:
        yield {
            "done": 0,
            "total": total,
            "status": ctx.t("import.failed_rows", count=len({e.row for e in plan.errors})),
            "errors": [vars(e) for e in plan.errors],
        }
        return
    # The transaction runs in a worker thread; its progress comes back through a queue (None
    # when it ends), then its outcome, or the exception that ended it.
    progress: queue.Queue[dict[str, Any] | None] = queue.Queue()
    outcome: list[dict[str, Any]] = []
    failure: list[Exception] = []

    def work() -> None:
        try:
            outcome.append(_store(ctx, plan, progress.put))
        except Exception as exc:  # raised again in the response's thread below
            failure.append(exc)
        finally:
            progress.put(None)

    threading.Thread(target=work, name="csv-import", daemon=True).start()
    while (message := progress.get()) is not None:
        yield message
    if failure:
        raise failure[0]
    yield outcome[0]


@page("/parts/import")
def import_form(ctx: Ctx) -> Response:
    return ctx.render("import.html", columns=COLUMNS, messages=[])


@page("/parts/import", methods=("POST",))
def import_file(ctx: Ctx) -> Response:
    upload = ctx.files.get("file")
    if upload is None:
        return ctx.render(
            "import.html", status=400, columns=COLUMNS, messages=[{"status": ctx.t("cert.missing")}]
        )
    try:
        plan = read_plan(ctx, upload.content)
    except errors.InvalidRequest as exc:
        plan = Plan(errors=[RowError(0, "", exc.message)])
    if "application/x-ndjson" in ctx.request.headers.get("accept", ""):
        lines = (json.dumps(message, ensure_ascii=False) + "\n" for message in _run(ctx, plan))
        return ctx.finish(StreamingResponse(lines, media_type="application/x-ndjson"))
    outcome = list(_run(ctx, plan))[-1]
    return ctx.render(
        "import.html",
        status=400 if outcome.get("errors") else 200,
        columns=COLUMNS,
        messages=[outcome],
    )
