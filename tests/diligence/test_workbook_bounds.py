"""Untrusted workbooks are bounded (hardening item 8): a sheet of more rows than any RMI
template holds, or parts that expand past the limit, are refused early as `WorkbookInvalid`."""

from __future__ import annotations

import io
import zipfile

import pytest

from battrace.diligence.workbook_cells import MAX_EXPANDED_BYTES, MAX_SHEET_ROWS
from battrace.diligence.workbooks import WorkbookInvalid, parse_assurance_list, parse_workbook
from tests.diligence.workbooks import TemplateSpec, build


def test_a_sheet_past_the_row_limit_is_refused() -> None:
    content = build(TemplateSpec(styled_empty_rows=MAX_SHEET_ROWS + 10))
    with pytest.raises(WorkbookInvalid, match=f"more than {MAX_SHEET_ROWS} rows"):
        parse_workbook(content)


def test_a_workbook_expanding_past_the_limit_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (MAX_EXPANDED_BYTES + 1))
    assert len(buffer.getvalue()) < 200_000  # small on the wire
    with pytest.raises(WorkbookInvalid, match="expands to more than"):
        parse_workbook(buffer.getvalue())


def test_a_csv_list_past_the_row_limit_is_refused() -> None:
    rows = "CID,scheme,status,valid_to\n" + "CID000001,RMAP,conformant,\n" * (MAX_SHEET_ROWS + 1)
    with pytest.raises(WorkbookInvalid, match=f"more than {MAX_SHEET_ROWS} rows"):
        parse_assurance_list(rows.encode())
