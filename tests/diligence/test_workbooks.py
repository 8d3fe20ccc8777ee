"""The RMI workbook reader and the assurance-list import, on synthetic workbooks (no database)."""

from __future__ import annotations

import io
import string
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from battrace.diligence.workbook_layouts import LAYOUTS
from battrace.diligence.workbooks import (
    AssuranceScheme,
    AssuranceStatus,
    FacilityAssurance,
    Metal,
    SmelterEntry,
    WorkbookInvalid,
    assurance_status,
    parse_assurance_list,
    parse_workbook,
)
from battrace.errors import ValidationFailed
from tests.diligence.workbooks import (
    METAL_NAMES,
    SmelterRow,
    TemplateSpec,
    assurance_rows,
    build,
    write,
)

EMRT_2 = {"kind": "EMRT", "version": "2.1"}


def invalid(spec: TemplateSpec) -> WorkbookInvalid:
    with pytest.raises(WorkbookInvalid) as caught:
        parse_workbook(build(spec))
    return caught.value


def messages(spec: TemplateSpec) -> list[str]:
    return [str(issue) for issue in parse_workbook(build(spec)).warnings]


# --- happy paths ----------------------------------------------------------------------------


def test_cmrt_6_declaration_and_smelters() -> None:
    spec = TemplateSpec(
        answers={("1", "tantalum"): "No", ("1", "tungsten"): "No", ("6", "tin"): "100%"},
        company_answers={"B": "No"},
        smelters=[
            SmelterRow(
                metal="Tin",
                name="Example Tin Smelter",
                smelter_id="CID000001",
                country="JAPAN",
                street="1 Smelter Road",
                city="Osaka",
                state_province="Osaka",
                mine_names="recycled",
                mine_countries="recycled",
                recycled="Yes",
                comments="audited",
            ),
            SmelterRow(
                metal="Gold", name="Example Refinery", smelter_id="CID002000", recycled="No"
            ),
        ],
    )
    parsed = parse_workbook(build(spec))

    assert (parsed.kind, parsed.version, parsed.warnings) == ("CMRT", "6.4", ())
    declaration = parsed.declaration
    assert declaration.company_name == "Example Metals Co., Ltd."
    assert declaration.declaration_scope == "A. Company"
    assert declaration.scope_description is None
    assert declaration.company_identifier == "1234567890123"
    assert declaration.address == "1-1 Example, Tokyo"
    # The representative's e-mail, not the contact's listed above it.
    assert declaration.representative_name == "Hanako Sato"
    assert declaration.representative_title == "Compliance Manager"
    assert declaration.representative_email == "hanako.sato@example.com"
    assert declaration.representative_phone == "+81-3-0000-0000"
    assert declaration.completed_on == date(2025, 1, 31)
    # The CMRT has no scope selection: the metals answering Yes to question 1 are in scope.
    assert declaration.minerals == ("tin", "gold")
    assert len(declaration.mineral_answers) == 8 * 4
    sixth = [a for a in declaration.mineral_answers if a.question == "6" and a.mineral == "tin"]
    assert [(a.answer, a.comment) for a in sixth] == [("100%", "note 6 tin")]
    assert [a.question for a in declaration.company_answers] == list("ABCDEFGH")
    assert declaration.company_answers[1].answer == "No"
    assert declaration.company_answers[1].comment == "comment B"

    assert parsed.smelters == (
        SmelterEntry(
            row=5,
            metal=Metal.TIN,
            smelter_id="CID000001",
            name="Example Tin Smelter",
            country="JAPAN",
            source_of_id="RMI",
            street="1 Smelter Road",
            city="Osaka",
            state_province="Osaka",
            mine_names="recycled",
            mine_countries="recycled",
            recycled_scrap_only=True,
            comments="audited",
        ),
        SmelterEntry(
            row=6,
            metal=Metal.GOLD,
            smelter_id="CID002000",
            name="Example Refinery",
            country="JAPAN",
            source_of_id="RMI",
            street=None,
            city=None,
            state_province=None,
            mine_names=None,
            mine_countries=None,
            recycled_scrap_only=False,
            comments=None,
        ),
    )


