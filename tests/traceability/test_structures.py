"""The set-based structure save (`traceability.structures.save_structures`): a batch gives what
saving its structures one after another gives, refuses what that would refuse (writing
nothing), and costs a number of statements that does not grow with its size."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from battrace.audit.actions import AuditAction
from battrace.audit.models import AuditEvent
from battrace.cli.seeds import TUTORIAL_COMPANIES, seed_ouranos_tutorial
from battrace.errors import ValidationFailed
from battrace.identity.models import Plant
from battrace.ids import OperatorId
from battrace.store import Database
from battrace.traceability import parts
from battrace.traceability.models import AmountUnit, Part, PartEdge
from battrace.traceability.parts import ChildWrite, PartWrite

A = TUTORIAL_COMPANIES[0]
CALLER = OperatorId(A.operator_id)


@pytest.fixture
def plant(database: Database) -> uuid.UUID:
    plant_id = uuid.uuid4()
    with database.transaction() as session:
        seed_ouranos_tutorial(session)
        session.add(
            Plant(
                operator_id=A.operator_id,
                id=plant_id,
                name="p",
                address="x",
                open_plant_id="1234567890123000777",
                global_plant_id=None,
            )
        )
    return plant_id


def write(plant: uuid.UUID, name: str, *, terminated: bool = False) -> PartWrite:
    return PartWrite(None, CALLER, plant, name, None, terminated, AmountUnit.KILOGRAM)


def child(plant: uuid.UUID, name: str, amount: str = "1", **kw: bool) -> ChildWrite:
    return ChildWrite(write(plant, name, **kw), Decimal(amount))


def edges(database: Database) -> set[tuple[str, str, Decimal]]:
    with database.transaction(write=False) as session:
        names = {row[0]: row[1] for row in session.execute(select(Part.trace_id, Part.parts_name))}
        return {
            (names[e.parent_trace_id], names[e.child_trace_id], e.amount_required)
            for e in session.scalars(select(PartEdge))
        }


def test_a_batch_reuses_parts_across_structures_and_levels(
    database: Database, plant: uuid.UUID
) -> None:
    with database.transaction() as session:
        saved = parts.save_structures(
            session,
            caller=CALLER,
            structures=[
                (write(plant, "pack"), [child(plant, "cell", "96"), child(plant, "case")]),
                (write(plant, "cell"), [child(plant, "cathode", "0.02", terminated=True)]),
                (write(plant, "module"), [child(plant, "cell", "12")]),  # shared child
                (write(plant, "pack"), [child(plant, "cell", "100")]),  # last one wins
            ],
        )
    cell = {s.parent.parts_name: s for s in saved}["cell"].parent.trace_id
    assert saved[0].children[0].part.trace_id == cell == saved[2].children[0].part.trace_id
    assert saved[0].parent.trace_id == saved[3].parent.trace_id
    assert edges(database) == {
        ("pack", "cell", Decimal(100)),
        ("cell", "cathode", Decimal("0.02")),
        ("module", "cell", Decimal(12)),
    }
    with database.transaction(write=False) as session:
        flags = {row[0]: row[1] for row in session.execute(select(Part.parts_name, Part.is_parent))}
        events = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.STRUCTURE_SAVE.value)
        )
    assert flags == {
        "pack": True,
        "cell": True,
        "module": True,
        "case": False,
        "cathode": False,
    }
    assert events == 4  # one per structure saved


def test_a_cycle_made_within_the_batch_is_refused_and_nothing_is_written(
    database: Database, plant: uuid.UUID
) -> None:
    with database.transaction() as session:
        parts.save_structure(session, caller=CALLER, parent=write(plant, "x"), children=[])
    checked: list[int] = []
    with pytest.raises(ValidationFailed) as refused, database.transaction() as session:
        parts.save_structures(
            session,
            caller=CALLER,
            structures=[
                (write(plant, "a"), [child(plant, "b")]),
                (write(plant, "b"), [child(plant, "c")]),
                (write(plant, "c"), [child(plant, "d"), child(plant, "a")]),  # a > b > c > a
            ],
            checked=checked.append,
        )
    assert "cannot contain itself" in refused.value.message
    assert refused.value.message.startswith("childrenPartsModel[1]")
    assert checked == [1, 2]  # the third structure is the one refused
    with database.transaction(write=False) as session:
        assert session.scalars(select(Part.parts_name)).all() == ["x"]
    assert edges(database) == set()


def test_statements_do_not_grow_with_the_batch(database: Database, plant: uuid.UUID) -> None:
    def statements(products: int, tag: str) -> int:
        seen: list[str] = []

        def count(*_: object) -> None:
            seen.append("")

        with database.transaction() as session:
            # The session's own connection only (a background ANALYZE uses another one).
            connection = session.connection()
            event.listen(connection, "before_cursor_execute", count)
            parts.save_structures(
                session,
                caller=CALLER,
                structures=[
                    (
                        write(plant, f"{tag} product {p}"),
                        [child(plant, f"{tag} part {p}.{c}", terminated=True) for c in range(9)],
                    )
                    for p in range(products)
                ],
            )
            session.flush()
            event.remove(connection, "before_cursor_execute", count)
        return len(seen)

    small, large = statements(2, "s"), statements(100, "l")
    assert large == small, (small, large)  # 20 parts or 1,000: the same statements
    with database.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Part)) == 1_020
        assert session.scalar(select(func.count()).select_from(PartEdge)) == 918  # 2 x 9 + 100 x 9
