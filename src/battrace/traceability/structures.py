"""Saving parts structures, set-based: one `PUT partsStructure` or a whole CSV file in a few
statements, whatever its size.

`save_structures` gives what saving the structures one after another would (the issuance
rule of `parts`, each parent's children replaced, last write wins) and refuses with the same
error, but reads and writes per batch, not per part:

* read once: the caller's plants named by the batch, the parts it names by trace id, the
  parts sharing a name with one of its parts (the identity look-up), the stored children of
  its parents and the structures above them (for the cycle check);
* resolved in memory, structure by structure in order: each write to a part (found by trace
  id or identity, else a new trace id), a child listed twice, a part in itself, a cycle
  through the stored structures and the ones saved before it in the batch;
* written once every structure passed, so a refusal writes nothing: new parts and changed
  ones in executemany batches, the parents' edges replaced, one audit event per structure
  in one batch; then the trade trees downstream refreshed once for all of them. The stored
  totals settle once, when the transaction commits (`totals_hook`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from battrace.audit import record_events
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, BattraceError, NotFound, Problem, invalid_field
from battrace.identity.models import Plant
from battrace.ids import OperatorId, PlantId, TraceId, new_id
from battrace.store.base import utcnow
from battrace.store.text_bounds import check_values
from battrace.traceability import rules, tree_progress
from battrace.traceability.models import AmountUnit, Part, PartEdge
from battrace.traceability.supply_walk import TraceKeys

NO_PRIVILEGES = "You do not have the necessary privileges"
_CHUNK = 2_000  # names per IN list (well under both databases' bound-parameter limits)


@dataclass(frozen=True)
class PartWrite:
    """A part as a client writes it (the fields of the contract's PartsModel)."""

    trace_id: TraceId | None
    operator_id: uuid.UUID
    plant_id: PlantId
    parts_name: str
    support_parts_name: str | None
    terminated_flag: bool
    amount_required_unit: AmountUnit | None
    parts_label_name: str | None = None
    parts_add_info1: str | None = None
    parts_add_info2: str | None = None
    parts_add_info3: str | None = None


@dataclass(frozen=True)
class ChildWrite:
    part: PartWrite
    amount_required: Decimal


@dataclass(frozen=True)
class Child:
    part: Part
    amount_required: Decimal


@dataclass(frozen=True)
class Structure:
    parent: Part
    children: list[Child]


StructureWrite = tuple[PartWrite, Sequence[ChildWrite]]

# The columns a write sets, in PartWrite's names.
_WRITTEN = (
    "plant_id",
    "parts_name",
    "support_parts_name",
    "terminated_flag",
    "amount_required_unit",
    "parts_label_name",
    "parts_add_info1",
    "parts_add_info2",
    "parts_add_info3",
)
Identity = tuple[uuid.UUID, str, str]


class _Record:
    """One part as the batch leaves it: its values, and whether they differ from the row."""

    __slots__ = ("is_parent", "stored", "trace_id", "values")

    def __init__(
        self, trace_id: TraceId, values: dict[str, Any], *, is_parent: bool, stored: bool
    ) -> None:
        self.trace_id = trace_id
        self.values = values
        self.is_parent = is_parent
        self.stored: tuple[Any, ...] | None = (*values.values(), is_parent) if stored else None

    @property
    def identity(self) -> Identity:
        values = self.values
        return values["plant_id"], values["parts_name"], values["support_parts_name"] or ""

    @property
    def changed(self) -> bool:
        return self.stored is not None and self.stored != (*self.values.values(), self.is_parent)

    def row(self, operator: uuid.UUID) -> dict[str, Any]:
        return {
            "operator_id": operator,
            "trace_id": self.trace_id,
            **self.values,
            "is_parent": self.is_parent,
        }


def _identity(write: PartWrite) -> Identity:
    return write.plant_id, write.parts_name, write.support_parts_name or ""


def _path(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name


class _Batch:
    """The parts a batch names, read once, and the structures resolved against them."""

    def __init__(
        self, session: Session, caller: OperatorId, writes: Sequence[StructureWrite]
    ) -> None:
        self.session = session
        self.caller = caller
        self.keys = TraceKeys(session)
        self.parts: dict[uuid.UUID, _Record] = {}
        self.by_identity: dict[Identity, _Record] = {}
        every = [
            item for parent, children in writes for item in (parent, *(c.part for c in children))
        ]
        self.plants = self._own_plants({w.plant_id for w in every if w.operator_id == caller})
        self._read_parts(
            {w.trace_id for w in every if w.trace_id is not None}, {w.parts_name for w in every}
        )

    def _own_plants(self, wanted: set[uuid.UUID]) -> set[uuid.UUID]:
        listed = list(wanted)
        found: set[uuid.UUID] = set()
        for start in range(0, len(listed), _CHUNK):
            found.update(
                self.session.scalars(
                    select(Plant.id).where(
                        Plant.operator_id == self.caller,
                        Plant.id.in_(listed[start : start + _CHUNK]),
                    )
                )
            )
        return found

    def _read_parts(self, trace_ids: set[TraceId], names: set[str]) -> None:
        columns = [getattr(Part, name) for name in _WRITTEN]
        base = select(Part.trace_id, Part.is_parent, *columns).where(
            Part.operator_id == self.caller
        )
        statements = []
        if trace_ids:
            keys = [self.keys.key(t) for t in trace_ids]
            statements.append(base.where(self.keys.among(Part.trace_id, keys)))
        listed = sorted(names)
        for start in range(0, len(listed), _CHUNK):
            statements.append(base.where(Part.parts_name.in_(listed[start : start + _CHUNK])))
        for statement in statements:
            for trace_id, is_parent, *values in self.session.execute(statement):
                if trace_id not in self.parts:
                    record = _Record(
                        trace_id,
                        dict(zip(_WRITTEN, values, strict=True)),
                        is_parent=is_parent,
                        stored=True,
                    )
                    self.parts[trace_id] = record
                    self.by_identity[record.identity] = record

    def resolve(self, write: PartWrite, field: str) -> _Record:
        """The part a write creates or updates (`field` names it in error messages)."""
        if write.plant_id not in self.plants:
            raise invalid_field(_path(field, "plantId"), "is not a plant of this operator")
        record: _Record | None = None
        if write.trace_id is not None:
            record = self.parts.get(write.trace_id)
            if record is None:
                raise NotFound(f"traceId: {write.trace_id} was not found.")
            if record.identity != _identity(write):
                record = None  # a new tuple is a new part: issue a new trace id
        if record is None:
            record = self.by_identity.get(_identity(write))
        values = {name: getattr(write, name) for name in _WRITTEN}
        check_values(Part, values)
        if record is None:
            record = _Record(TraceId(new_id()), values, is_parent=False, stored=False)
            self.parts[record.trace_id] = record
            self.by_identity[record.identity] = record
        else:
            record.values = values
        return record


@dataclass
class _Planned:
    parent: _Record
    children: list[tuple[_Record, Decimal]]


def _check_rules(write: PartWrite, amount: Decimal | None, field: str) -> None:
    """The part's field rules (`rules.part_problems`), a child's with its amount."""
    unit = write.amount_required_unit
    problems = rules.part_problems(
        parts_name=write.parts_name,
        support_parts_name=write.support_parts_name,
        terminated_flag=write.terminated_flag,
        amount_required=amount,
        amount_required_unit=unit.value if unit is not None else None,
        texts=dict(
            zip(
                rules.PART_TEXTS,
                (
                    write.parts_label_name,
                    write.parts_add_info1,
                    write.parts_add_info2,
                    write.parts_add_info3,
                ),
                strict=True,
            )
        ),
        child=field.startswith("children"),
    )
    rules.refuse([Problem(_path(field, p.path), p.message) for p in problems])


def _resolve_all(
    batch: _Batch, caller: OperatorId, writes: Sequence[StructureWrite]
) -> tuple[list[_Planned], BattraceError | None]:
    """Every structure resolved in order, up to the first refused one (and its error)."""
    planned: list[_Planned] = []
    try:
        for parent, children in writes:
            for item in (parent, *(child.part for child in children)):
                if item.operator_id != caller:
                    raise AccessDenied(NO_PRIVILEGES)
            _check_rules(parent, None, "parentPartsModel" if children else "")
            for index, child in enumerate(children):
                _check_rules(child.part, child.amount_required, f"childrenPartsModel[{index}]")
            parent_record = batch.resolve(parent, "parentPartsModel" if children else "")
            parent_record.is_parent = True
            saved: list[tuple[_Record, Decimal]] = []
            seen: set[uuid.UUID] = set()
            for index, child in enumerate(children):
                record = batch.resolve(child.part, f"childrenPartsModel[{index}]")
                if record.trace_id in seen:
                    raise invalid_field(
                        f"childrenPartsModel[{index}].traceId", f"{record.trace_id} is listed twice"
                    )
                if record.trace_id == parent_record.trace_id:
                    raise invalid_field(
                        f"childrenPartsModel[{index}].traceId", "a part cannot contain itself"
                    )
                seen.add(record.trace_id)
                saved.append((record, child.amount_required))
            planned.append(_Planned(parent_record, saved))
    except BattraceError as refused:
        return planned, refused
    return planned, None


class _Structures:
    """The structures around the batch's parents: their stored children, and every edge up
    from them (all an upward walk from a parent can meet, however the batch changes them)."""

    def __init__(self, session: Session, caller: OperatorId, parents: Collection[TraceId]) -> None:
        self.down: dict[TraceId, list[TraceId]] = {}
        self.up: dict[TraceId, set[TraceId]] = {parent: set() for parent in parents}
        self.stored_parents: set[TraceId] = set()
        keys = TraceKeys(session)
        stored = [keys.key(parent) for parent in parents]
        if not stored:
            return
        for parent, child in session.execute(
            select(PartEdge.parent_trace_id, PartEdge.child_trace_id).where(
                PartEdge.operator_id == caller, keys.among(PartEdge.parent_trace_id, stored)
            )
        ):
            self.down.setdefault(parent, []).append(child)
        self.stored_parents = set(self.down)
        frontier = set(parents)
        while frontier:
            found: set[TraceId] = set()
            for parent, child in session.execute(
                select(PartEdge.parent_trace_id, PartEdge.child_trace_id).where(
                    PartEdge.operator_id == caller,
                    keys.among(PartEdge.child_trace_id, [keys.key(f) for f in frontier]),
                )
            ):
                self.up.setdefault(child, set()).add(parent)
                found.add(parent)
            frontier = found - self.up.keys()
            for parent in frontier:
                self.up[parent] = set()

    def ancestors(self, part: TraceId) -> set[TraceId]:
        found: set[TraceId] = set()
        frontier = {part}
        while frontier:
            above: set[TraceId] = set()
            for node in frontier:
                above.update(self.up.get(node, ()))
            frontier = above - found
            found |= frontier
        return found

    def replace(self, parent: TraceId, children: Iterable[TraceId]) -> None:
        for old in self.down.get(parent, ()):
            self.up.get(old, set()).discard(parent)
        listed = self.down[parent] = list(children)
        for child in listed:
            self.up.setdefault(child, set()).add(parent)


def save_structures(
    session: Session,
    *,
    caller: OperatorId,
    structures: Sequence[StructureWrite],
    checked: Callable[[int], None] | None = None,
) -> list[Structure]:
    """Create or update parents and replace their children (#6; #5 is a structure with no
    children), as saving them one after another would; `checked(n)` after the n-th passed.

    Raises, for the first structure refused (nothing is written then): AccessDenied (a part
    of another operator), NotFound (unknown trace id), ValidationFailed (a part's field
    rules, plant not the caller's, a child listed twice, a cycle).
    """
    session.flush()  # what the session holds unflushed is part of what the batch reads
    batch = _Batch(session, caller, structures)
    planned, refused = _resolve_all(batch, caller, structures)
    parents = dict.fromkeys(p.parent.trace_id for p in planned)
    around = _Structures(session, caller, [p for p in parents if batch.parts[p].stored is not None])
    for number, structure in enumerate(planned, start=1):
        ancestors = around.ancestors(structure.parent.trace_id)
        for index, (child, _) in enumerate(structure.children):
            if child.trace_id in ancestors:
                raise invalid_field(
                    f"childrenPartsModel[{index}].traceId",
                    f"{child.trace_id} contains this parent; a parts structure cannot contain"
                    " itself",
                )
        around.replace(structure.parent.trace_id, (c.trace_id for c, _ in structure.children))
        if checked is not None:
            checked(number)
    if refused is not None:
        raise refused
    touched = {r.trace_id: r for p in planned for r in (p.parent, *(c for c, _ in p.children))}
    _write(session, caller, touched.values(), planned, around)
    # A part that became terminated, or a structure that changed, changes the progress of
    # every request resting on it. Only stored parts can have requests or parents outside
    # the batch: a new part rests on nothing but the batch's parents, and a new parent's
    # parents are the batch's too, up to stored ones (listed here) or none.
    tree_progress.refresh_downstream_of(
        session, [trace_id for trace_id, r in touched.items() if r.stored is not None]
    )
    # Plain objects of the values written, in no session.
    made = {trace_id: Part(**record.row(caller)) for trace_id, record in touched.items()}
    return [
        Structure(
            made[p.parent.trace_id], [Child(made[c.trace_id], amount) for c, amount in p.children]
        )
        for p in planned
    ]


def _write(
    session: Session,
    caller: OperatorId,
    records: Iterable[_Record],
    planned: list[_Planned],
    around: _Structures,
) -> None:
    now = utcnow()
    new, changed = [], []
    for record in records:
        if record.stored is None:
            new.append({**record.row(caller), "created_at": now, "updated_at": now})
        elif record.changed:
            changed.append(
                {f"b_{k}": v for k, v in record.row(caller).items() if k != "operator_id"}
            )
    parts, edges = cast(Table, Part.__table__), cast(Table, PartEdge.__table__)
    for start in range(0, len(new), _CHUNK):
        session.execute(insert(parts), new[start : start + _CHUNK])
    if changed:
        session.execute(
            update(parts)
            .where(parts.c.operator_id == caller, parts.c.trace_id == bindparam("b_trace_id"))
            .values(
                {
                    **{name: bindparam(f"b_{name}") for name in (*_WRITTEN, "is_parent")},
                    "updated_at": now,
                }
            ),
            changed,
        )
        _expire(session, {row["b_trace_id"] for row in changed})
    final = {p.parent.trace_id: p for p in planned}  # a parent saved twice: the last one
    keys = TraceKeys(session)
    replaced = [keys.key(parent) for parent in final if parent in around.stored_parents]
    for start in range(0, len(replaced), _CHUNK * 10):
        session.execute(
            delete(edges).where(
                edges.c.operator_id == caller,
                keys.among(PartEdge.parent_trace_id, replaced[start : start + _CHUNK * 10]),
            )
        )
    rows = [
        {
            "operator_id": caller,
            "parent_trace_id": parent,
            "child_trace_id": child.trace_id,
            "amount_required": amount,
        }
        for parent, structure in final.items()
        for child, amount in structure.children
    ]
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(edges), rows[start : start + _CHUNK])
    record_events(
        session,
        action=AuditAction.STRUCTURE_SAVE,
        actor=caller,
        target_type="part",
        changes=[
            (
                p.parent.trace_id,
                {
                    "parent": str(p.parent.trace_id),
                    "children": {str(c.trace_id): str(amount) for c, amount in p.children},
                },
            )
            for p in planned
        ],
    )


def _expire(session: Session, trace_ids: set[TraceId]) -> None:
    """Parts the session loaded before the batch changed their rows read them again."""
    for item in list(session.identity_map.values()):
        if isinstance(item, Part) and item.trace_id in trace_ids:
            session.expire(item)


def save_structure(
    session: Session, *, caller: OperatorId, parent: PartWrite, children: Sequence[ChildWrite]
) -> Structure:
    """One structure (`save_structures` of one)."""
    return save_structures(session, caller=caller, structures=[(parent, children)])[0]