def test_emrt_2_scope_selection_and_per_mineral_company_question() -> None:
    spec = TemplateSpec(
        **EMRT_2,
        scope=("cobalt", "natural_graphite", "lithium", "nickel"),
        per_mineral_company_questions=("C",),
        answers={("C", "lithium"): "Yes"},
        smelters=[
            SmelterRow(metal="Cobalt", name="Cobalt Refinery", smelter_id="CID003001"),
            SmelterRow(metal="Natural Graphite", name="Graphite Plant", smelter_id="CID003002"),
            SmelterRow(metal="Lithium", name="Lithium Refinery", smelter_id="CID003003"),
            SmelterRow(metal="nickel", name="Nickel Refinery", smelter_id="cid003004 "),
        ],
    )
    parsed = parse_workbook(build(spec))

    assert (parsed.kind, parsed.version, parsed.warnings) == ("EMRT", "2.1", ())
    assert parsed.declaration.minerals == ("cobalt", "natural_graphite", "lithium", "nickel")
    assert len([a for a in parsed.declaration.mineral_answers if a.question.isdigit()]) == 7 * 6
    per_mineral_c = {
        a.mineral: a.answer for a in parsed.declaration.mineral_answers if a.question == "C"
    }
    assert per_mineral_c[Metal.LITHIUM] == "Yes"
    assert len(per_mineral_c) == 6
    assert [a.question for a in parsed.declaration.company_answers] == list("ABDEFG")
    assert [(s.metal, s.smelter_id) for s in parsed.smelters] == [
        ("cobalt", "CID003001"),
        ("natural_graphite", "CID003002"),
        ("lithium", "CID003003"),
        ("nickel", "CID003004"),
    ]


def test_emrt_1_scope_written_as_a_list() -> None:
    spec = TemplateSpec(
        kind="EMRT",
        version="1.3",
        scope=("mica",),
        scope_as_list=True,
        smelters=[SmelterRow(metal="Mica", name="Mica Processor", smelter_id="CID004000")],
    )
    parsed = parse_workbook(build(spec))
    assert (parsed.kind, parsed.version) == ("EMRT", "1.3")
    assert parsed.declaration.minerals == ("mica",)
    assert parsed.warnings == ()


def test_emrt_1_does_not_know_the_2_0_minerals() -> None:
    spec = TemplateSpec(kind="EMRT", version="1.3", smelters=[SmelterRow(metal="Lithium")])
    assert [str(i) for i in invalid(spec).issues] == [
        'Smelter List!B5: metal "Lithium" is not one of cobalt, mica'
    ]


def test_every_layout_reads_its_own_versions() -> None:
    for layout in LAYOUTS:
        for version in layout.versions:
            spec = TemplateSpec(kind=layout.kind, version=version, smelters=[])
            parsed = parse_workbook(build(spec))
            assert (parsed.kind, parsed.version, parsed.warnings) == (layout.kind, version, ())


def test_question_topics_follow_the_template() -> None:
    cmrt, emrt_1, _ = LAYOUTS
    assert cmrt.topic("4") == "cahra_sourced"
    assert emrt_1.topic("3") == "cahra_sourced"
    assert cmrt.topic("A") is None
    assert cmrt.topic("9") is None


# --- inputs ---------------------------------------------------------------------------------


def test_path_bytes_and_xlsm(tmp_path: Path) -> None:
    spec = TemplateSpec()
    from_bytes = parse_workbook(build(spec))
    from_path = parse_workbook(write(spec, tmp_path / "supplier.xlsx"))
    from_str = parse_workbook(str(write(spec, tmp_path / "again.xlsx")))
    xlsm = write(TemplateSpec(macro_enabled=True), tmp_path / "supplier.xlsm")
    with zipfile.ZipFile(xlsm) as archive:
        assert b"macroEnabled.main" in archive.read("[Content_Types].xml")
    from_xlsm = parse_workbook(xlsm)
    assert from_bytes == from_path == from_str == from_xlsm


