"""Facility assurance lists: which smelters and refiners an assurance scheme vouches for.

RMI's own facility database is for its members only, so an operator supplies what it knows
as a CSV or .xlsx with the columns `CID, scheme, status, valid_to` (one row per facility and
scheme; header row within the first ten rows; any column order; more columns are ignored).
`parse_assurance_list` reads it, reporting every bad cell as `WorkbookInvalid` like the
template reader does; `assurance_status` says where one facility stands on a given day.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from battrace.diligence.models import AssuranceScheme, AssuranceStatus
from battrace.diligence.workbook_cells import (
    MAX_SHEET_ROWS,
    RMI_FACILITY_ID,
    IssueLog,
    Row,
    WorkbookSource,
    at,
    cell_date,
    fail,
    first_sheet,
    is_zip,
    label_key,
    opened_workbook,
    sheet_rows,
    source_bytes,
    text,
)


@dataclass(frozen=True)
class FacilityAssurance:
    row: int
    """The row in the file, as a spreadsheet numbers it (the header counts)."""
    facility_id: str
    scheme: AssuranceScheme
    scheme_name: str
    status: AssuranceStatus
    valid_to: date | None
    """The last day the status holds; None when the list gives no end."""


_HEADERS: dict[str, tuple[str, ...]] = {
    "cid": ("cid", "smelter id", "facility id"),
    "scheme": ("scheme",),
    "status": ("status",),
    "valid_to": ("valid to", "valid until"),
}
_HEADER_FIELD = {alias: field for field, aliases in _HEADERS.items() for alias in aliases}
_HEADER_ROWS = 10
_SCHEMES = {
    "rmap": AssuranceScheme.RMAP,
    "copper mark": AssuranceScheme.COPPER_MARK,
    "coppermark": AssuranceScheme.COPPER_MARK,
    "the copper mark": AssuranceScheme.COPPER_MARK,
}
_STATUSES = {
    "conformant": AssuranceStatus.CONFORMANT,
    "active": AssuranceStatus.ACTIVE,
    "not enrolled": AssuranceStatus.NOT_ENROLLED,
    "unknown": AssuranceStatus.UNKNOWN,
}
_SEPARATORS = re.compile(r"[\s_-]+")


def _key(value: str) -> str:
    return _SEPARATORS.sub(" ", label_key(value)).strip()


def parse_assurance_list(source: WorkbookSource) -> tuple[FacilityAssurance, ...]:
    """Read an assurance list (CSV or .xlsx/.xlsm, a path or bytes; told apart by content).

    Scheme and status are read ignoring case, spaces, "_" and "-" ("Copper Mark",
    "not enrolled"); a scheme other than RMAP or the Copper Mark is OTHER. Raises
    `WorkbookInvalid` listing every problem found.
    """
    content = source_bytes(source)
    issues = IssueLog()
    if is_zip(content):
        with opened_workbook(content) as book:
            sheet = first_sheet(book)
            assurances = _read_rows(sheet.title, sheet_rows(sheet), issues)
    else:
        assurances = _read_rows(None, _csv_rows(content), issues)
    issues.check()
    return assurances


def _csv_rows(content: bytes) -> Iterator[tuple[int, Row]]:
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"not an .xlsx or .xlsm workbook, nor a UTF-8 CSV file ({exc})") from exc
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            decoded.split("\n", 1)[0], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    try:
        records = csv.reader(io.StringIO(decoded), dialect)
        for number, record in enumerate(records, start=1):
            if number > MAX_SHEET_ROWS:
                raise fail(f"more than {MAX_SHEET_ROWS} rows")
            yield number, tuple(record)
    except csv.Error as exc:
        raise fail(f"not a readable CSV file ({exc})") from exc


def _read_rows(
    sheet: str | None, rows: Iterator[tuple[int, Row]], issues: IssueLog
) -> tuple[FacilityAssurance, ...]:
    columns: dict[str, int] | None = None
    partial: tuple[int, dict[str, int]] | None = None
    assurances: list[FacilityAssurance] = []
    for number, row in rows:
        if columns is None:
            if number > _HEADER_ROWS:
                break
            found = _header(row)
            if len(found) == len(_HEADERS):
                columns = found
            elif found and (partial is None or len(found) > len(partial[1])):
                partial = (number, found)
            continue
        cells = {field: text(at(row, column)) for field, column in columns.items()}
        if any(cells.values()):
            assurance = _assurance(sheet, number, cells, columns, issues)
            if assurance is not None:
                assurances.append(assurance)
    if columns is None and partial is not None:
        for field in _HEADERS:
            if field not in partial[1]:
                issues.error(sheet, partial[0], None, f'no "{field}" column in the header row')
    elif columns is None:
        wanted = ", ".join(_HEADERS)
        issues.error(sheet, None, None, f"no header row ({wanted}) in rows 1-{_HEADER_ROWS}")
    return tuple(assurances)


def _header(row: Row) -> dict[str, int]:
    columns: dict[str, int] = {}
    for column, value in enumerate(row, start=1):
        field = _HEADER_FIELD.get(_key(text(value) or ""))
        if field is not None:
            columns.setdefault(field, column)
    return columns


def _assurance(
    sheet: str | None,
    number: int,
    cells: dict[str, str | None],
    columns: dict[str, int],
    issues: IssueLog,
) -> FacilityAssurance | None:
    problems: list[tuple[str, str]] = []
    cid = (cells["cid"] or "").upper()
    if not cid:
        problems.append(("cid", "CID is blank"))
    elif not RMI_FACILITY_ID.fullmatch(cid):
        problems.append(("cid", f'CID "{cells["cid"]}" is not "CID" followed by 6 digits'))

    scheme_name = cells["scheme"] or ""
    if not scheme_name:
        problems.append(("scheme", "scheme is blank"))
    scheme = _SCHEMES.get(_key(scheme_name), AssuranceScheme.OTHER)

    status = _STATUSES.get(_key(cells["status"] or ""))
    if status is None:
        written = cells["status"]
        choices = "conformant, active, not enrolled or unknown"
        problems.append(
            ("status", f'status "{written}" is not {choices}' if written else "status is blank")
        )

    valid_to: date | None = None
    try:
        valid_to = cell_date(cells["valid_to"])
    except ValueError as exc:
        problems.append(("valid_to", f"valid_to: {exc}"))

    for field, message in problems:
        issues.error(sheet, number, columns[field], message)
    if problems or status is None:
        return None
    return FacilityAssurance(number, cid, scheme, scheme_name, status, valid_to)


_STRENGTH = {
    AssuranceStatus.CONFORMANT: 3,
    AssuranceStatus.ACTIVE: 2,
    AssuranceStatus.NOT_ENROLLED: 1,
    AssuranceStatus.UNKNOWN: 0,
}
_SCHEME_PREFERENCE = {AssuranceScheme.RMAP: 2, AssuranceScheme.COPPER_MARK: 1}


def strongest_entry(
    cid: str, assurances: Iterable[FacilityAssurance], on: date
) -> FacilityAssurance | None:
    """The entry that decides where facility `cid` stands on day `on` (see
    `assurance_status`), or None when the lists do not name it."""
    wanted = cid.strip().upper()
    entries = [a for a in assurances if a.facility_id == wanted]
    if not entries:
        return None
    return max(
        entries,
        key=lambda entry: (
            _STRENGTH[_status_on(entry, on)],
            entry.valid_to or date.max,
            _SCHEME_PREFERENCE.get(entry.scheme, 0),
        ),
    )


def _status_on(entry: FacilityAssurance, on: date) -> AssuranceStatus:
    return (
        entry.status if entry.valid_to is None or on <= entry.valid_to else AssuranceStatus.UNKNOWN
    )


def assurance_status(
    cid: str, assurances: Iterable[FacilityAssurance], on: date
) -> tuple[AssuranceScheme | None, AssuranceStatus]:
    """Where facility `cid` stands on day `on`, by the operator's assurance lists.

    - No entry for the facility: `(None, unknown)`.
    - An entry whose `valid_to` is before `on` has lapsed and counts as `(its scheme,
      unknown)`: the facility was assessed once, but nothing says it still is.
    - Of several entries the strongest status wins (conformant > active > not enrolled >
      unknown: a current "not enrolled" is a fact, "unknown" is none); a tie goes to the one
      valid longest (no end first), then to RMAP, then to the Copper Mark.
    """
    entry = strongest_entry(cid, assurances, on)
    if entry is None:
        return None, AssuranceStatus.UNKNOWN
    return entry.scheme, _status_on(entry, on)
