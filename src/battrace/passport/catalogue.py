"""The attribute catalogue: every Annex XIII attribute battrace's passport document holds.

An attribute knows its section (the seven groups the Battery Pass models use), its key in the
document (`section.key`), who may read it by default (Annex XIII points 1-4 as Art. 77(2)
assigns them), whether it belongs to the battery model or to the individual battery, whether it
is static or dynamic, the Commission guidance's data-point numbers it fills, its unit and its
value type (a name in `battrace.passport.schema`). Whether an attribute applies to a category
comes from the Commission's table: it does unless every data point it fills is "not to be
filled" for that category.

Who counts as a person with a legitimate interest awaits an implementing act, so the grouping
is a policy: `AccessPolicy.default()` follows the Regulation, `AccessPolicy.from_config()`
overrides readers' groups and single attributes' groups from settings.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TypeVar

from battrace.errors import ValidationFailed
from battrace.passport.guidance import Applicability, guidance

E = TypeVar("E", bound=enum.StrEnum)


class Section(enum.StrEnum):
    """The seven groups of Annex XIII content, as the Battery Pass aspect models split it."""

    GENERAL = "general"  # general product information
    LABELS = "labels"  # labels and conformity
    CARBON_FOOTPRINT = "carbonFootprint"
    DUE_DILIGENCE = "dueDiligence"  # supply-chain due diligence
    MATERIALS = "materials"  # materials and composition
    CIRCULARITY = "circularity"
    PERFORMANCE = "performance"  # performance and durability


class AccessGroup(enum.StrEnum):
    """Who an attribute is for (Art. 77(2)): point 1 public; points 2 and 4 persons with a
    legitimate interest and the Commission; point 3 notified bodies, market surveillance
    authorities and the Commission."""

    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimateInterest"
    AUTHORITIES = "authorities"


class Reader(enum.StrEnum):
    """The roles a passport is read as. Which groups each sees is `AccessPolicy`'s call."""

    PUBLIC = "public"  # anyone, no login: the page behind the QR code
    LEGITIMATE_INTEREST = "legitimateInterest"  # owner, repairer, reuser, recycler (granted)
    AUTHORITY = "authority"  # notified body, market surveillance authority
    COMMISSION = "commission"
    RESPONSIBLE_OPERATOR = "responsibleOperator"  # reads and writes everything


class Level(enum.StrEnum):
    MODEL = "model"  # shared by every battery of the model (type)
    ITEM = "item"  # this battery only


class Category(enum.StrEnum):
    """The categories that need a passport (Art. 77(1))."""

    EV = "ev"
    LMT = "lmt"
    INDUSTRIAL = "industrial"  # industrial above 2 kWh, with a BMS
    STATIONARY = "stationary"  # stationary battery energy storage system
    INDUSTRIAL_NO_BMS = "industrial-no-bms"

    @property
    def guidance_column(self) -> str:
        """The column of the Commission's table this category reads."""
        return self.value if self in (Category.EV, Category.LMT) else "industrial"


class BatteryStatus(enum.StrEnum):
    """Annex XIII 4(c), in the Regulation's spelling."""

    ORIGINAL = "original"
    REPURPOSED = "repurposed"
    REUSED = "re-used"
    REMANUFACTURED = "remanufactured"
    WASTE = "waste"


@dataclass(frozen=True, slots=True)
class Attribute:
    section: Section
    key: str
    label: str
    access: AccessGroup  # the default group; `AccessPolicy` may override it
    level: Level
    dynamic: bool
    data_points: tuple[int, ...]  # numbers in the Commission's table (1..71)
    value_type: str  # a type name defined in `battrace.passport.schema`
    unit: str | None = None
    choices: tuple[str, ...] = ()  # for value_type "enum"
    required: bool = False  # every document carries it (identity of the passport)

    @property
    def path(self) -> str:
        return f"{self.section.value}.{self.key}"

    def applies_to(self, category: Category) -> bool:
        """False when every data point it fills is "not to be filled" for the category."""
        if not self.data_points:
            return True
        column = category.guidance_column
        table = guidance()
        return any(
            table.data_point(number).rule(column).status is not Applicability.NOT_TO_BE_FILLED
            for number in self.data_points
        )

    def categories(self) -> tuple[Category, ...]:
        return tuple(category for category in Category if self.applies_to(category))