def test_data_validation_extensions_do_not_warn() -> None:
    content = build(TemplateSpec(validation_extension=True))
    # The fixture does carry the extension openpyxl warns about ...
    with pytest.warns(UserWarning, match="Data Validation extension is not supported"):
        book = load_workbook(io.BytesIO(content))
    book.close()
    # ... and the reader, which only needs values, reads it without a warning.
    assert parse_workbook(content).smelters[0].smelter_id == "CID000001"


@pytest.mark.parametrize(
    "content",
    [b"not a workbook", b"", b"CID,scheme,status,valid_to\n", b"PK\x03\x04broken zip"],
)
def test_not_a_workbook(content: bytes) -> None:
    with pytest.raises(WorkbookInvalid, match=r"^not an \.xlsx or \.xlsm workbook") as caught:
        parse_workbook(content)
    assert isinstance(caught.value, ValidationFailed)
    assert caught.value.issues[0].sheet is None


def test_a_text_file_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "supplier.xlsx"
    path.write_text("Company Name,Example\n")
    with pytest.raises(WorkbookInvalid, match=r"not an \.xlsx or \.xlsm workbook"):
        parse_workbook(path)


def test_a_workbook_that_is_no_template() -> None:
    spec = TemplateSpec(title="Supplier answers", revision_sheet=False)
    assert "no CMRT or EMRT title" in invalid(spec).message


# --- version detection ----------------------------------------------------------------------


def test_version_from_the_revision_tab_latest_listed() -> None:
    spec = TemplateSpec(version="6.31", title="Conflict Minerals Reporting Template")
    spec.revisions = ("6.0", "Revision 6.22", 6.31, "6.1", "not a version 9.9")
    assert parse_workbook(build(spec)).version == "6.31"


def test_versions_compare_as_decimals() -> None:
    spec = TemplateSpec(
        kind="EMRT", version="1.2", title="EMRT", revisions=("1.1", "1.11", "1.2"), smelters=[]
    )
    assert parse_workbook(build(spec)).version == "1.2"


def test_version_from_the_declaration_title_without_revision_tab() -> None:
    spec = TemplateSpec(version="6.22", revision_sheet=False)
    assert parse_workbook(build(spec)).version == "6.22"


def test_title_and_revision_tab_disagree() -> None:
    spec = TemplateSpec(version="6.31", revisions=("6.4",))
    parsed = parse_workbook(build(spec))
    assert parsed.version == "6.4"
    assert [str(w) for w in parsed.warnings] == [
        "Declaration: the title says version 6.31 but the Revision tab lists 6.4; read as 6.4"
    ]


@pytest.mark.parametrize(
    ("kind", "version", "nearest"), [("CMRT", "6.6", "6.5"), ("EMRT", "2.7", "2.1")]
)
def test_a_newer_minor_version_reads_with_the_nearest_layout(
    kind: str, version: str, nearest: str
) -> None:
    parsed = parse_workbook(build(TemplateSpec(kind=kind, version=version, smelters=[])))
    assert parsed.version == version
    assert [str(w) for w in parsed.warnings] == [
        f"{kind} {version} is not a version battrace knows; read with the {kind} {nearest} layout"
    ]


@pytest.mark.parametrize(("kind", "version"), [("CMRT", "7.0"), ("CMRT", "5.12"), ("EMRT", "3.0")])
def test_an_unknown_major_version_is_refused(kind: str, version: str) -> None:
    error = invalid(TemplateSpec(kind=kind, version=version))
    assert error.message == (
        f"{kind} {version} is not supported (supported: CMRT 6.x, EMRT 1.x, EMRT 2.x)"
    )


def test_amrt_is_refused() -> None:
    spec = TemplateSpec(title="Additional Minerals Reporting Template (AMRT) Version 1.3")
    spec.revision_sheet = False
    assert invalid(spec).message == "AMRT workbooks are not supported (supported: CMRT, EMRT)"


def test_no_version_anywhere() -> None:
    spec = TemplateSpec(title="Conflict Minerals Reporting Template", revision_sheet=False)
    assert invalid(spec).message.startswith("CMRT: no template version")


# --- errors, each at its sheet, row and column ----------------------------------------------


