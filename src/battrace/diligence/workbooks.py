"""Supplier declarations and smelter/refiner lists from RMI CMRT and EMRT workbooks.

`parse_workbook` reads a filled-in CMRT (3TG) or EMRT (cobalt, mica, copper, natural
graphite, lithium, nickel) .xlsx/.xlsm into frozen domain objects: the Declaration tab
(company, representative, minerals in scope, the per-mineral questions 1-7 and the company
questions A-...) and the Smelter List tab, one `SmelterEntry` per filled row. It is pure: no
database, no HTTP. The template kind, version and where things are come from
`workbook_layouts`; labels and column headers are found by their text, so hidden columns or a
moved header row do not matter.

Anything that makes the file unusable (not a workbook, a missing sheet or header, an invalid
CID, an unknown metal, a blank company name, a malformed date) is collected and raised at once
as `WorkbookInvalid`, each problem naming sheet, row and column. What only deserves a look (a
row without a CID, a metal spelled another way, a metal outside the declared scope, the same
CID listed twice for a metal) comes back in `ParsedWorkbook.warnings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from battrace.diligence.assurance_lists import (
    FacilityAssurance,
    assurance_status,
    parse_assurance_list,
)
from battrace.diligence.models import AssuranceScheme, AssuranceStatus
from battrace.diligence.smelter_lists import SmelterEntry, read_smelter_list
from battrace.diligence.workbook_cells import (
    IssueLog,
    Row,
    WorkbookInvalid,
    WorkbookIssue,
    WorkbookSource,
    at,
    cell_date,
    find_sheet,
    label_key,
    opened_workbook,
    sheet_rows,
    source_bytes,
    text,
)
from battrace.diligence.workbook_layouts import (
    LAYOUTS,
    Metal,
    TemplateLayout,
    identify_template,
    read_metal,
)

__all__ = [
    "LAYOUTS",
    "AssuranceScheme",
    "AssuranceStatus",
    "CompanyAnswer",
    "Declaration",
    "FacilityAssurance",
    "Metal",
    "MineralAnswer",
    "ParsedWorkbook",
    "SmelterEntry",
    "WorkbookInvalid",
    "WorkbookIssue",
    "WorkbookSource",
    "assurance_status",
    "parse_assurance_list",
    "parse_workbook",
]


@dataclass(frozen=True)
class MineralAnswer:
    """A question answered per mineral: "1".."7", or a lettered one a version asks per mineral."""

    question: str
    mineral: Metal
    answer: str | None
    comment: str | None


@dataclass(frozen=True)
class CompanyAnswer:
    """A company-level question ("A", "B", ...) and its answer."""

    question: str
    answer: str | None
    comment: str | None


@dataclass(frozen=True)
class Declaration:
    company_name: str
    declaration_scope: str | None
    scope_description: str | None
    company_identifier: str | None
    address: str | None
    representative_name: str | None
    representative_title: str | None
    representative_email: str | None
    representative_phone: str | None
    completed_on: date | None
    minerals: tuple[Metal, ...]
    """In scope: the minerals ticked in the scope selection, else those answering Yes to Q1."""
    mineral_answers: tuple[MineralAnswer, ...]
    company_answers: tuple[CompanyAnswer, ...]


@dataclass(frozen=True)
class ParsedWorkbook:
    kind: str
    """"CMRT" or "EMRT"."""
    version: str
    """As the template numbers itself: "6.4", "2.1"."""
    declaration: Declaration
    smelters: tuple[SmelterEntry, ...]
    warnings: tuple[WorkbookIssue, ...]


def parse_workbook(source: WorkbookSource) -> ParsedWorkbook:
    """Read a filled-in CMRT or EMRT (a path, or the file's bytes).

    Raises `WorkbookInvalid` listing every problem found (up to `MAX_ISSUES`).
    """
    issues = IssueLog()
    with opened_workbook(source_bytes(source)) as book:
        identity = identify_template(book, issues)
        layout = identity.layout
        declaration_sheet = find_sheet(book, layout.declaration_sheet)
        smelter_sheet = find_sheet(book, layout.smelter_sheet)
        if declaration_sheet is None or smelter_sheet is None:
            present = ", ".join(book.sheetnames)
            for wanted, sheet in (
                (layout.declaration_sheet, declaration_sheet),
                (layout.smelter_sheet, smelter_sheet),
            ):
                if sheet is None:
                    issues.error(wanted, None, None, f"no such sheet (the workbook has {present})")
            raise issues.invalid()
        declaration = _read_declaration(declaration_sheet, layout, issues)
        smelters = read_smelter_list(smelter_sheet, layout, declaration.minerals, issues)
    issues.check()
    return ParsedWorkbook(
        kind=identity.kind,
        version=identity.version,
        declaration=declaration,
        smelters=smelters,
        warnings=tuple(issues.warnings),
    )


# --- Declaration tab ------------------------------------------------------------------------

# Labels as matched by `label_key` (no case, no trailing "(*)" or ":").
_COMPANY_FIELDS: dict[str, tuple[str, ...]] = {
    "company_name": ("company name", "legal name", "company legal name"),
    "declaration_scope": ("declaration scope or class", "declaration scope"),
    "scope_description": ("description of scope", "scope description"),
    "company_identifier": ("company unique identifier",),
    "address": ("address", "company address"),
    "representative_name": (
        "authorized company representative name",
        "authorized company representative",
        "name of authorized company representative",
    ),
    "completed_on": ("date of completion", "completion date"),
}
# Searched below the representative's name only, so a contact's "E-Mail" above is not taken.
_REPRESENTATIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "representative_title": ("title", "representative title"),
    "representative_email": (
        "e-mail",
        "email",
        "e-mail - representative",
        "email - representative",
        "representative e-mail",
        "representative email",
    ),
    "representative_phone": (
        "phone",
        "telephone",
        "phone - representative",
        "representative phone",
    ),
}
_FIELD_NAMES = {
    "company_name": "Company Name",
    "declaration_scope": "Declaration Scope",
    "scope_description": "Description of Scope",
    "company_identifier": "Company Unique Identifier",
    "address": "Address",
    "representative_name": "Authorized Company Representative Name",
    "completed_on": "Date of Completion",
    "representative_title": "Title",
    "representative_email": "E-Mail",
    "representative_phone": "Phone",
}
_SCOPE_SELECTION = (
    "select minerals/metals in scope",
    "select minerals in scope",
    "minerals/metals in scope",
    "minerals in scope",
)
_QUESTION = re.compile(r"^(?:(?i:question|q)\s*)?([1-9][0-9]?|[A-Z])\s*[).]\s+\S")
_YES = frozenset({"yes", "y", "x", "true"})


@dataclass(frozen=True)
class _Label:
    row: int
    column: int
    key: str


class _DeclarationTab:
    """The Declaration tab held in memory (a few hundred cells) with its labels indexed."""

    def __init__(self, sheet: ReadOnlyWorksheet, layout: TemplateLayout, issues: IssueLog) -> None:
        self.name = sheet.title
        self.layout = layout
        self.issues = issues
        self.rows: dict[int, Row] = dict(sheet_rows(sheet))
        self.labels = [
            _Label(number, column, label_key(at(row, column)))
            for number, row in self.rows.items()
            for column in layout.label_columns
            if text(at(row, column)) is not None
        ]

    def find(self, aliases: tuple[str, ...], *, below: int = 0) -> _Label | None:
        return next((lab for lab in self.labels if lab.row > below and lab.key in aliases), None)

    def value(self, row: int) -> object:
        return at(self.rows.get(row, ()), self.layout.value_column)

    def comment(self, row: int) -> str | None:
        return text(at(self.rows.get(row, ()), self.layout.comment_column))

    def metal_in_row(self, row: int) -> Metal | None:
        for column in self.layout.label_columns:
            metal, _ = read_metal(at(self.rows.get(row, ()), column))
            if metal in self.layout.metals:
                return metal
        return None


def _read_declaration(
    sheet: ReadOnlyWorksheet, layout: TemplateLayout, issues: IssueLog
) -> Declaration:
    tab = _DeclarationTab(sheet, layout, issues)
    found: dict[str, _Label | None] = {
        field: tab.find(aliases) for field, aliases in _COMPANY_FIELDS.items()
    }
    representative = found["representative_name"]
    below = representative.row if representative is not None else 0
    for field, aliases in _REPRESENTATIVE_FIELDS.items():
        found[field] = tab.find(aliases, below=below)
    values: dict[str, str | None] = {}
    for field, label in found.items():
        if label is None:
            report = issues.error if field == "company_name" else issues.warn
            report(
                tab.name,
                None,
                None,
                f'no "{_FIELD_NAMES[field]}" label in columns '
                f"{', '.join(_column_names(layout.label_columns))}",
            )
            values[field] = None
        else:
            values[field] = text(tab.value(label.row))
    company = found["company_name"]
    if company is not None and values["company_name"] is None:
        issues.error(tab.name, company.row, layout.value_column, "company name is blank")

    completed_on: date | None = None
    completed = found["completed_on"]
    if completed is not None:
        try:
            completed_on = cell_date(tab.value(completed.row))
        except ValueError as exc:
            issues.error(tab.name, completed.row, layout.value_column, f"date of completion: {exc}")

    mineral_answers, company_answers = _read_questions(tab)
    return Declaration(
        company_name=values["company_name"] or "",
        declaration_scope=values["declaration_scope"],
        scope_description=values["scope_description"],
        company_identifier=values["company_identifier"],
        address=values["address"],
        representative_name=values["representative_name"],
        representative_title=values["representative_title"],
        representative_email=values["representative_email"],
        representative_phone=values["representative_phone"],
        completed_on=completed_on,
        minerals=_minerals_in_scope(tab, mineral_answers),
        mineral_answers=mineral_answers,
        company_answers=company_answers,
    )


def _column_names(columns: tuple[int, ...]) -> list[str]:
    return [get_column_letter(column) for column in columns]


def _read_questions(
    tab: _DeclarationTab,
) -> tuple[tuple[MineralAnswer, ...], tuple[CompanyAnswer, ...]]:
    """Answers under each question label; per-mineral when rows naming a metal follow it."""
    starts: dict[str, int] = {}
    for label in tab.labels:
        found = _QUESTION.match(text(at(tab.rows[label.row], label.column)) or "")
        if found and found.group(1) in tab.layout.questions:
            starts.setdefault(found.group(1), label.row)
    for question in tab.layout.questions:
        if question not in starts:
            tab.issues.warn(tab.name, None, None, f"question {question} not found")

    ordered = sorted(starts.items(), key=lambda item: item[1])
    ends = [row for _, row in ordered[1:]] + [max(tab.rows, default=0) + 1]
    mineral_answers: list[MineralAnswer] = []
    company_answers: list[CompanyAnswer] = []
    for (question, start), end in zip(ordered, ends, strict=True):
        per_mineral = [
            MineralAnswer(question, metal, text(tab.value(row)), tab.comment(row))
            for row in range(start + 1, end)
            if (metal := tab.metal_in_row(row)) is not None
        ]
        if per_mineral:
            mineral_answers.extend(per_mineral)
        elif question.isdigit():
            tab.issues.warn(tab.name, start, None, f"question {question} has no row per mineral")
        else:
            company_answers.append(
                CompanyAnswer(question, text(tab.value(start)), tab.comment(start))
            )
    return tuple(mineral_answers), tuple(company_answers)


def _minerals_in_scope(
    tab: _DeclarationTab, mineral_answers: tuple[MineralAnswer, ...]
) -> tuple[Metal, ...]:
    """The scope selection (a list in the label's row, or a Yes per mineral row below it);
    without one, as in the CMRT, the minerals answering Yes to question 1."""
    selection = tab.find(_SCOPE_SELECTION)
    selected: set[Metal] = set()
    if selection is None:
        selected = {
            answer.mineral
            for answer in mineral_answers
            if answer.question == "1" and (answer.answer or "").casefold() in _YES
        }
    else:
        listed = text(tab.value(selection.row)) or ""
        for part in filter(None, (part.strip() for part in re.split(r"[,;\n]+", listed))):
            metal, _ = read_metal(part)
            if metal is None or metal not in tab.layout.metals:
                tab.issues.error(
                    tab.name,
                    selection.row,
                    tab.layout.value_column,
                    f'mineral "{part}" is not one of {", ".join(tab.layout.metals)}',
                )
            else:
                selected.add(metal)
        row = selection.row + 1
        while (metal := tab.metal_in_row(row)) is not None:
            if (text(tab.value(row)) or "").casefold() in _YES:
                selected.add(metal)
            row += 1
    return tuple(metal for metal in tab.layout.metals if metal in selected)
