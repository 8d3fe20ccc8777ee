"""Completeness of a passport against the Commission's table of 71 data points.

For a document and its category (or another one, to preview a change), every data point gets
the guidance's status for that category and a state: `complete` (filled), `missing`
(mandatory, not filled), `conditional` (not filled, and required only if its condition holds:
the reason is the guidance's own words), `optional`, `pending` (not to be filled as of
February 2027: the implementing act is awaited; a value carried anyway stays "pending") or
`notToBeFilled`. A data point is filled when any attribute filling it holds a value; a few are
narrower than their attribute (the manufacturer's address, one metal's recycled content, one
label). The result is dated by the edition of the table it was measured against.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from battrace.passport.catalogue import Category, Level, filling
from battrace.passport.document import PassportDocument
from battrace.passport.guidance import Applicability, guidance


class State(enum.StrEnum):
    COMPLETE = "complete"
    MISSING = "missing"
    CONDITIONAL = "conditional"
    OPTIONAL = "optional"
    PENDING = "pending"
    NOT_TO_BE_FILLED = "notToBeFilled"


@dataclass(frozen=True, slots=True)
class Entry:
    number: int
    name: str
    status: Applicability  # what the guidance asks for this category
    state: State  # where this document stands
    filled: bool
    note: str | None  # the guidance's condition or remark
    paths: tuple[str, ...]  # the attributes that fill it


@dataclass(frozen=True, slots=True)
class Completeness:
    category: Category
    level: Level | None  # None: the whole passport; MODEL: what a model can hold
    guidance_version: str
    guidance_issued: str
    entries: tuple[Entry, ...]

    def _in(self, state: State) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.state is state)

    @property
    def missing(self) -> tuple[Entry, ...]:
        return self._in(State.MISSING)

    @property
    def conditional(self) -> tuple[Entry, ...]:
        return self._in(State.CONDITIONAL)

    @property
    def pending(self) -> tuple[Entry, ...]:
        return self._in(State.PENDING)

    @property
    def complete(self) -> bool:
        """No mandatory data point is missing."""
        return not self.missing

    def summary(self) -> dict[str, int]:
        """Counts per state (every state present, zero if none), plus the mandatory total."""
        counts = Counter(entry.state.value for entry in self.entries)
        out = {state.value: counts.get(state.value, 0) for state in State}
        out["mandatory"] = sum(1 for e in self.entries if e.status is Applicability.MANDATORY)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "level": self.level.value if self.level else "passport",
            "guidance": {"version": self.guidance_version, "issued": self.guidance_issued},
            "summary": self.summary(),
            "dataPoints": [
                {
                    "number": e.number,
                    "name": e.name,
                    "status": e.status.value,
                    "state": e.state.value,
                    "note": e.note,
                    "paths": list(e.paths),
                }
                for e in self.entries
            ],
        }


def _has_row(path: str, key: str, values: frozenset[str]) -> Callable[[PassportDocument], bool]:
    def filled(document: PassportDocument) -> bool:
        rows = document.get(path) or []
        return any(row.get(key) in values for row in rows)

    return filled


def _any_path(*paths: str) -> Callable[[PassportDocument], bool]:
    def filled(document: PassportDocument) -> bool:
        return any(document.has(path) for path in paths)

    return filled


def _recycled(material: str) -> Callable[[PassportDocument], bool]:
    def filled(document: PassportDocument) -> bool:
        rows = document.get("circularity.recycledContent") or []
        return any(
            row.get("material") == material
            and ("share" in row or {"preConsumerShare", "postConsumerShare"} <= set(row))
            for row in rows
        )

    return filled


# Data points narrower than the attribute that fills them.
NARROWER: Mapping[int, Callable[[PassportDocument], bool]] = {
    3: _any_path("general.manufacturer.name"),
    4: _any_path("general.manufacturer.address"),
    5: _any_path("general.manufacturer.email", "general.manufacturer.webAddress"),
    20: _recycled("cobalt"),
    21: _recycled("lithium"),
    22: _recycled("nickel"),
    23: _recycled("lead"),
    40: _has_row("labels.labels", "subject", frozenset({"separateCollection"})),
    41: _has_row("labels.labels", "subject", frozenset({"cadmium", "lead"})),
}

_UNFILLED_STATE = {
    Applicability.MANDATORY: State.MISSING,
    Applicability.CONDITIONAL: State.CONDITIONAL,
    Applicability.OPTIONAL: State.OPTIONAL,
    Applicability.PENDING: State.PENDING,
    Applicability.NOT_TO_BE_FILLED: State.NOT_TO_BE_FILLED,
}


def _state(status: Applicability, filled: bool) -> State:
    if status in (Applicability.PENDING, Applicability.NOT_TO_BE_FILLED):
        return _UNFILLED_STATE[status]
    return State.COMPLETE if filled else _UNFILLED_STATE[status]


def completeness(
    document: PassportDocument,
    *,
    category: Category | None = None,
    level: Level | None = None,
) -> Completeness:
    """Where `document` stands against the guidance for `category` (default: its own).

    With `level=Level.MODEL` only data points a battery model can fill are listed (those with
    at least one model-level attribute): the completeness of a model's shared data."""
    category = category or document.category
    table = guidance()
    column = category.guidance_column
    entries = []
    for point in table.data_points:
        attributes = filling(point.number)
        if level is not None and not any(item.level is level for item in attributes):
            continue
        check = NARROWER.get(point.number)
        paths = tuple(item.path for item in attributes)
        filled = check(document) if check else any(document.has(path) for path in paths)
        rule = point.rule(column)
        entries.append(
            Entry(
                number=point.number,
                name=point.name,
                status=rule.status,
                state=_state(rule.status, filled),
                filled=filled,
                note=rule.note,
                paths=paths,
            )
        )
    return Completeness(category, level, table.version, table.issued, tuple(entries))


def dashboard(results: Iterable[Completeness]) -> dict[str, Any]:
    """Totals over many passports: how many are complete, counts per state, and the mandatory
    data points most often missing (number → passports missing it)."""
    passports = 0
    complete = 0
    states: Counter[str] = Counter()
    missing: Counter[int] = Counter()
    by_category: Counter[str] = Counter()
    for result in results:
        passports += 1
        complete += result.complete
        by_category[result.category.value] += 1
        states.update(entry.state.value for entry in result.entries)
        missing.update(entry.number for entry in result.missing)
    return {
        "passports": passports,
        "complete": complete,
        "incomplete": passports - complete,
        "byCategory": dict(sorted(by_category.items())),
        "states": {state.value: states.get(state.value, 0) for state in State},
        "mostMissing": [
            {"number": number, "name": guidance().data_point(number).name, "passports": count}
            for number, count in sorted(missing.items(), key=lambda item: (-item[1], item[0]))
        ],
    }
