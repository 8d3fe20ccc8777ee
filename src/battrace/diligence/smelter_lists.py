"""The Smelter List tab of an RMI CMRT or EMRT: one `SmelterEntry` per filled row.

The header row is found by its text within the top ten rows (case, spacing and markers such
as "(*)" do not count), so neither a moved header nor hidden columns matter. A row with no
CID is kept with a warning; an invalid CID, a blank or unknown metal, a blank name or a
recycled-only answer other than Yes/No/Unknown is an error at its cell. A metal outside the
declared scope and a CID listed twice for one metal are warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from battrace.diligence.workbook_cells import (
    RMI_FACILITY_ID,
    IssueLog,
    at,
    label_key,
    sheet_rows,
    text,
)
from battrace.diligence.workbook_layouts import Metal, TemplateLayout, read_metal


@dataclass(frozen=True)
class SmelterEntry:
    row: int
    """The row in the Smelter List tab, as Excel numbers it."""
    metal: Metal
    smelter_id: str | None
    """`CID` and 6 digits; None where the supplier left it blank or wrote "unknown"."""
    name: str
    country: str | None
    source_of_id: str | None
    street: str | None
    city: str | None
    state_province: str | None
    mine_names: str | None
    mine_countries: str | None
    recycled_scrap_only: bool | None
    comments: str | None


_HEADER_ROWS = 10
# Column headers as matched by `label_key`, per SmelterEntry field ("cid_input" and "look_up"
# are the template's look-up helpers, read only when the real column is blank).
_SMELTER_HEADERS: dict[str, tuple[str, ...]] = {
    "cid_input": ("smelter identification number input column",),
    "metal": ("metal", "mineral", "metal/mineral", "mineral/metal"),
    "look_up": ("smelter look-up", "smelter lookup", "smelter look up"),
    "name": ("smelter name", "smelter/refiner name", "smelter or refiner name"),
    "country": ("smelter country", "smelter/refiner country"),
    "smelter_id": ("smelter identification", "smelter identification number", "smelter id"),
    "source_of_id": ("source of smelter identification number",),
    "street": ("smelter street",),
    "city": ("smelter city",),
    "state_province": ("smelter facility location: state/province", "state/province"),
    "mine_names": (
        'name of mine(s) or if recycled or scrap sourced, enter "recycled" or "scrap"',
        "name of mine(s)",
    ),
    "mine_countries": (
        'location (country) of mine(s) or if recycled or scrap sourced, enter "recycled" or '
        '"scrap"',
        "location (country) of mine(s)",
    ),
    "recycled_scrap_only": (
        "does 100% of the smelter's feedstock originate from recycled or scrap sources?",
    ),
    "comments": ("comments", "comment"),
}
_HEADER_FIELD = {alias: field for field, aliases in _SMELTER_HEADERS.items() for alias in aliases}
_REQUIRED_HEADERS = {
    "metal": "Metal",
    "name": "Smelter Name",
    "smelter_id": "Smelter Identification",
}
_NOT_LISTED = "smelter not listed"
_RECYCLED = {"yes": True, "no": False, "unknown": None}


def read_smelter_list(
    sheet: ReadOnlyWorksheet,
    layout: TemplateLayout,
    scope: tuple[Metal, ...],
    issues: IssueLog,
) -> tuple[SmelterEntry, ...]:
    """One entry per filled row under the header; problems and warnings go to `issues`."""
    header = _find_header(sheet, issues)
    if header is None:
        return ()
    header_row, columns = header
    entries: list[SmelterEntry] = []
    first_rows: dict[tuple[Metal, str], int] = {}
    for number, row in sheet_rows(sheet, first=header_row + 1):
        cells = {field: text(at(row, column)) for field, column in columns.items()}
        if not any(cells.values()):
            continue
        entry = _SmelterRow(sheet.title, number, cells, columns, issues).entry(layout, scope)
        if entry is None:
            continue
        entries.append(entry)
        if entry.smelter_id is None:
            continue
        key = (entry.metal, entry.smelter_id)
        if key in first_rows:
            issues.warn(
                sheet.title,
                number,
                columns["smelter_id"],
                f"{entry.smelter_id} is listed for {entry.metal} again (first in row "
                f"{first_rows[key]})",
            )
        first_rows.setdefault(key, number)
    return tuple(entries)


def _find_header(sheet: ReadOnlyWorksheet, issues: IssueLog) -> tuple[int, dict[str, int]] | None:
    """The first of the top rows holding every required header, with each field's column."""
    best: tuple[int, dict[str, int]] | None = None
    for number, row in sheet_rows(sheet, last=_HEADER_ROWS):
        columns: dict[str, int] = {}
        for column, value in enumerate(row, start=1):
            field = _HEADER_FIELD.get(label_key(value))
            if field is not None:
                columns.setdefault(field, column)
        if all(field in columns for field in _REQUIRED_HEADERS):
            return number, columns
        if columns and (best is None or len(columns) > len(best[1])):
            best = (number, columns)
    if best is None:
        wanted = ", ".join(f'"{label}"' for label in _REQUIRED_HEADERS.values())
        issues.error(sheet.title, None, None, f"no header row ({wanted}) in rows 1-{_HEADER_ROWS}")
        return None
    for field, label in _REQUIRED_HEADERS.items():
        if field not in best[1]:
            issues.error(sheet.title, best[0], None, f'no "{label}" column in the header row')
    return None


