"""What the Battery Pass and Catena-X mappers share: reading a battrace document for a target
format (noting each value the format requires and the document lacks), reading a foreign
document field by field (noting each missing or mistyped field by its path there), and
checking the battrace document an import produced, reporting its problems at their source.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from battrace.passport.catalogue import find
from battrace.passport.document import JsonValue, PassportDocument, split_path
from battrace.passport.problems import Problem
from battrace.passport.schema import json_path
from battrace.passport.validation import problems as document_problems

JSON = dict[str, Any]


class Needs:
    """Reads a document for one target, collecting what the target requires and is missing."""

    def __init__(self, document: PassportDocument, target: str) -> None:
        self.document = document
        self.target = target
        self.problems: list[Problem] = []

    def get(self, path: str) -> JsonValue:
        return self.document.get(path)

    def need(self, path: str, field: str) -> JsonValue:
        """The value at `path`; a problem naming `field` of the target if there is none."""
        value = self.document.get(path)
        if value is None or value in ("", [], {}):
            self.require(path, field)
        return value

    def require(self, path: str, field: str, why: str = "") -> None:
        self.problems.append(Problem(path, f"{self.target} requires it ({field}){why}"))

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, f"{self.target}: {message}"))

    def ev_only(self, path: str, field: str) -> JsonValue:
        """A value the target requires of every battery but the Commission's guidance fills
        for EV batteries only ("not to be filled" for the others): an EV's value, else a
        problem saying why the target cannot be produced without inventing it."""
        category = self.get("general.category")
        if category == "ev":
            return self.need(path, field)
        item = find(path)
        points = ", ".join(str(n) for n in item.data_points) if item else "?"
        self.require(
            path,
            field,
            why=(
                f" of every battery, but the Commission's guidance (data point {points}) says "
                f"not to fill it for {category} batteries, and no value can be made up; "
                "this part of the format is left out and battrace's own document carries "
                "the passport whole"
            ),
        )
        return None


class Source:
    """Reads a foreign document, collecting every missing or mistyped field by its path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.origins: dict[str, str] = {}  # battrace attribute path → source path

    def _at(self, where: str, key: str | int) -> str:
        return f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}"

    def obj(self, value: object, where: str, key: str, *, required: bool = True) -> JSON | None:
        return self._typed(value, where, key, dict, "an object", required)  # type: ignore[return-value]

    def arr(self, value: object, where: str, key: str, *, required: bool = True) -> list[Any]:
        found = self._typed(value, where, key, list, "a list", required)
        return found if isinstance(found, list) else []

    def text(self, value: object, where: str, key: str, *, required: bool = True) -> str | None:
        found = self._typed(value, where, key, str, "text", required)
        if isinstance(found, str) and not found.strip():
            if required:
                self.problems.append(Problem(self._at(where, key), "must not be empty"))
            return None
        return found if isinstance(found, str) else None

    def number(self, value: object, where: str, key: str, *, required: bool = True) -> float | None:
        found = self._typed(value, where, key, (int, float), "a number", required)
        if isinstance(found, bool):
            self.problems.append(Problem(self._at(where, key), "must be a number"))
            return None
        return found if isinstance(found, int | float) else None

    def flag(self, value: object, where: str, key: str, *, required: bool = True) -> bool | None:
        found = self._typed(value, where, key, bool, "true or false", required)
        return found if isinstance(found, bool) else None

    def _typed(
        self,
        container: object,
        where: str,
        key: str,
        kind: type | tuple[type, ...],
        noun: str,
        required: bool,
    ) -> object:
        value = container.get(key) if isinstance(container, Mapping) else None
        path = self._at(where, key)
        if value is None:
            if required:
                self.problems.append(Problem(path, "is required"))
            return None
        if not isinstance(value, kind):
            self.problems.append(Problem(path, f"must be {noun}"))
            return None
        return value

    def origin(self, attribute_path: str, source_path: str) -> None:
        self.origins[attribute_path] = source_path


def checked_import(values: Mapping[str, object], source: Source, subject: str) -> PassportDocument:
    """The battrace document made of `values`, validated; the source's reading problems and
    the document's own, each reported at its path in the source, raise `ValidationFailed`."""
    from battrace.passport.problems import refuse  # noqa: PLC0415 - one use

    found = list(source.problems)
    document: PassportDocument | None = None
    try:
        document = PassportDocument.new(
            passport_identifier=str(values.get("general.passportIdentifier") or "?"),
            battery_identifier=str(values.get("general.batteryIdentifier") or "?"),
            category=str(values.get("general.category") or "ev"),
        ).with_values({path: value for path, value in values.items() if value is not None})
    except ValueError as error:  # a category or status outside battrace's lists
        found.append(Problem(subject, str(error)))
    if document is not None and not found:
        found.extend(_at_source(problem, source.origins) for problem in document_problems(document))
    if found:
        refuse(subject, found)
    assert document is not None  # noqa: S101 - no problem means the document was built
    return document


def _at_source(problem: Problem, origins: Mapping[str, str]) -> Problem:
    parts = split_path(problem.path)
    attribute_path = json_path(parts[:2])
    origin = origins.get(attribute_path)
    if origin is None or find(attribute_path) is None:
        return problem
    return Problem(origin, f"{problem.message} (battrace field {problem.path})")


# --- conversions shared by both formats

_UUID_URN = re.compile(r"^urn:uuid:([0-9a-fA-F-]{32,36})$")


def as_uuid(identifier: str) -> uuid.UUID | None:
    """The UUID in `urn:uuid:…` or a bare UUID, else None."""
    match = _UUID_URN.match(identifier)
    try:
        return uuid.UUID(match.group(1) if match else identifier)
    except ValueError:
        return None


def month_start(year_month: str) -> str:
    """`2026-02` → `2026-02-01` (the formats want a day; battrace keeps the month)."""
    return f"{year_month}-01"


def midnight(day: str) -> str:
    """`2026-04-15` → `2026-04-15T00:00:00Z`."""
    return (
        datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)
        .isoformat()
        .replace("+00:00", "Z")
    )


def year_month_of(moment: str) -> str | None:
    """The `YYYY-MM` of a date or date-time text, None if it is neither."""
    match = re.match(r"^(\d{4})-(\d{2})(?:-\d{2})?", moment)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def day_of(moment: str) -> str | None:
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", moment)
    return match.group(1) if match else None


def first_upper(name: str) -> str:
    return name[:1].upper() + name[1:]


def first_lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def city_street(address: Mapping[str, Any]) -> str:
    """One street line for formats with no city field: `street, city`."""
    city = address.get("city")
    return f"{address['street']}, {city}" if city else str(address["street"])


def split_street(line: str) -> tuple[str, str | None]:
    """Back from `street, city` (the last comma separates the city)."""
    street, comma, city = line.rpartition(", ")
    return (street, city) if comma and street and city else (line, None)