@cache
def attributes() -> tuple[Attribute, ...]:
    """Every attribute, in document order (section by section)."""
    from battrace.passport.catalogue_data import ATTRIBUTES  # noqa: PLC0415 - data after types

    return ATTRIBUTES


@cache
def _by_path() -> Mapping[str, Attribute]:
    return MappingProxyType({attribute.path: attribute for attribute in attributes()})


def attribute(path: str) -> Attribute:
    """The attribute at `section.key`; `KeyError` if the catalogue has none."""
    return _by_path()[path]


def find(path: str) -> Attribute | None:
    return _by_path().get(path)


def in_section(section: Section) -> tuple[Attribute, ...]:
    return tuple(item for item in attributes() if item.section is section)


def filling(number: int) -> tuple[Attribute, ...]:
    """The attributes that fill data point `number` of the Commission's table."""
    return tuple(item for item in attributes() if number in item.data_points)


_DEFAULT_READERS: Mapping[Reader, frozenset[AccessGroup]] = MappingProxyType(
    {
        Reader.PUBLIC: frozenset({AccessGroup.PUBLIC}),
        Reader.LEGITIMATE_INTEREST: frozenset(
            {AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST}
        ),
        Reader.AUTHORITY: frozenset({AccessGroup.PUBLIC, AccessGroup.AUTHORITIES}),
        Reader.COMMISSION: frozenset(AccessGroup),
        Reader.RESPONSIBLE_OPERATOR: frozenset(AccessGroup),
    }
)


@dataclass(frozen=True)
class AccessPolicy:
    """Which access groups each reader sees, and any attribute moved to another group.

    The responsible operator always sees every group; the public reader never sees more than
    the groups configured for it (by default: public only).
    """

    readers: Mapping[Reader, frozenset[AccessGroup]] = field(
        default_factory=lambda: _DEFAULT_READERS
    )
    overrides: Mapping[str, AccessGroup] = field(default_factory=dict)

    @classmethod
    def default(cls) -> AccessPolicy:
        return cls()

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> AccessPolicy:
        """Build from settings: `{"readers": {"authority": ["public", "authorities",
        "legitimateInterest"]}, "attributes": {"general.status": "public"}}`; readers and
        attributes not named keep the default."""
        problems: list[str] = []
        readers = dict(_DEFAULT_READERS)
        for name, groups in _mapping(config.get("readers", {}), "readers", problems).items():
            reader = _member(Reader, name, f"readers.{name}", problems)
            if not isinstance(groups, list):
                problems.append(f"readers.{name}: a list of access groups")
                continue
            members = {_member(AccessGroup, g, f"readers.{name}", problems) for g in groups}
            if reader is not None and None not in members:
                readers[reader] = frozenset(m for m in members if m is not None)
        overrides: dict[str, AccessGroup] = {}
        for path, group in _mapping(config.get("attributes", {}), "attributes", problems).items():
            if find(path) is None:
                problems.append(f"attributes.{path}: no such attribute in the catalogue")
                continue
            member = _member(AccessGroup, group, f"attributes.{path}", problems)
            if member is not None:
                overrides[path] = member
        if problems:
            raise ValidationFailed("passport access policy: " + "; ".join(problems))
        readers[Reader.RESPONSIBLE_OPERATOR] = frozenset(AccessGroup)
        return cls(MappingProxyType(readers), MappingProxyType(overrides))

    def group_of(self, path: str) -> AccessGroup:
        return self.overrides.get(path) or attribute(path).access

    def groups_for(self, reader: Reader) -> frozenset[AccessGroup]:
        if reader is Reader.RESPONSIBLE_OPERATOR:
            return frozenset(AccessGroup)
        return self.readers.get(reader, frozenset({AccessGroup.PUBLIC}))

    def can_read(self, reader: Reader, path: str) -> bool:
        return self.group_of(path) in self.groups_for(reader)

    def readable(self, reader: Reader) -> tuple[Attribute, ...]:
        groups = self.groups_for(reader)
        return tuple(item for item in attributes() if self.group_of(item.path) in groups)


def _mapping(value: object, name: str, problems: list[str]) -> Mapping[str, object]:
    if isinstance(value, Mapping):
        return value
    problems.append(f"{name}: an object")
    return {}


def _member(kind: type[E], value: object, where: str, problems: list[str]) -> E | None:
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        problems.append(f"{where}: {value!r} is not one of {allowed}")
        return None


def paths(items: Iterable[Attribute]) -> tuple[str, ...]:
    return tuple(item.path for item in items)