class _SmelterRow:
    """One filled row of the Smelter List, checked field by field."""

    def __init__(
        self,
        sheet: str,
        number: int,
        cells: dict[str, str | None],
        columns: dict[str, int],
        issues: IssueLog,
    ) -> None:
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.columns = columns
        self.issues = issues
        self.valid = True

    def get(self, field: str) -> str | None:
        return self.cells.get(field)

    def error(self, field: str, message: str) -> None:
        self.issues.error(self.sheet, self.number, self.columns.get(field), message)
        self.valid = False

    def warn(self, field: str, message: str) -> None:
        self.issues.warn(self.sheet, self.number, self.columns.get(field), message)

    def entry(self, layout: TemplateLayout, scope: tuple[Metal, ...]) -> SmelterEntry | None:
        metal = self.metal(layout, scope)
        smelter_id = self.smelter_id()
        name = self.get("name")
        look_up = self.get("look_up")
        if name is None and look_up is not None and label_key(look_up) != _NOT_LISTED:
            name = look_up
        if name is None:
            self.error("name", "smelter name is blank")
        recycled = self.recycled_scrap_only()
        if not self.valid or metal is None or name is None:
            return None
        return SmelterEntry(
            row=self.number,
            metal=metal,
            smelter_id=smelter_id,
            name=name,
            country=self.get("country"),
            source_of_id=self.get("source_of_id"),
            street=self.get("street"),
            city=self.get("city"),
            state_province=self.get("state_province"),
            mine_names=self.get("mine_names"),
            mine_countries=self.get("mine_countries"),
            recycled_scrap_only=recycled,
            comments=self.get("comments"),
        )

    def metal(self, layout: TemplateLayout, scope: tuple[Metal, ...]) -> Metal | None:
        written = self.get("metal")
        metal, alias = read_metal(written)
        if written is None:
            self.error("metal", "metal is blank")
            return None
        if metal is None or metal not in layout.metals:
            self.error("metal", f'metal "{written}" is not one of {", ".join(layout.metals)}')
            return None
        if alias:
            self.warn("metal", f'metal "{written}" read as {metal}')
        if metal not in scope:
            declared = ", ".join(scope) or "none"
            self.warn("metal", f"{metal} is not among the minerals declared in scope ({declared})")
        return metal

    def smelter_id(self) -> str | None:
        """The CID; the look-up input column stands in when the identification is blank."""
        field = "smelter_id"
        if self.get(field) is None and self.get("cid_input") is not None:
            field = "cid_input"
        written = self.get(field)
        if written is None or written.casefold() == "unknown":
            self.warn(field, "no smelter identification number (CID)")
            return None
        cid = written.upper()
        if not RMI_FACILITY_ID.fullmatch(cid):
            self.error(field, f'smelter id "{written}" is not "CID" followed by 6 digits')
            return None
        return cid

    def recycled_scrap_only(self) -> bool | None:
        written = self.get("recycled_scrap_only")
        if written is None:
            return None
        if written.casefold() not in _RECYCLED:
            self.error("recycled_scrap_only", f'"{written}" is not Yes, No or Unknown')
            return None
        return _RECYCLED[written.casefold()]
