"""Which RMI template a workbook is, and where each of its versions keeps its answers.

The Conflict Minerals Reporting Template (CMRT, the 3TG metals) and the Extended Minerals
Reporting Template (EMRT: cobalt and mica, and since 2.0 copper, natural graphite, lithium
and nickel) move cells between versions, so the kind and version are read from the workbook
(the Revision tab, else the title at the top of the Declaration tab) before anything else,
and a per-version `TemplateLayout` says where to look.

Supported: CMRT 6.x, EMRT 1.x and EMRT 2.x. A newer minor version of a supported major is read
with the layout of the nearest known version, with a warning; any other major is refused.
Versions compare as decimals, as RMI numbers them (CMRT 6.01 < 6.1 < 6.22 < 6.31 < 6.4;
EMRT 1.1 < 1.11 < 1.2).

The label texts, question letters and the answer/comment columns below follow the public
descriptions of the templates (CMRT 6.x: labels in B, answers in D, one row per metal under
each numbered question). They are the one place to correct when a template is checked
against RMI's own file, which is not redistributed with battrace.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from openpyxl.workbook.workbook import Workbook

from battrace.diligence.workbook_cells import IssueLog, Row, fail, find_sheet, sheet_rows, text


class Metal(StrEnum):
    """A mineral or metal the RMI templates report on, in battrace's spelling."""

    TANTALUM = "tantalum"
    TIN = "tin"
    GOLD = "gold"
    TUNGSTEN = "tungsten"
    COBALT = "cobalt"
    MICA = "mica"
    COPPER = "copper"
    NATURAL_GRAPHITE = "natural_graphite"
    LITHIUM = "lithium"
    NICKEL = "nickel"


# The templates' own spellings: matched ignoring case, spaces, "_" and "-".
_METAL_NAMES = {metal.value.replace("_", " "): metal for metal in Metal} | {
    "graphite (natural)": Metal.NATURAL_GRAPHITE
}
# Other spellings suppliers use; read, with a warning that names the reading.
_METAL_ALIASES = {
    "ta": Metal.TANTALUM,
    "sn": Metal.TIN,
    "au": Metal.GOLD,
    "w": Metal.TUNGSTEN,
    "wolfram": Metal.TUNGSTEN,
    "co": Metal.COBALT,
    "cu": Metal.COPPER,
    "li": Metal.LITHIUM,
    "ni": Metal.NICKEL,
    "graphite": Metal.NATURAL_GRAPHITE,
}
_METAL_SEPARATORS = re.compile(r"[\s_-]+")


def read_metal(value: object) -> tuple[Metal | None, bool]:
    """The metal a cell names, and whether it was spelled other than the template spells it."""
    raw = text(value)
    if raw is None:
        return None, False
    key = _METAL_SEPARATORS.sub(" ", raw.casefold()).strip()
    if key in _METAL_NAMES:
        return _METAL_NAMES[key], False
    if key in _METAL_ALIASES:
        return _METAL_ALIASES[key], True
    return None, False


@dataclass(frozen=True)
class TemplateLayout:
    """Where one line of template versions keeps what battrace reads.

    Declaration labels are searched in `label_columns`; an answer is in `value_column` of the
    label's row and its comment in `comment_column`. Per-mineral answers are rows under a
    question whose label cell names a metal. Columns are 1-based (B = 2). `topics` says what
    each numbered question asks, since the numbers differ between templates (the CMRT's
    extra question on the DRC and adjoining countries shifts the rest by one).
    """

    kind: str
    major: int
    versions: tuple[str, ...]
    metals: tuple[Metal, ...]
    topics: tuple[str, ...]
    company_questions: str
    label_columns: tuple[int, ...] = (2, 3)
    value_column: int = 4
    comment_column: int = 7
    declaration_sheet: str = "Declaration"
    smelter_sheet: str = "Smelter List"

    @property
    def questions(self) -> tuple[str, ...]:
        """Every question label the Declaration tab should hold, in order."""
        numbered = (str(number) for number in range(1, len(self.topics) + 1))
        return (*numbered, *self.company_questions)

    def topic(self, question: str) -> str | None:
        """What numbered question `question` ("1", "2", ...) asks, e.g. "cahra_sourced"."""
        number = int(question) if question.isdigit() else 0
        return self.topics[number - 1] if 0 < number <= len(self.topics) else None


_EMRT_TOPICS = (
    "intentionally_added",
    "remains_in_product",
    "cahra_sourced",
    "recycled_scrap_only",
    "suppliers_responded",
    "all_smelters_identified",
    "all_smelter_information_reported",
)


