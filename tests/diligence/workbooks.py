"""Synthetic CMRT- and EMRT-shaped workbooks for the workbook reader's tests.

Written here with openpyxl: the sheet names, header row and labels follow the public
description of the templates (and `battrace.diligence.workbook_layouts`), the question
wording is our own paraphrase. Nothing of RMI's file is copied or downloaded. Every knob of
`TemplateSpec` is a way to break one thing.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

KINDS = {
    "CMRT": "Conflict Minerals Reporting Template",
    "EMRT": "Extended Minerals Reporting Template",
}
METAL_NAMES = {
    "tantalum": "Tantalum",
    "tin": "Tin",
    "gold": "Gold",
    "tungsten": "Tungsten",
    "cobalt": "Cobalt",
    "mica": "Mica",
    "copper": "Copper",
    "natural_graphite": "Natural Graphite",
    "lithium": "Lithium",
    "nickel": "Nickel",
}
TEMPLATE_METALS = {
    ("CMRT", 6): ("tantalum", "tin", "gold", "tungsten"),
    ("EMRT", 1): ("cobalt", "mica"),
    ("EMRT", 2): ("cobalt", "copper", "natural_graphite", "lithium", "mica", "nickel"),
}
QUESTION_TEXTS = {
    "intentionally_added": "Is the mineral intentionally added to or used in making the product?",
    "remains_in_product": "Is any of it left in the finished product?",
    "covered_countries_sourced": "Does any of it come from the DRC or a neighbouring country?",
    "cahra_sourced": "Does any of it come from a conflict-affected or high-risk area?",
    "recycled_scrap_only": "Does all of it come from recycled or scrap material?",
    "suppliers_responded": "What share of your relevant suppliers answered you?",
    "all_smelters_identified": "Have you found every smelter or refiner in your chain?",
    "all_smelter_information_reported": "Is everything you learnt about them in this file?",
}
CMRT_TOPICS = (
    "intentionally_added",
    "remains_in_product",
    "covered_countries_sourced",
    "cahra_sourced",
    "recycled_scrap_only",
    "suppliers_responded",
    "all_smelters_identified",
    "all_smelter_information_reported",
)
EMRT_TOPICS = tuple(topic for topic in CMRT_TOPICS if topic != "covered_countries_sourced")

# Smelter List headers as the templates write them, in order from column A.
SMELTER_HEADERS = {
    "cid_input": "Smelter Identification Number Input Column",
    "metal": "Metal (*)",
    "look_up": "Smelter Look-up (*)",
    "name": "Smelter Name (1)",
    "country": "Smelter Country (*)",
    "smelter_id": "Smelter Identification",
    "source_of_id": "Source of Smelter Identification Number",
    "street": "Smelter Street ",
    "city": "Smelter City",
    "state_province": "Smelter Facility Location: State / Province",
    "contact_name": "Smelter Contact Name",
    "contact_email": "Smelter Contact Email",
    "next_steps": "Proposed next steps",
    "mine_names": 'Name of Mine(s) or if recycled or scrap sourced, enter "recycled" or "scrap"',
    "mine_countries": (
        'Location (Country) of Mine(s) or if recycled or scrap sourced, enter "recycled" or "scrap"'
    ),
    "recycled": "Does 100% of the smelter's feedstock originate from recycled or scrap sources?",
    "comments": "Comments",
}
SMELTER_COLUMNS = {name: index for index, name in enumerate(SMELTER_HEADERS, start=1)}
DECLARATION_FIRST_ROW = 8


@dataclass
class SmelterRow:
    metal: object = "Tin"
    name: object = "Example Tin Smelter"
    smelter_id: object = "CID000001"
    country: object = "JAPAN"
    source_of_id: object = "RMI"
    street: object = None
    city: object = None
    state_province: object = None
    mine_names: object = None
    mine_countries: object = None
    recycled: object = None
    comments: object = None
    cid_input: object = None
    look_up: object = None


@dataclass
class TemplateSpec:
    kind: str = "CMRT"
    version: str = "6.4"
    revisions: tuple[object, ...] | None = None
    """Cells of the Revision tab's first column; default: the major's .0 and `version`."""
    title: str | None = None
    """Declaration!B2; default names the kind and `version`."""
    revision_sheet: bool = True
    company_name: object = "Example Metals Co., Ltd."
    declaration_scope: object = "A. Company"
    scope_description: object = None
    company_identifier: object = "1234567890123"
    address: object = "1-1 Example, Tokyo"
    contact_email: object = "contact@example.com"
    representative_name: object = "Hanako Sato"
    representative_title: object = "Compliance Manager"
    representative_email: object = "hanako.sato@example.com"
    representative_phone: object = "+81-3-0000-0000"
    completed_on: object = date(2025, 1, 31)
    scope: tuple[str, ...] | None = None
    """EMRT: metals ticked in the scope selection (default: all of the template's)."""
    scope_as_list: bool = False
    """EMRT: write the scope as one comma-separated cell instead of a Yes per metal row."""
    answers: dict[tuple[str, str], object] = field(default_factory=dict)
    """(question, metal) -> answer; default: "Yes" to 1 for every metal, else "No"."""
    company_answers: dict[str, object] = field(default_factory=dict)
    per_mineral_company_questions: tuple[str, ...] = ()
    smelters: list[SmelterRow] = field(default_factory=lambda: [SmelterRow()])
    smelter_first_row: int | None = None
    """Row of the first smelter; default: right under the header."""
    header_row: int = 4
    headers: dict[str, str | None] = field(default_factory=dict)
    """Header text overrides; None drops the column's header."""
    styled_empty_rows: int = 0
    """Formatted but empty rows after the smelters, as the real template has hundreds."""
    relabel: dict[str, str] = field(default_factory=dict)
    """Declaration label text replacements (whole cell)."""
    drop_sheets: tuple[str, ...] = ()
    validation_extension: bool = False
    """Add an Excel 2010 data-validation extension to the Smelter List (openpyxl warns)."""
    macro_enabled: bool = False
    """Declare the workbook part macro-enabled, as an .xlsm is."""

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def metals(self) -> tuple[str, ...]:
        if (self.kind, self.major) in TEMPLATE_METALS:
            return TEMPLATE_METALS[(self.kind, self.major)]
        return TEMPLATE_METALS[("CMRT", 6)] if self.kind == "CMRT" else TEMPLATE_METALS[("EMRT", 2)]

    @property
    def topics(self) -> tuple[str, ...]:
        return CMRT_TOPICS if self.kind == "CMRT" else EMRT_TOPICS

    @property
    def company_questions(self) -> str:
        return "ABCDEFGH" if self.kind == "CMRT" else "ABCDEFG"

    def answer(self, question: str, metal: str) -> object:
        default = "Yes" if question == "1" else "No"
        return self.answers.get((question, metal), default)


def build(spec: TemplateSpec) -> bytes:
    book = Workbook()
    book.remove(book.active)
    sheets = ["Revision", "Instructions", "Definitions", "Declaration", "Smelter List", "Checker"]
    sheets += ["Product List", "Smelter Look-up"]
    if spec.kind == "EMRT" and spec.major >= 2:
        sheets.insert(5, "Mine List")
    if not spec.revision_sheet:
        sheets.remove("Revision")
    for name in sheets:
        if name not in spec.drop_sheets:
            book.create_sheet(name)
    if "Revision" in book.sheetnames:
        _revision(book["Revision"], spec)
    if "Declaration" in book.sheetnames:
        _declaration(book["Declaration"], spec)
    if "Smelter List" in book.sheetnames:
        _smelter_list(book["Smelter List"], spec)
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    if spec.validation_extension and "Smelter List" in book.sheetnames:
        content = _with_validation_extension(content, book.sheetnames.index("Smelter List") + 1)
    if spec.macro_enabled:
        content = _macro_enabled(content)
    return content


def write(spec: TemplateSpec, path: Path) -> Path:
    path.write_bytes(build(spec))
    return path


def _revision(ws: Worksheet, spec: TemplateSpec) -> None:
    ws["A1"], ws["B1"], ws["C1"] = "Revision", "Date", "What changed"
    revisions = spec.revisions
    if revisions is None:
        revisions = tuple(dict.fromkeys((f"{spec.major}.0", spec.version)))
    for offset, revision in enumerate(revisions, start=2):
        ws.cell(row=offset, column=1, value=revision)
        ws.cell(row=offset, column=3, value="Synthetic revision note")


def _declaration(ws: Worksheet, spec: TemplateSpec) -> None:
    def cell(*, row: int, column: int, value: object) -> None:
        if isinstance(value, str):
            value = spec.relabel.get(value, value)
        ws.cell(row=row, column=column, value=value)

    title = spec.title
    if title is None:
        title = f"{KINDS[spec.kind]} ({spec.kind}) Version {spec.version}"
    cell(row=2, column=2, value=title)
    cell(row=3, column=2, value="Select Language Preference Here:")
    cell(row=3, column=4, value="English")
    cell(row=5, column=2, value="Mandatory fields are marked with an asterisk (*).")
    fields = [
        ("Company Name (*):", spec.company_name),
        ("Declaration Scope or Class (*):", spec.declaration_scope),
        ("Description of Scope:", spec.scope_description),
        ("Company Unique Identifier:", spec.company_identifier),
        ("Company Unique Identifier Authority:", "Corporate number"),
        ("Address:", spec.address),
        ("Contact Name (*):", "Taro Suzuki"),
        ("Email – Contact (*):", spec.contact_email),
        ("Phone – Contact (*):", "+81-3-1111-1111"),
        ("Authorized Company Representative Name (*):", spec.representative_name),
        ("Title (*):", spec.representative_title),
        ("E-Mail (*):", spec.representative_email),
        ("Phone (*):", spec.representative_phone),
        ("Date of Completion (DD-MMM-YYYY) (*):", spec.completed_on),
    ]
    row = DECLARATION_FIRST_ROW
    for label, value in fields:
        cell(row=row, column=2, value=label)
        cell(row=row, column=4, value=value)
        row += 1
    if spec.kind == "EMRT":
        row += 1
        scope = spec.metals if spec.scope is None else spec.scope
        cell(row=row, column=2, value="Select Minerals/Metals in Scope (*):")
        if spec.scope_as_list:
            cell(row=row, column=4, value=", ".join(METAL_NAMES[m] for m in scope))
        else:
            for metal in spec.metals:
                row += 1
                cell(row=row, column=3, value=METAL_NAMES[metal])
                cell(row=row, column=4, value="Yes" if metal in scope else "No")
        row += 1
    row += 1
    cell(row=row, column=2, value="Answer questions 1 onwards for each mineral in scope.")
    for number, topic in enumerate(spec.topics, start=1):
        row += 1
        cell(row=row, column=2, value=f"{number}) {QUESTION_TEXTS[topic]} (*)")
        for metal in spec.metals:
            row += 1
            cell(row=row, column=3, value=METAL_NAMES[metal])
            cell(row=row, column=4, value=spec.answer(str(number), metal))
            cell(row=row, column=7, value=f"note {number} {metal}")
    row += 2
    cell(row=row, column=2, value="Answer the company level questions.")
    for letter in spec.company_questions:
        row += 1
        cell(row=row, column=2, value=f"{letter}. Company question {letter}? (*)")
        if letter in spec.per_mineral_company_questions:
            for metal in spec.metals:
                row += 1
                cell(row=row, column=3, value=METAL_NAMES[metal])
                cell(row=row, column=4, value=spec.answer(letter, metal))
        else:
            cell(row=row, column=4, value=spec.company_answers.get(letter, "Yes"))
            cell(row=row, column=7, value=f"comment {letter}")


def _smelter_list(ws: Worksheet, spec: TemplateSpec) -> None:
    cell = ws.cell
    cell(row=1, column=1, value="Smelter List - list each smelter or refiner in your chain")
    for name, text in SMELTER_HEADERS.items():
        header = spec.headers.get(name, text)
        if header is not None:
            cell(row=spec.header_row, column=SMELTER_COLUMNS[name], value=header)
    row = spec.smelter_first_row or spec.header_row + 1
    for smelter in spec.smelters:
        for name, value in vars(smelter).items():
            if value is not None:
                cell(row=row, column=SMELTER_COLUMNS[name], value=value)
        row += 1
    for _ in range(spec.styled_empty_rows):
        for column in (SMELTER_COLUMNS["metal"], SMELTER_COLUMNS["smelter_id"]):
            cell(row=row, column=column).number_format = "@"
        cell(row=row, column=SMELTER_COLUMNS["comments"], value="")
        row += 1


_EXTENSION = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="0" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/></ext></extLst>'
)


def _rewrite(content: bytes, name: str, change: Callable[[str], str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == name:
                data = change(data.decode()).encode()
            target.writestr(item, data)
    return out.getvalue()


def _with_validation_extension(content: bytes, sheet_number: int) -> bytes:
    return _rewrite(
        content,
        f"xl/worksheets/sheet{sheet_number}.xml",
        lambda xml: xml.replace("</worksheet>", f"{_EXTENSION}</worksheet>"),
    )


def _macro_enabled(content: bytes) -> bytes:
    return _rewrite(
        content,
        "[Content_Types].xml",
        lambda xml: re.sub(
            r"application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet\.main\+xml",
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            xml,
        ),
    )


def assurance_rows(rows: list[tuple[object, ...]]) -> bytes:
    """An assurance list as .xlsx, header row first."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