def test_unknown_metal_names_its_cell() -> None:
    smelters = [SmelterRow() for _ in range(7)] + [SmelterRow(metal="Tinn", smelter_id="CID9")]
    error = invalid(TemplateSpec(smelters=smelters))
    assert str(error.issues[0]) == (
        'Smelter List!B12: metal "Tinn" is not one of tantalum, tin, gold, tungsten'
    )
    assert str(error.issues[1]) == (
        'Smelter List!F12: smelter id "CID9" is not "CID" followed by 6 digits'
    )
    assert (error.issues[0].sheet, error.issues[0].row, error.issues[0].column) == (
        "Smelter List",
        12,
        "B",
    )


@pytest.mark.parametrize(
    "smelter_id", ["CID12345", "CID1234567", "XID000001", "000001", "CID 00001"]
)
def test_smelter_id_must_be_cid_and_six_digits(smelter_id: str) -> None:
    error = invalid(TemplateSpec(smelters=[SmelterRow(smelter_id=smelter_id)]))
    assert error.message == (
        f'Smelter List!F5: smelter id "{smelter_id}" is not "CID" followed by 6 digits'
    )


def test_missing_sheet() -> None:
    error = invalid(TemplateSpec(drop_sheets=("Smelter List",)))
    assert error.issues[0].sheet == "Smelter List"
    assert error.message.startswith("Smelter List: no such sheet (the workbook has Revision, ")


def test_missing_header_column() -> None:
    error = invalid(TemplateSpec(headers={"smelter_id": None}))
    assert (
        error.message == 'Smelter List, row 4: no "Smelter Identification" column in the header row'
    )


def test_no_header_row_in_the_top_rows() -> None:
    error = invalid(TemplateSpec(header_row=11))
    assert error.message == (
        'Smelter List: no header row ("Metal", "Smelter Name", "Smelter Identification") in rows 1-10'
    )


def test_header_found_wherever_it_is_and_however_it_is_written() -> None:
    spec = TemplateSpec(
        header_row=7,
        headers={
            "metal": "  METAL  ",
            "name": "smelter name (*)",
            "smelter_id": "Smelter\nIdentification",
        },
    )
    parsed = parse_workbook(build(spec))
    assert [(s.row, s.smelter_id) for s in parsed.smelters] == [(8, "CID000001")]


def test_blank_company_name() -> None:
    assert (
        invalid(TemplateSpec(company_name="  ")).message == "Declaration!D8: company name is blank"
    )


def test_malformed_date() -> None:
    error = invalid(TemplateSpec(completed_on="31/01/2025"))
    assert error.message == (
        'Declaration!D21: date of completion: "31/01/2025" is not a date '
        "(write it as 31-Jan-2025 or 2025-01-31)"
    )


@pytest.mark.parametrize(
    "written", ["31-Jan-2025", "2025-01-31", "31 January 2025", 45688, date(2025, 1, 31)]
)
def test_dates_as_written_or_as_excel_dates(written: object) -> None:
    parsed = parse_workbook(build(TemplateSpec(completed_on=written)))
    assert parsed.declaration.completed_on == date(2025, 1, 31)


def test_other_row_errors() -> None:
    spec = TemplateSpec(
        smelters=[
            SmelterRow(metal=None),
            SmelterRow(name=None),
            SmelterRow(recycled="Maybe"),
        ]
    )
    assert [str(i) for i in invalid(spec).issues] == [
        "Smelter List!B5: metal is blank",
        "Smelter List!D6: smelter name is blank",
        'Smelter List!P7: "Maybe" is not Yes, No or Unknown',
    ]


def test_every_problem_is_reported_at_once_up_to_the_cap() -> None:
    smelters = [SmelterRow(metal="Tinn") for _ in range(60)]
    error = invalid(TemplateSpec(company_name=None, smelters=smelters))
    assert len(error.issues) == 50
    assert error.issues[0].message == "company name is blank"
    assert error.unlisted == 11
    assert error.message.endswith("; and 11 more problems")


# --- warnings -------------------------------------------------------------------------------