LAYOUTS: tuple[TemplateLayout, ...] = (
    # 6.0 added question 4 (CAHRAs) and dropped company question C, re-lettering A-H.
    TemplateLayout(
        kind="CMRT",
        major=6,
        versions=("6.0", "6.01", "6.1", "6.22", "6.31", "6.4", "6.5"),
        metals=(Metal.TANTALUM, Metal.TIN, Metal.GOLD, Metal.TUNGSTEN),
        topics=(
            "intentionally_added",
            "remains_in_product",
            "covered_countries_sourced",
            "cahra_sourced",
            "recycled_scrap_only",
            "suppliers_responded",
            "all_smelters_identified",
            "all_smelter_information_reported",
        ),
        company_questions="ABCDEFGH",
    ),
    TemplateLayout(
        kind="EMRT",
        major=1,
        versions=("1.0", "1.1", "1.11", "1.2", "1.3"),
        metals=(Metal.COBALT, Metal.MICA),
        topics=_EMRT_TOPICS,
        company_questions="ABCDEFG",
    ),
    # 2.0 added copper, natural graphite, lithium and nickel; 2.1 asks question C per mineral.
    TemplateLayout(
        kind="EMRT",
        major=2,
        versions=("2.0", "2.1"),
        metals=(
            Metal.COBALT,
            Metal.COPPER,
            Metal.NATURAL_GRAPHITE,
            Metal.LITHIUM,
            Metal.MICA,
            Metal.NICKEL,
        ),
        topics=_EMRT_TOPICS,
        company_questions="ABCDEFG",
    ),
)


def _decimal(version: str) -> Decimal:
    return Decimal(version)


def layout_for(kind: str, version: str, issues: IssueLog) -> TemplateLayout:
    """The layout that reads `kind` `version`; warns when it is only the nearest one."""
    major = int(_decimal(version))
    for layout in LAYOUTS:
        if layout.kind != kind or layout.major != major:
            continue
        if version in layout.versions:
            return layout
        wanted = _decimal(version)
        nearest = min(
            layout.versions, key=lambda known: (abs(_decimal(known) - wanted), _decimal(known))
        )
        issues.warn(
            None,
            None,
            None,
            f"{kind} {version} is not a version battrace knows; read with the {kind} "
            f"{nearest} layout",
        )
        return layout
    supported = ", ".join(f"{layout.kind} {layout.major}.x" for layout in LAYOUTS)
    raise fail(f"{kind} {version} is not supported (supported: {supported})")


_KINDS = (
    ("CMRT", re.compile(r"\bCMRT\b|conflict minerals reporting template", re.IGNORECASE)),
    ("EMRT", re.compile(r"\bEMRT\b|extended minerals reporting template", re.IGNORECASE)),
    ("AMRT", re.compile(r"\bAMRT\b|additional minerals reporting template", re.IGNORECASE)),
)
_TITLE_VERSION = re.compile(r"\b(?:version|revision|rev\.?|ver\.?|v)\s*(\d+\.\d+)\b", re.I)
_REVISION_CELL = re.compile(r"^(?:(?:version|revision|rev\.?|ver\.?|v)\s*)?(\d+\.\d+)$", re.I)
_TITLE_ROWS = 6


@dataclass(frozen=True)
class TemplateIdentity:
    kind: str
    version: str
    layout: TemplateLayout


def identify_template(book: Workbook, issues: IssueLog) -> TemplateIdentity:
    """Kind and version from the Revision tab and the Declaration title, and their layout."""
    declaration = find_sheet(book, "Declaration")
    title_rows: list[Row] = []
    if declaration is not None:
        title_rows = [row for _, row in sheet_rows(declaration, last=_TITLE_ROWS)]
    revision = find_sheet(book, "Revision")
    revision_rows = [row for _, row in sheet_rows(revision)] if revision is not None else []

    kind = _kind(title_rows) or _kind(revision_rows)
    if kind is None:
        raise fail(
            "not an RMI reporting template: no CMRT or EMRT title in the Declaration or "
            "Revision tab"
        )
    if kind == "AMRT":
        raise fail("AMRT workbooks are not supported (supported: CMRT, EMRT)")

    listed = _revision_version(revision_rows)
    titled = _title_version(title_rows)
    version = listed or titled
    if version is None:
        raise fail(
            f"{kind}: no template version in the Revision tab or the Declaration title "
            f"(rows 1-{_TITLE_ROWS})"
        )
    if listed and titled and _decimal(listed) != _decimal(titled):
        issues.warn(
            "Declaration",
            None,
            None,
            f"the title says version {titled} but the Revision tab lists {listed}; read as "
            f"{listed}",
        )
    return TemplateIdentity(kind, version, layout_for(kind, version, issues))


def _cell_texts(rows: list[Row]) -> list[str]:
    return [raw for row in rows for value in row if (raw := text(value)) is not None]


def _kind(rows: list[Row]) -> str | None:
    for raw in _cell_texts(rows):
        for kind, pattern in _KINDS:
            if pattern.search(raw):
                return kind
    return None


def _title_version(rows: list[Row]) -> str | None:
    for raw in _cell_texts(rows):
        if any(pattern.search(raw) for _, pattern in _KINDS) or _TITLE_VERSION.fullmatch(raw):
            found = _TITLE_VERSION.search(raw)
            if found:
                return found.group(1)
    return None


def _revision_version(rows: list[Row]) -> str | None:
    """The latest revision the Revision tab lists (text such as "6.4" or "Revision 6.4")."""
    versions: list[str] = []
    for row in rows:
        for value in row:
            if isinstance(value, float) and math.isfinite(value) and not value.is_integer():
                versions.append(repr(value))
            elif isinstance(value, str) and (found := _REVISION_CELL.match(value.strip())):
                versions.append(found.group(1))
    return max(versions, key=_decimal) if versions else None
