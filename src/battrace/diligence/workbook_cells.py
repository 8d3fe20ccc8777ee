"""Reading operator-supplied spreadsheets cell by cell, and saying what is wrong with them.

Shared by the RMI template reader (`workbooks`) and the assurance-list import
(`assurance_lists`): opening an .xlsx/.xlsm from a path or bytes, turning cell values into
text and dates, matching labels the way a person reads them, and collecting every problem
as a `WorkbookIssue` that names sheet, row and Excel column, so that one upload reports all
of its faults at once (`WorkbookInvalid`).
"""

from __future__ import annotations

import io
import os
import re
import time
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from battrace import errors

WorkbookSource = str | os.PathLike[str] | bytes
"""A file path, or the file's bytes as uploaded."""

MAX_ISSUES = 50
"""Problems listed in one error; past this only their number is reported."""

Row = tuple[object, ...]

RMI_FACILITY_ID = re.compile(r"CID[0-9]{6}")
"""An RMI smelter/refiner identification number: "CID" and 6 digits (upper case)."""


@dataclass(frozen=True)
class WorkbookIssue:
    """One problem (or warning) at a place in the file; `row` is 1-based, `column` in letters."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    @property
    def location(self) -> str:
        """`Smelter List!B12`, `Smelter List, row 4`, `Declaration` or `` (the whole file)."""
        if self.row is not None and self.column is not None:
            cell = f"{self.column}{self.row}"
            return f"{self.sheet}!{cell}" if self.sheet else cell
        place = f"row {self.row}" if self.row is not None else ""
        place = place or (f"column {self.column}" if self.column is not None else "")
        return ", ".join(part for part in (self.sheet, place) if part)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class WorkbookInvalid(errors.ValidationFailed):
    """The file cannot be read as what it claims to be; `issues` says where and why."""

    def __init__(self, issues: tuple[WorkbookIssue, ...], *, unlisted: int = 0) -> None:
        message = "; ".join(str(issue) for issue in issues)
        if unlisted:
            message += f"; and {unlisted} more problems"
        super().__init__(message)
        self.issues = issues
        self.unlisted = unlisted


@dataclass
class IssueLog:
    """Collects errors and warnings while a file is read; `check` raises if any error was seen."""

    errors: list[WorkbookIssue] = field(default_factory=list)
    warnings: list[WorkbookIssue] = field(default_factory=list)
    unlisted_errors: int = 0

    def error(self, sheet: str | None, row: int | None, column: int | None, message: str) -> None:
        if len(self.errors) < MAX_ISSUES:
            self.errors.append(WorkbookIssue(sheet, row, _letter(column), message))
        else:
            self.unlisted_errors += 1

    def warn(self, sheet: str | None, row: int | None, column: int | None, message: str) -> None:
        self.warnings.append(WorkbookIssue(sheet, row, _letter(column), message))

    def invalid(self) -> WorkbookInvalid:
        """The error listing what was collected."""
        return WorkbookInvalid(tuple(self.errors), unlisted=self.unlisted_errors)

    def check(self) -> None:
        """Raise `invalid()` if any error was collected."""
        if self.errors:
            raise self.invalid()


def _letter(column: int | None) -> str | None:
    return None if column is None else get_column_letter(column)


def fail(message: str) -> WorkbookInvalid:
    """The error for a problem with the file as a whole."""
    return WorkbookInvalid((WorkbookIssue(None, None, None, message),))


def source_bytes(source: WorkbookSource) -> bytes:
    """The file's content. The kind of file is told from the content, never from its name."""
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def is_zip(content: bytes) -> bool:
    return content.startswith(b"PK\x03\x04")


