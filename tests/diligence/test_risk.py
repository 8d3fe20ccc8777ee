"""The DD scoring rules on plain facts: evidence weight, expiry, facility risk, bands, red
flags, and the worst-case combination (with hypothesis for its invariants)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.diligence.builtin import BUILTIN_QUESTIONS
from battrace.diligence.questions import parse_questions
from battrace.diligence.risk import (
    BANDS,
    DocumentFact,
    FacilityFact,
    MaterialView,
    assess,
    band,
    combine,
    evidence_factor,
    worst,
)

DAY = date(2026, 11, 23)
QUESTIONS = parse_questions(BUILTIN_QUESTIONS)
POLARITY = {q.code: q.polarity.value for q in QUESTIONS}
GOOD = {
    q.code: (
        "no" if q.polarity.value == "risk" else 100 if q.answer_type.value == "percent" else "yes"
    )
    for q in QUESTIONS
}


def _answers(material: str, **override: object) -> list[dict[str, object]]:
    out = []
    for q in QUESTIONS:
        value = override.get(q.code, GOOD[q.code])
        out.append(
            {"code": q.code, "material": material if q.per_material else None, "value": value}
        )
    return out


def _conformant(material: str, cid: str = "CID000001") -> FacilityFact:
    return FacilityFact(material, cid, "Refinery", "JP", "conformant", date(2030, 1, 1))


def test_evidence_weights() -> None:
    verified = DocumentFact(True, None, date(2030, 1, 1))
    documented = DocumentFact(False, None, None)
    expired = DocumentFact(True, None, date(2020, 1, 1))
    not_yet = DocumentFact(True, date(2030, 1, 1), None)
    assert evidence_factor([], DAY) == 0.3
    assert evidence_factor([documented], DAY) == 0.6
    assert evidence_factor([verified], DAY) == 1.0
    assert evidence_factor([expired], DAY) == 0.0  # expired counts as none
    assert evidence_factor([not_yet], DAY) == 0.0
    assert evidence_factor([expired, documented], DAY) == 0.6


def test_facility_risk_and_expiry() -> None:
    assert _conformant("cobalt").risk(DAY) == 0.0
    assert FacilityFact("cobalt", "CID1", "x", None, "active", None).risk(DAY) == 0.5
    assert FacilityFact("cobalt", None, "x", None, "unknown", None).risk(DAY) == 1.0
    lapsed = FacilityFact("cobalt", "CID1", "x", None, "conformant", date(2025, 1, 1))
    assert lapsed.risk(DAY) == 1.0 and not lapsed.conformant(DAY)


@pytest.mark.parametrize(
    ("value", "flagged", "expected"),
    [
        (0.0, False, "low"),
        (0.1999, False, "low"),
        (0.2, False, "medium"),
        (0.4999, False, "medium"),
        (0.5, False, "high"),
        (0.0, True, "high"),
    ],
)
def test_bands(value: float, flagged: bool, expected: str) -> None:
    assert band(value, flagged) == expected


def test_a_well_answered_conformant_supply_is_low_risk() -> None:
    result = assess(QUESTIONS, ["cobalt"], _answers("cobalt"), [_conformant("cobalt")], {}, DAY)
    view = result.materials["cobalt"]
    assert result.red_flags == []
    assert view.completeness == 1.0
    assert {r.band for r in view.risk.values()} == {"low"}
    assert {round(r.effectiveness, 10) for r in view.risk.values()} == {0.3}  # self-declared


def test_unknown_is_never_fine() -> None:
    unknown = assess(
        QUESTIONS,
        ["cobalt"],
        _answers("cobalt", **{"MAT.CAHRA": "unknown"}),
        [_conformant("cobalt")],
        {},
        DAY,
    )
    no = assess(QUESTIONS, ["cobalt"], _answers("cobalt"), [_conformant("cobalt")], {}, DAY)
    assert [f.code for f in unknown.red_flags] == ["MAT.CAHRA"]
    assert unknown.materials["cobalt"].risk["human_rights"].band == "high"
    assert unknown.materials["cobalt"].completeness < no.materials["cobalt"].completeness
    # no facility listed: unknown inherent risk is the highest, and a red flag
    unlisted = assess(QUESTIONS, ["cobalt"], _answers("cobalt"), [], {}, DAY)
    assert unlisted.materials["cobalt"].risk["air"].inherent == 1.0
    assert any(f.code == "MAT.FACILITIES" for f in unlisted.red_flags)


def test_a_material_said_not_contained_carries_no_inherent_risk() -> None:
    result = assess(
        QUESTIONS, ["lithium"], _answers("lithium", **{"MAT.CONTAINED": "no"}), [], {}, DAY
    )
    assert result.red_flags == []
    assert result.materials["lithium"].risk["water"].residual == 0.0
    # no smelter list is owed for a material not contained
    assert result.materials["lithium"].completeness == 1.0
    assert result.materials["lithium"].missing == []


def test_verified_evidence_raises_effectiveness() -> None:
    answers = _answers("cobalt")
    answers[0]["evidence"] = ["doc"]  # BR49.POLICY, weight 2, evidences every category
    docs = {"doc": DocumentFact(True, None, None)}
    facility = [FacilityFact("cobalt", "CID1", "x", None, "active", None)]
    plain = assess(QUESTIONS, ["cobalt"], _answers("cobalt"), facility, {}, DAY)
    backed = assess(QUESTIONS, ["cobalt"], answers, facility, docs, DAY)
    before = plain.materials["cobalt"].risk["air"]
    after = backed.materials["cobalt"].risk["air"]
    assert after.effectiveness > before.effectiveness
    assert after.residual < before.residual
    # air: 17 weight in all; policy (2) earns 1.0 instead of 0.3 -> (2 + 15 * 0.3) / 17
    assert after.effectiveness == pytest.approx(6.5 / 17)


@pytest.mark.parametrize(
    ("values", "polarity", "expected"),
    [
        (["no", "unknown", "no"], "risk", "unknown"),
        (["no", "yes", "unknown"], "risk", "yes"),
        (["no", "no"], "risk", "no"),
        (["yes", "unknown"], "control", "unknown"),
        (["yes", "no"], "control", "no"),
        ([90, 50, 100], "control", 50),
        ([], "risk", "unknown"),
    ],
)
def test_worst_case_answers(values: list[object], polarity: str, expected: object) -> None:
    assert worst(values, polarity) == expected


answers_strategy = st.fixed_dictionaries(
    {
        code: st.sampled_from(["yes", "no", "unknown"])
        for code in ("MAT.CAHRA", "MAT.FORCED_CHILD_LABOUR", "BR49.POLICY", "BR50.RISK_PLAN")
    }
)
statuses = st.lists(
    st.sampled_from(["conformant", "active", "not_enrolled", "unknown"]), max_size=4
)


def _view(override: dict[str, str], facility_statuses: list[str]) -> MaterialView:
    facilities = [
        FacilityFact("nickel", f"CID00000{i}", f"F{i}", None, status, None)
        for i, status in enumerate(facility_statuses)
    ]
    return assess(
        QUESTIONS, ["nickel"], _answers("nickel", **override), facilities, {}, DAY
    ).materials["nickel"]


@given(st.lists(st.tuples(answers_strategy, statuses), min_size=1, max_size=4))
def test_combining_never_looks_better_than_any_part(
    parts: list[tuple[dict[str, str], list[str]]],
) -> None:
    views = [_view(answers, facilities) for answers, facilities in parts]
    combined = combine(views, POLARITY, DAY)
    assert combined.completeness == min(v.completeness for v in views)
    for category, risk in combined.risk.items():
        for view in views:
            assert risk.residual >= view.risk[category].residual
            assert BANDS.index(risk.band) >= BANDS.index(view.risk[category].band)
            assert risk.red_flag or not view.risk[category].red_flag
    for code in ("MAT.CAHRA", "MAT.FORCED_CHILD_LABOUR"):
        said = [v.answers[code] for v in views]
        assert combined.answers[code] == (
            "yes" if "yes" in said else "unknown" if "unknown" in said else "no"
        )
    keys = {k for v in views for k in v.facilities}
    assert set(combined.facilities) == keys
