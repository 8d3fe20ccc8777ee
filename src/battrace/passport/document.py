"""battrace's passport document: one battery's Annex XIII content as a JSON-ready structure.

The document is `{"schemaVersion": "1.0", section: {key: value}}`, the seven sections and
their keys being the catalogue's (`battrace.passport.catalogue`), every value plain JSON
(numbers, strings, lists, objects). `PassportDocument` is immutable: `with_values()` returns a
new document. Values are addressed by path: `section.key` names an attribute, deeper paths
(`general.manufacturer.address.city`, `materials.composition[0].share`) reach inside one.

Model-level attributes are shared by every battery of a model; `split_by_level()` and
`compose()` convert between a whole document and the model's and the item's halves.
`visible_to()` is the document a reader may see under an access policy.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from battrace.passport.catalogue import (
    AccessPolicy,
    Attribute,
    BatteryStatus,
    Category,
    Level,
    Reader,
    Section,
    attributes,
    find,
)
from battrace.passport.problems import Problem, refuse
from battrace.passport.schema import DOCUMENT_VERSION, structural_problems

JsonValue = Any  # a JSON value: None, bool, int, float, str, list, dict


class Address(TypedDict):
    street: str
    postalCode: str
    city: str
    country: str  # ISO 3166-1 alpha-2


class Party(TypedDict):
    name: str
    identifier: NotRequired[str]
    bpnl: NotRequired[str]
    address: NotRequired[Address]
    email: NotRequired[str]
    webAddress: NotRequired[str]


class Place(TypedDict):
    address: Address
    name: NotRequired[str]
    identifier: NotRequired[str]
    bpna: NotRequired[str]


class Reading(TypedDict):
    value: float
    measuredAt: str  # RFC 3339
    source: NotRequired[str]
    method: NotRequired[str]


class Provenance(TypedDict):
    origin: str  # e.g. "battrace CFP declaration", "battrace DD report"
    takenAt: str  # RFC 3339
    reference: NotRequired[str]
    version: NotRequired[str]


def reading(
    value: float | int | Decimal,
    measured_at: datetime,
    *,
    source: str | None = None,
    method: str | None = None,
) -> Reading:
    """A dynamic value as the document holds it (the latest of its series)."""
    item = Reading(value=_number(value), measuredAt=timestamp(measured_at))
    if source:
        item["source"] = source
    if method:
        item["method"] = method
    return item


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _number(value: float | int | Decimal) -> float | int:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def to_json_value(value: object) -> JsonValue:
    """Plain JSON from domain values: Decimal, date, datetime, enums, tuples, nested."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, enum.Enum):
        return to_json_value(value.value)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): to_json_value(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> tuple[str | int, ...]:
    """`materials.composition[2].share` → ("materials", "composition", 2, "share")."""
    return tuple(name if name else int(index) for name, index in _PART.findall(path))


def _dig(value: JsonValue, parts: Iterable[str | int]) -> JsonValue:
    for part in parts:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return None
            value = value[part]
        else:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        if value is None:
            return None
    return value


def _filled(value: JsonValue) -> bool:
    return value is not None and value not in ("", [], {})


@dataclass(frozen=True, slots=True)
class PassportDocument:
    """One battery's passport document. Build with `new()` or `from_json()`."""

    sections: Mapping[str, Mapping[str, JsonValue]]

    # --- construction
    @classmethod
    def new(
        cls,
        *,
        passport_identifier: str,
        battery_identifier: str,
        category: Category | str,
        status: BatteryStatus | str = BatteryStatus.ORIGINAL,
    ) -> PassportDocument:
        """The smallest valid document: the passport's identity, category and status."""
        general = {
            "passportIdentifier": passport_identifier,
            "batteryIdentifier": battery_identifier,
            "category": Category(category).value,
            "status": BatteryStatus(status).value,
        }
        return cls({Section.GENERAL.value: general})

    @classmethod
    def from_json(cls, data: object) -> PassportDocument:
        """A document from its JSON form; `ValidationFailed` naming every structural problem."""
        problems = structural_problems(data)
        if problems:
            refuse("passport document", problems)
        assert isinstance(data, dict)  # noqa: S101 - the schema requires an object
        return cls(
            {name: dict(content) for name, content in data.items() if name != "schemaVersion"}
        )

    def to_json(self) -> dict[str, JsonValue]:
        """The JSON form (a fresh dict; sections in catalogue order, empty ones left out)."""
        out: dict[str, JsonValue] = {"schemaVersion": DOCUMENT_VERSION}
        for section in Section:
            content = self.sections.get(section.value)
            if content:
                out[section.value] = to_json_value(dict(content))
        return out

    def problems(self) -> list[Problem]:
        """Structural problems of this document against battrace's schema (empty if valid)."""
        return [Problem(*problem) for problem in structural_problems(self.to_json())]

    # --- reading
    def get(self, path: str) -> JsonValue:
        """The value at `path`, or None where nothing is."""
        return _dig(self.sections, split_path(path))

    def has(self, path: str) -> bool:
        return _filled(self.get(path))

    def values(self) -> Iterator[tuple[Attribute, JsonValue]]:
        """Every filled attribute with its value, in catalogue order."""
        for item in attributes():
            value = self.get(item.path)
            if _filled(value):
                yield item, value

    def present(self) -> frozenset[str]:
        return frozenset(item.path for item, _ in self.values())

    @property
    def category(self) -> Category:
        return Category(self.get("general.category"))

    @property
    def status(self) -> BatteryStatus:
        return BatteryStatus(self.get("general.status"))

    @property
    def passport_identifier(self) -> str:
        return str(self.get("general.passportIdentifier"))

    @property
    def battery_identifier(self) -> str:
        return str(self.get("general.batteryIdentifier"))

    # --- changing (a new document each time)
    def with_values(self, values: Mapping[str, object]) -> PassportDocument:
        """A copy with attributes set (`None` removes one). Keys are attribute paths
        (`section.key`); `KeyError` for a path the catalogue does not have."""
        sections = {name: dict(content) for name, content in self.sections.items()}
        for path, value in values.items():
            item = find(path)
            if item is None:
                raise KeyError(f"{path}: no such attribute in the passport catalogue")
            content = sections.setdefault(item.section.value, {})
            if value is None:
                content.pop(item.key, None)
            else:
                content[item.key] = to_json_value(value)
        return PassportDocument({name: content for name, content in sections.items() if content})

    def without(self, paths: Iterable[str]) -> PassportDocument:
        return self.with_values(dict.fromkeys(paths))

    # --- views
    def visible_to(self, reader: Reader, policy: AccessPolicy | None = None) -> PassportDocument:
        """What `reader` may see of this document under `policy` (default: the Regulation's)."""
        policy = policy or AccessPolicy.default()
        hidden = [item.path for item, _ in self.values() if not policy.can_read(reader, item.path)]
        return self.without(hidden) if hidden else self

    def split_by_level(
        self,
    ) -> tuple[dict[str, dict[str, JsonValue]], dict[str, dict[str, JsonValue]]]:
        """(model-level sections, item-level sections), each `{section: {key: value}}`."""
        model: dict[str, dict[str, JsonValue]] = {}
        item: dict[str, dict[str, JsonValue]] = {}
        for attribute, value in self.values():
            target = model if attribute.level is Level.MODEL else item
            target.setdefault(attribute.section.value, {})[attribute.key] = value
        return model, item

    @classmethod
    def compose(
        cls,
        model: Mapping[str, Mapping[str, JsonValue]],
        item: Mapping[str, Mapping[str, JsonValue]],
    ) -> PassportDocument:
        """One battery's document from its model's sections and its own; the item's value
        wins where both hold an attribute (e.g. a category changed on repurposing)."""
        sections: dict[str, dict[str, JsonValue]] = {}
        for part in (model, item):
            for name, content in part.items():
                sections.setdefault(name, {}).update(content)
        return cls(sections)


def attribute_problems(document: PassportDocument) -> list[Problem]:
    """Structural problems; kept as a function for callers that hold only JSON."""
    return document.problems()


__all__ = [
    "Address",
    "JsonValue",
    "Party",
    "PassportDocument",
    "Place",
    "Provenance",
    "Reading",
    "reading",
    "split_path",
    "timestamp",
    "to_json_value",
]