@contextmanager
def opened_workbook(content: bytes) -> Iterator[Workbook]:
    """The workbook, read-only with cached formula values, closed on exit.

    RMI templates carry Excel 2010 extensions (drop-down data validations, conditional
    formats) that openpyxl cannot keep and warns about, while loading and, in read-only mode,
    while rows are iterated. Only values are read here, so losing them is harmless: that one
    warning is ignored for the whole read; every other warning still surfaces.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r".* extension is not supported and will be removed",
            category=UserWarning,
            module=r"openpyxl\.",
        )
        _check_expanded_size(content)
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ParseError, OSError) as exc:
            raise fail(f"not an .xlsx or .xlsm workbook ({exc})") from exc
        try:
            yield book
        finally:
            book.close()


# Bounds on an untrusted workbook: what its parts expand to, and the rows read from a sheet
# (RMI templates hold a few thousand; a 29 KB file can claim hundreds of thousands).
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
MAX_SHEET_ROWS = 20_000


def _check_expanded_size(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise fail(f"not an .xlsx or .xlsm workbook ({exc})") from exc
    if expanded > MAX_EXPANDED_BYTES:
        raise fail(f"the workbook expands to more than {MAX_EXPANDED_BYTES} bytes")


def find_sheet(book: Workbook, name: str) -> ReadOnlyWorksheet | None:
    """The sheet called `name`, ignoring case and surrounding spaces."""
    wanted = name.strip().casefold()
    for sheet in book.worksheets:
        if sheet.title.strip().casefold() == wanted:
            return _whole(sheet)
    return None


def first_sheet(book: Workbook) -> ReadOnlyWorksheet:
    """The workbook's first worksheet."""
    if not book.worksheets:
        raise fail("the workbook has no worksheet")
    return _whole(book.worksheets[0])


def _whole(sheet: object) -> ReadOnlyWorksheet:
    if not isinstance(sheet, ReadOnlyWorksheet):  # opened_workbook always reads read-only
        raise TypeError(f"expected a read-only worksheet, got {type(sheet).__name__}")
    # The used range stored in files other tools wrote is often wrong; read to the real end.
    sheet.reset_dimensions()
    return sheet


def sheet_rows(
    sheet: ReadOnlyWorksheet, *, first: int = 1, last: int | None = None
) -> Iterator[tuple[int, Row]]:
    """(row number, values) from `first` to `last`; rows missing from the file come empty.
    A sheet read to its end may hold at most `MAX_SHEET_ROWS` rows."""
    end = min(last, MAX_SHEET_ROWS) if last is not None else MAX_SHEET_ROWS
    rows = enumerate(islice(sheet.values, first - 1, None), start=first)
    for number, row in rows:
        if number > end:
            if last is not None and number > last:
                return
            raise fail(f"{sheet.title}: more than {MAX_SHEET_ROWS} rows")
        yield number, row


def at(row: Row, column: int) -> object:
    """The value in 1-based `column` of `row`, None past its end."""
    return row[column - 1] if 0 < column <= len(row) else None


def text(value: object) -> str | None:
    """A cell as trimmed text; None for empty cells and blank strings."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


_TRAILING_MARKERS = re.compile(r"(?:\s+\([^()]*\)|\s*[*:])+\s*$")
_SPACES = re.compile(r"\s+")
_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "’": "'", "‘": "'", "–": "-", "—": "-"})


def label_key(value: object) -> str:
    """A label as matched against known labels.

    Case, repeated or surrounding white space, typographic quotes and dashes, spaces around
    `/` and trailing markers such as ` (*)`, ` (1)`, ` (DD-MMM-YYYY)` and `:` do not count.
    """
    raw = text(value)
    if raw is None:
        return ""
    key = _SPACES.sub(" ", raw.translate(_TYPOGRAPHY)).casefold()
    key = _TRAILING_MARKERS.sub("", key)
    return key.replace(" /", "/").replace("/ ", "/").replace(" :", ":").strip()


_DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y", "%d-%B-%Y", "%d %b %Y", "%d %B %Y")
_FIRST_SERIAL = 1  # 1900-01-01
_LAST_SERIAL = 2958465  # 9999-12-31


def cell_date(value: object) -> date | None:
    """A date cell; None when empty. Raises ValueError for anything that is not a date.

    Text is read as ISO (2025-01-31) or as the templates' DD-MMM-YYYY (31-Jan-2025), never in
    an order that depends on locale (01/02/2025). A plain number is an Excel date serial whose
    cell lost its date format.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _FIRST_SERIAL <= value <= _LAST_SERIAL:
            serial = from_excel(value)
            return serial.date() if isinstance(serial, datetime) else None
        raise ValueError(f"{value} is not a date")
    raw = text(value)
    if raw is None:
        return None
    for pattern in _DATE_FORMATS:
        try:
            parsed = time.strptime(raw, pattern)
        except ValueError:
            continue
        return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    raise ValueError(f'"{raw}" is not a date (write it as 31-Jan-2025 or 2025-01-31)')
