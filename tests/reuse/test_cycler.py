"""The cycler CSV reader: every row checked, problems by row and column, a summary per cycle."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from battrace import errors
from battrace.reuse.cycler import MAX_PROBLEMS, fade_history, latest_check, read_cycler_csv

HEADER = "cycle_index,test_time,current,voltage,charge_capacity,discharge_capacity,charge_energy,discharge_energy,temperature\n"
GOOD = [
    "1,0,1.0,3.5,0.1,0,0.4,0,25",
    "1,10,-1.0,3.9,1.0,0.5,3.7,1.8,26",
    "1,20,-1.0,3.4,1.0,0.9,3.7,3.2,27",
    "2,30,1.0,3.5,0.1,0,0.4,0,25",
    "2,40,-2.0,3.6,0.98,0.88,3.6,3.1,25",
]


def _read(rows: list[str], header: str = HEADER) -> object:
    return read_cycler_csv(io.BytesIO((header + "\n".join(rows) + "\n").encode()))


def test_a_good_file_is_summarised_per_cycle() -> None:
    seen: list[int] = []
    found = read_cycler_csv(
        io.BytesIO((HEADER + "\n".join(GOOD) + "\n").encode()), progress=seen.append, every=2
    )
    assert found.rows == 5
    assert [c.cycle_index for c in found.cycles] == [1, 2]
    first = found.cycles[0]
    assert first.discharge_capacity_ah == 0.9
    assert first.discharge_energy_wh == 3.2
    assert first.mean_temperature_c == pytest.approx(26.0)
    assert first.mean_discharge_current_a == pytest.approx(1.0)
    assert seen == [2, 4, 5]
    assert len(found.sha256) == 64
    history = fade_history(found.cycles, 1.0)
    assert history == [{"efc": 0.9, "soh": 0.9}, {"efc": 1.78, "soh": 0.88}]
    assert latest_check(found.cycles, 1.0)["c_rate"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("1,x,1.0,3.5,0,0,0,0,25", "row 2, test_time: 'x' is not a number."),
        ("1.5,0,1.0,3.5,0,0,0,0,25", "row 2, cycle_index: '1.5' is not an integer."),
        ("1,20,1.0,1600,0,0,0,0,25", "row 2, voltage: 1600 V is outside 0–1500 V."),
        ("1,20,1.0,3.5,0,-0.1,0,0,25", "row 2, discharge_capacity: must be ≥ 0."),
        ("1,20,1.0,3.5,0,0,0,0,120", "row 2, temperature: 120 °C is outside −60–100 °C."),
        ("1,-5,1.0,3.5,0,0,0,0,25", "row 2, test_time: -5 s is before the previous row's 0 s."),
        ("0,20,1.0,3.5,0,0,0,0,25", "row 2, cycle_index: 0 after 1: must not decrease."),
        ("1,20,1.0", "row 2, row: 3 cells, the header has 9."),
    ],
)
def test_each_problem_is_named_by_row_and_column(row: str, problem: str) -> None:
    with pytest.raises(errors.ValidationFailed) as refused:
        _read([GOOD[0], row])
    assert problem in refused.value.message


def test_empty_optional_cells_are_allowed() -> None:
    found = _read(["1,0,-1.0,3.5,,0.5,,,"])
    assert found.cycles[0].mean_temperature_c is None  # type: ignore[attr-defined]


def test_a_missing_required_column_is_refused() -> None:
    with pytest.raises(errors.ValidationFailed, match="missing column"):
        _read(GOOD, header="cycle_index,test_time,current\n")


def test_problems_are_listed_up_to_a_limit_and_counted() -> None:
    bad = [f"1,{k},1.0,2000,0,0,0,0,25" for k in range(MAX_PROBLEMS + 7)]
    with pytest.raises(errors.ValidationFailed) as refused:
        _read(bad)
    assert refused.value.message.count("voltage") == MAX_PROBLEMS
    assert refused.value.message.endswith("and 7 more")


@given(cells=st.lists(st.text(alphabet="0123456789.-e x", max_size=6), min_size=9, max_size=9))
@settings(max_examples=200)
def test_any_row_is_either_accepted_or_refused_by_name(cells: list[str]) -> None:
    try:
        _read([",".join(cells)])
    except errors.ValidationFailed as refused:
        assert refused.message.startswith("row 1, ")


def test_the_committed_fixture_reads() -> None:
    with (Path(__file__).parent / "fixtures" / "cycler_small.csv").open("rb") as source:
        found = read_cycler_csv(source)
    assert found.rows == 800
    assert len(found.cycles) == 40
    assert found.cycles[-1].discharge_capacity_ah < found.cycles[0].discharge_capacity_ah


def test_the_array_path_and_the_row_path_agree() -> None:
    content = (Path(__file__).parent / "fixtures" / "cycler_small.csv").read_text()
    header, *rows = content.splitlines()
    quoted = "\n".join([header, *(",".join(f'"{c}"' for c in r.split(",")) for r in rows)]) + "\n"
    fast = read_cycler_csv(io.BytesIO(content.encode()))
    slow = read_cycler_csv(io.BytesIO(quoted.encode()))  # quotes: read row by row
    assert len(fast.cycles) == len(slow.cycles) == 40
    for a, b in zip(fast.cycles, slow.cycles, strict=True):
        assert (a.cycle_index, a.rows, a.discharge_capacity_ah) == (
            b.cycle_index,
            b.rows,
            b.discharge_capacity_ah,
        )
        assert (a.charge_capacity_ah, a.discharge_energy_wh, a.charge_energy_wh) == (
            b.charge_capacity_ah,
            b.discharge_energy_wh,
            b.charge_energy_wh,
        )
        assert a.mean_temperature_c == pytest.approx(b.mean_temperature_c, rel=1e-12)
        assert a.mean_discharge_current_a == pytest.approx(b.mean_discharge_current_a, rel=1e-12)


def test_a_bad_row_in_a_later_chunk_is_named_by_its_number() -> None:
    rows = [f"1,{k},-1.0,3.5,0.1,{k / 100},0.4,0,25" for k in range(50)]
    rows[37] = "1,37,-1.0,nan,0.1,0.37,0.4,0,25"
    with pytest.raises(errors.ValidationFailed) as refused:
        read_cycler_csv(io.BytesIO((HEADER + "\n".join(rows) + "\n").encode()), every=10)
    assert refused.value.message == "row 38, voltage: nan V is outside 0–1500 V."
