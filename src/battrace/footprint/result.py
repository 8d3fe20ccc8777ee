"""What a roll-up returns: a product's footprint per stage and origin, every contribution and
every part whose value is unknown.

Both engines (`footprint.rollup`, exact Decimal; `footprint.columnar`, float64 over arrays)
return these types. The float engine computes every figure of a stage up front but builds its
`Contribution` and `UnknownPart` objects only when they are read (`Rows`): a million-part
roll-up answers its totals without a million objects, and a report that lists them pays for
them then.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar, overload

from battrace.footprint.plan import ZERO, Provenance, UnknownReason, share
from battrace.traceability.stages import Dqr, Stage

T = TypeVar("T")


class Origin(enum.StrEnum):
    OWN = "own"  # the root's own *Production value
    COMPONENTS = "components"  # everything else


@dataclass(frozen=True)
class Contribution:
    trace_id: uuid.UUID
    parts_name: str
    supplier_operator_id: uuid.UUID | None  # who the value comes from (the viewer for its own)
    origin: Origin
    provenance: Provenance
    quantity: Decimal  # of the part per unit of the root, summed over all paths
    value: Decimal  # kgCO2e per unit of the part
    emission: Decimal  # quantity x value, kgCO2e per unit of the root


@dataclass(frozen=True)
class UnknownPart:
    trace_id: uuid.UUID
    parts_name: str
    supplier_operator_id: uuid.UUID | None
    reason: UnknownReason
    quantity: Decimal
    unit: str | None
    quantity_share: Decimal | None  # of the root's input parts in the same unit; None if n/a


class Rows(Sequence[T], Generic[T]):
    """A read-only sequence of `count` items built by `build` on first access, then kept.

    Compares equal to any sequence with the same items, so `rows == ()` reads as for a tuple.
    """

    __slots__ = ("_build", "_count", "_items")

    def __init__(self, count: int, build: Callable[[], tuple[T, ...]]) -> None:
        self._count = count
        self._build: Callable[[], tuple[T, ...]] | None = build
        self._items: tuple[T, ...] | None = None

    def _all(self) -> tuple[T, ...]:
        if self._items is None:
            assert self._build is not None  # noqa: S101 (set until built)
            self._items = self._build()
            self._build = None
            if len(self._items) != self._count:
                raise AssertionError("rows built differ from the count announced")
        return self._items

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._all()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == self._count and tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable cache inside, like a list

    def __repr__(self) -> str:
        return f"Rows({self._count})" if self._items is None else repr(self._items)


@dataclass(frozen=True)
class StageFootprint:
    stage: Stage
    total: Decimal | None  # None while any term is unknown
    own: Decimal | None
    components: Decimal | None
    known: Decimal  # the sum of every known contribution
    primary: Decimal
    secondary: Decimal
    assumed: Decimal
    dqr: Dqr
    contributions: Sequence[Contribution]
    unknown: Sequence[UnknownPart]

    @property
    def primary_share(self) -> Decimal | None:
        return share(self.primary, self.known)


@dataclass(frozen=True)
class Footprint:
    viewer: uuid.UUID
    root: uuid.UUID
    parts_name: str
    unit: str | None  # kgCO2e per unit of the root
    stages: Mapping[Stage, StageFootprint]
    exact: bool  # Decimal engine (True) or float engine rounded to 5 decimals (False)

    @property
    def total(self) -> Decimal | None:
        values = [stage.total for stage in self.stages.values()]
        return None if any(v is None for v in values) else sum((v or ZERO for v in values), ZERO)

    @property
    def known(self) -> Decimal:
        return sum((stage.known for stage in self.stages.values()), ZERO)

    @property
    def primary_share(self) -> Decimal | None:
        known = self.known
        primary = sum((stage.primary for stage in self.stages.values()), ZERO)
        return share(primary, known)

    @property
    def unknown_parts(self) -> tuple[uuid.UUID, ...]:
        seen = dict.fromkeys(u.trace_id for stage in self.stages.values() for u in stage.unknown)
        return tuple(seen)