def test_rows_without_cid_are_kept_with_a_warning() -> None:
    spec = TemplateSpec(smelters=[SmelterRow(smelter_id=None), SmelterRow(smelter_id=" Unknown ")])
    parsed = parse_workbook(build(spec))
    assert [s.smelter_id for s in parsed.smelters] == [None, None]
    assert [str(w) for w in parsed.warnings] == [
        "Smelter List!F5: no smelter identification number (CID)",
        "Smelter List!F6: no smelter identification number (CID)",
    ]


def test_look_up_columns_stand_in_for_blank_ones() -> None:
    spec = TemplateSpec(
        smelters=[
            SmelterRow(
                smelter_id=None, cid_input="CID000777", name=None, look_up="Looked-up Smelter"
            ),
            SmelterRow(look_up="Smelter not listed", name=None),
        ]
    )
    error = invalid(spec)
    assert [str(i) for i in error.issues] == ["Smelter List!D6: smelter name is blank"]
    spec.smelters.pop()
    entry = parse_workbook(build(spec)).smelters[0]
    assert (entry.smelter_id, entry.name) == ("CID000777", "Looked-up Smelter")


def test_metal_spelled_another_way_is_mapped_with_a_warning() -> None:
    parsed = parse_workbook(build(TemplateSpec(smelters=[SmelterRow(metal="Sn")])))
    assert parsed.smelters[0].metal == Metal.TIN
    assert messages(TemplateSpec(smelters=[SmelterRow(metal="Sn")])) == [
        'Smelter List!B5: metal "Sn" read as tin'
    ]
    assert messages(TemplateSpec(smelters=[SmelterRow(metal=" TIN ")])) == []


def test_metal_outside_the_declared_scope() -> None:
    spec = TemplateSpec(answers={("1", "tin"): "No"}, smelters=[SmelterRow(metal="Tin")])
    assert messages(spec) == [
        "Smelter List!B5: tin is not among the minerals declared in scope "
        "(tantalum, gold, tungsten)"
    ]
    emrt = TemplateSpec(**EMRT_2, scope=("cobalt",), smelters=[SmelterRow(metal="Mica")])
    assert messages(emrt) == [
        "Smelter List!B5: mica is not among the minerals declared in scope (cobalt)"
    ]


def test_same_cid_twice_for_a_metal() -> None:
    spec = TemplateSpec(
        smelters=[
            SmelterRow(smelter_id="CID000001"),
            SmelterRow(metal="Gold", smelter_id="CID000001"),
            SmelterRow(smelter_id="cid000001"),
        ]
    )
    parsed = parse_workbook(build(spec))
    assert len(parsed.smelters) == 3
    assert [str(w) for w in parsed.warnings] == [
        "Smelter List!F7: CID000001 is listed for tin again (first in row 5)"
    ]


def test_empty_rows_are_skipped() -> None:
    spec = TemplateSpec(
        smelters=[
            SmelterRow(),
            SmelterRow(metal=None, name=None, smelter_id=None, country=None, source_of_id=None),
            SmelterRow(metal="Gold"),
        ],
        styled_empty_rows=30,
    )
    parsed = parse_workbook(build(spec))
    assert [s.row for s in parsed.smelters] == [5, 7]
    assert parsed.warnings == ()


def test_a_missing_declaration_label_is_a_warning() -> None:
    spec = TemplateSpec(relabel={"Description of Scope:": "Scope in your own words"})
    parsed = parse_workbook(build(spec))
    assert parsed.declaration.scope_description is None
    assert [str(w) for w in parsed.warnings] == [
        'Declaration: no "Description of Scope" label in columns B, C'
    ]


def test_a_missing_question_is_a_warning() -> None:
    spec = TemplateSpec(relabel={"H. Company question H? (*)": "Thank you"})
    parsed = parse_workbook(build(spec))
    assert [str(w) for w in parsed.warnings] == ["Declaration: question H not found"]


def test_a_missing_company_name_label_is_an_error() -> None:
    error = invalid(TemplateSpec(relabel={"Company Name (*):": "Who are you?"}))
    assert error.message == 'Declaration: no "Company Name" label in columns B, C'


# --- property: a well-formed smelter table round-trips --------------------------------------

