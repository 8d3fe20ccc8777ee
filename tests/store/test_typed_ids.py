"""Typed ids on ORM columns (`Mapped[TraceId]`, `Mapped[PlantId]`) are plain UUID columns.

The NewTypes only tell the type checker what an id is; the column type, and so the schema on
both databases, must stay the one a `Mapped[uuid.UUID]` gets.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Column, Dialect, Uuid
from sqlalchemy.dialects import postgresql, sqlite

from battrace.identity.models import Plant
from battrace.ids import PlantId, TraceId
from battrace.migrations.schema import metadata
from battrace.store.base import ModelBase
from battrace.traceability.models import Part, PartEdge, Trade

DIALECTS = [sqlite.dialect(), postgresql.dialect()]


def _trace_and_plant_columns() -> list[Column[object]]:
    return [
        column
        for table in metadata.tables.values()
        for column in table.columns
        if column.name.endswith("trace_id") or (table.name, column.name) == ("plants", "id")
    ]


def test_the_typed_columns_are_found() -> None:
    names = {f"{c.table.name}.{c.name}" for c in _trace_and_plant_columns()}
    assert {"parts.trace_id", "part_edges.child_trace_id", "trades.upstream_trace_id"} <= names
    assert "plants.id" in names


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_typed_id_columns_compile_like_plain_uuid_columns(dialect: Dialect) -> None:
    plain = Uuid().compile(dialect=dialect)
    for column in _trace_and_plant_columns():
        assert isinstance(column.type, Uuid), f"{column.table.name}.{column.name}"
        assert column.type.compile(dialect=dialect) == plain


def test_the_annotation_map_gives_newtypes_the_uuid_type() -> None:
    mapped = ModelBase.registry.type_annotation_map
    assert isinstance(mapped[TraceId], Uuid)
    assert isinstance(mapped[PlantId], Uuid)


def test_values_keep_their_uuid_behaviour() -> None:
    raw = uuid.uuid4()
    part_id, plant_id = TraceId(raw), PlantId(raw)
    assert part_id == raw == plant_id
    assert type(part_id) is uuid.UUID  # a NewType is erased at run time
    for attribute in (Part.trace_id, PartEdge.parent_trace_id, Trade.downstream_trace_id):
        assert isinstance(attribute.type, Uuid)
    assert isinstance(Plant.id.type, Uuid)