_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,&()'-", min_size=1, max_size=16)
_WORD = _TEXT.map(str.strip).filter(lambda value: bool(value) and not value.startswith("-"))
_OPTIONAL = st.none() | _WORD
_CMRT_METALS = (Metal.TANTALUM, Metal.TIN, Metal.GOLD, Metal.TUNGSTEN)


@st.composite
def smelter_rows(draw: st.DrawFn) -> tuple[SmelterRow | None, ...]:
    rows: list[SmelterRow | None] = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        if draw(st.booleans()) and draw(st.booleans()):
            rows.append(None)  # a blank row between filled ones
            continue
        number = draw(st.none() | st.integers(min_value=0, max_value=999_999))
        rows.append(
            SmelterRow(
                metal=METAL_NAMES[draw(st.sampled_from(_CMRT_METALS)).value],
                name=draw(_WORD),
                smelter_id=None if number is None else f"CID{number:06d}",
                country=draw(_OPTIONAL),
                source_of_id=draw(_OPTIONAL),
                street=draw(_OPTIONAL),
                city=draw(_OPTIONAL),
                state_province=draw(_OPTIONAL),
                mine_names=draw(_OPTIONAL),
                mine_countries=draw(_OPTIONAL),
                recycled=draw(st.sampled_from([None, "Yes", "No"])),
                comments=draw(_OPTIONAL),
            )
        )
    return tuple(rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=smelter_rows())
def test_a_well_formed_smelter_table_round_trips(rows: tuple[SmelterRow | None, ...]) -> None:
    blank = SmelterRow(metal=None, name=None, smelter_id=None, country=None, source_of_id=None)
    spec = TemplateSpec(smelters=[blank if row is None else row for row in rows])
    parsed = parse_workbook(build(spec))
    expected = tuple(
        SmelterEntry(
            row=number,
            metal=Metal(str(row.metal).lower()),
            smelter_id=row.smelter_id,
            name=row.name,
            country=row.country,
            source_of_id=row.source_of_id,
            street=row.street,
            city=row.city,
            state_province=row.state_province,
            mine_names=row.mine_names,
            mine_countries=row.mine_countries,
            recycled_scrap_only={None: None, "Yes": True, "No": False}[row.recycled],
            comments=row.comments,
        )
        for number, row in enumerate(rows, start=5)
        if row is not None
    )
    assert parsed.smelters == expected


# --- assurance lists ------------------------------------------------------------------------

ASSURANCE_CSV = (
    "CID,Scheme,Status,Valid_To,Note\n"
    "CID000001,RMAP,Conformant,2026-03-31,\n"
    "cid000002 ,Copper Mark,ACTIVE,,\n"
    "CID000003,LBMA,not enrolled,31-Dec-2025,x\n"
    ",,,,\n"
    "CID000004,rmap,Not_Enrolled,,\n"
)


def test_assurance_list_from_csv_and_xlsx() -> None:
    expected = (
        FacilityAssurance(
            2,
            "CID000001",
            AssuranceScheme.RMAP,
            "RMAP",
            AssuranceStatus.CONFORMANT,
            date(2026, 3, 31),
        ),
        FacilityAssurance(
            3, "CID000002", AssuranceScheme.COPPER_MARK, "Copper Mark", AssuranceStatus.ACTIVE, None
        ),
        FacilityAssurance(
            4,
            "CID000003",
            AssuranceScheme.OTHER,
            "LBMA",
            AssuranceStatus.NOT_ENROLLED,
            date(2025, 12, 31),
        ),
        FacilityAssurance(
            6, "CID000004", AssuranceScheme.RMAP, "rmap", AssuranceStatus.NOT_ENROLLED, None
        ),
    )
    assert parse_assurance_list(ASSURANCE_CSV.encode()) == expected
    assert parse_assurance_list(("\ufeff" + ASSURANCE_CSV.replace(",", ";")).encode()) == expected
    rows = [tuple(line.split(",")) for line in ASSURANCE_CSV.splitlines()]
    rows[1] = ("CID000001", "RMAP", "Conformant", date(2026, 3, 31), None)
    assert parse_assurance_list(assurance_rows(rows)) == expected


def test_assurance_list_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "assurances.csv"
    path.write_text(ASSURANCE_CSV)
    assert len(parse_assurance_list(path)) == 4


def test_assurance_list_errors_name_their_cells() -> None:
    content = (
        b"Scheme,CID,Status,Valid To\n"
        b"RMAP,CID12,conformant,2026-01-01\n"
        b",CID000002,pending,tomorrow\n"
        b"RMAP,,active,\n"
    )
    with pytest.raises(WorkbookInvalid) as caught:
        parse_assurance_list(content)
    assert [str(issue) for issue in caught.value.issues] == [
        'B2: CID "CID12" is not "CID" followed by 6 digits',
        "A3: scheme is blank",
        'C3: status "pending" is not conformant, active, not enrolled or unknown',
        'D3: valid_to: "tomorrow" is not a date (write it as 31-Jan-2025 or 2025-01-31)',
        "B4: CID is blank",
    ]


def test_assurance_list_xlsx_errors_name_the_sheet() -> None:
    content = assurance_rows(
        [("CID", "scheme", "status", "valid_to"), ("CID000001", "RMAP", "", None)]
    )
    with pytest.raises(WorkbookInvalid, match=r"^Sheet!C2: status is blank$"):
        parse_assurance_list(content)


def test_assurance_list_missing_columns() -> None:
    with pytest.raises(WorkbookInvalid) as caught:
        parse_assurance_list(b"CID,scheme\nCID000001,RMAP\n")
    assert caught.value.message == (
        'row 1: no "status" column in the header row; row 1: no "valid_to" column in the header row'
    )
    with pytest.raises(WorkbookInvalid, match="no header row"):
        parse_assurance_list(b"nothing,here\n")


def test_assurance_list_not_text() -> None:
    with pytest.raises(WorkbookInvalid, match="nor a UTF-8 CSV file"):
        parse_assurance_list(b"\xff\xfe\x00garbage")


def _assurance(
    scheme: AssuranceScheme, status: AssuranceStatus, valid_to: date | None, cid: str = "CID000001"
) -> FacilityAssurance:
    return FacilityAssurance(2, cid, scheme, scheme.value, status, valid_to)


def test_assurance_status() -> None:
    rmap, copper, other = AssuranceScheme.RMAP, AssuranceScheme.COPPER_MARK, AssuranceScheme.OTHER
    conformant, active = AssuranceStatus.CONFORMANT, AssuranceStatus.ACTIVE
    not_enrolled, unknown = AssuranceStatus.NOT_ENROLLED, AssuranceStatus.UNKNOWN
    day = date(2025, 6, 30)

    assert assurance_status("CID000001", [], day) == (None, unknown)
    listed = [_assurance(rmap, conformant, day, cid="CID000002")]
    assert assurance_status("CID000001", listed, day) == (None, unknown)
    # Valid on its last day, lapsed the day after: the scheme is known, the status is not.
    current = [_assurance(rmap, conformant, day)]
    assert assurance_status(" cid000001 ", current, day) == (rmap, conformant)
    assert assurance_status("CID000001", current, date(2025, 7, 1)) == (rmap, unknown)
    # A current fact beats a lapsed one; the strongest status wins.
    lapsed_and_now = [
        _assurance(rmap, conformant, date(2024, 1, 1)),
        _assurance(other, not_enrolled, None),
    ]
    assert assurance_status("CID000001", lapsed_and_now, day) == (other, not_enrolled)
    both = [_assurance(copper, active, None), _assurance(rmap, conformant, date(2025, 12, 31))]
    assert assurance_status("CID000001", both, day) == (rmap, conformant)
    # Ties: the one valid longest, then RMAP before the Copper Mark before others.
    tie = [_assurance(copper, conformant, None), _assurance(rmap, conformant, date(2030, 1, 1))]
    assert assurance_status("CID000001", tie, day) == (copper, conformant)
    tie = [
        _assurance(other, conformant, None),
        _assurance(copper, conformant, None),
        _assurance(rmap, conformant, None),
    ]
    assert assurance_status("CID000001", tie, day) == (rmap, conformant)
