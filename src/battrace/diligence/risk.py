"""Risk assessment of one DD response, and the worst-case combination of several.

Pure functions over plain facts; every number can be explained from the answers:

- completeness per material = answered required questions / required questions ("unknown"
  is not an answer; a material said not to be contained needs no per-material answers);
- evidence factor of an answer: self-declared 0.3, documented 0.6, third-party verified 1.0;
  an answer whose every cited document has expired counts as no evidence (0);
- control effectiveness E = Σ w·score·factor / Σ w over the scored questions that evidence a
  category (or belong to an OECD step), unanswered questions scoring 0;
- inherent risk I of a material = mean facility risk of its listed smelters/refiners
  (valid conformant 0, active 0.5, anything else 1); none listed = 1 (unknown is high);
- residual risk R = I × (1 − E), banded low < 0.2 ≤ medium < 0.5 ≤ high; an open red flag
  forces "high";
- red flags: a risk question answered "yes" or left unknown, or a contained material with no
  smelter or refiner identified.

Combining (a product's suppliers, tier by tier): completeness is the minimum, risk and bands
the maximum, facilities the union (keyed by CID), answers the worst case (risk questions
yes > unknown > no; control questions no > unknown > yes; percentages the minimum).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from battrace.diligence.answers import StoredAnswer
from battrace.diligence.questions import AnswerType, Polarity, Question, RiskCategory

SELF_DECLARED, DOCUMENTED, VERIFIED, EXPIRED = 0.3, 0.6, 1.0, 0.0
LOW_BELOW, MEDIUM_BELOW = 0.2, 0.5
BANDS = ("low", "medium", "high")
UNKNOWN = "unknown"
# The question whose "no" takes a material out of scope: its other questions are then moot.
CONTAINED = "MAT.CONTAINED"


@dataclass(frozen=True)
class DocumentFact:
    third_party: bool
    valid_from: date | None
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class FacilityFact:
    material: str
    facility_id: str | None
    name: str
    country: str | None
    status: str  # conformant | active | not_enrolled | unknown
    valid_to: date | None

    def risk(self, day: date) -> float:
        if self.valid_to is not None and self.valid_to < day:
            return 1.0
        return {"conformant": 0.0, "active": 0.5}.get(self.status, 1.0)

    def conformant(self, day: date) -> bool:
        return self.risk(day) == 0.0

    @property
    def key(self) -> str:
        return self.facility_id or f"?{self.material}:{self.name.casefold()}"


@dataclass(frozen=True)
class Origin:
    """Who raised a finding, as the viewer may see it: a supplier's name, or "upstream of"
    a supplier when the deeper name is withheld, passed on through the suppliers in `via`
    (nearest the viewer last). A surface words it in its language from these parts;
    `english` is the API's wording."""

    name: str
    hidden: bool = False
    via: tuple[str, ...] = ()

    @property
    def english(self) -> str:
        text = f"upstream of {self.name}" if self.hidden else self.name
        for name in self.via:
            text = f"{text} (via {name})"
        return text

    def passed_through(self, name: str, *, released: bool) -> Origin:
        """As seen one tier further down, through supplier `name` (who may withhold it)."""
        return Origin(self.name, self.hidden, (*self.via, name)) if released else Origin(name, True)


# Why a red flag is raised, as a message key and its parameters (a surface's catalogue words
# it); `reason` is the API's English.
REASON_ANSWERED_YES = "dd_reason.answered_yes"
REASON_ANSWERED_UNKNOWN = "dd_reason.answered_unknown"
REASON_NO_FACILITIES = "dd_reason.no_facilities"
REASON_NO_ANSWER = "dd_reason.no_answer"


@dataclass(frozen=True)
class RedFlag:
    material: str | None
    categories: tuple[str, ...]  # empty: every category
    code: str
    reason: str
    origin: Origin | None = None  # who raised it, as the viewer may see it
    reason_key: str = ""
    reason_params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CategoryRisk:
    inherent: float
    effectiveness: float
    residual: float
    band: str
    red_flag: bool


@dataclass
class MaterialView:
    """Everything known of one material, for one response or a combination."""

    contained: bool | None  # None: not said
    completeness: float
    steps: dict[int, float]
    risk: dict[str, CategoryRisk]
    facilities: dict[str, FacilityFact] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def conformant_share(self, day: date) -> float | None:
        if not self.facilities:
            return None
        return sum(f.conformant(day) for f in self.facilities.values()) / len(self.facilities)


@dataclass
class Assessment:
    as_of: date
    materials: dict[str, MaterialView]
    red_flags: list[RedFlag]


def band(value: float, flagged: bool) -> str:
    if flagged or value >= MEDIUM_BELOW:
        return "high"
    return "medium" if value >= LOW_BELOW else "low"


def evidence_factor(cited: Sequence[DocumentFact], day: date) -> float:
    if not cited:
        return SELF_DECLARED
    valid = [d for d in cited if d.valid_on(day)]
    if not valid:
        return EXPIRED
    return VERIFIED if any(d.third_party for d in valid) else DOCUMENTED


def score(question: Question, value: Any, has_evidence: bool) -> float:  # noqa: ANN401
    """0 (worst) … 1 (best) for one answer; unknown and missing score 0."""
    if value is None or value == UNKNOWN:
        return 1.0 if question.answer_type is AnswerType.DOCUMENT and has_evidence else 0.0
    if question.answer_type is AnswerType.YES_NO:
        good = "no" if question.polarity is Polarity.RISK else "yes"
        return 1.0 if value == good else 0.0
    if question.answer_type is AnswerType.CHOICE:
        return next((c.score for c in question.choices if c.value == value), 0.0)
    if question.answer_type is AnswerType.PERCENT:
        return max(0.0, min(1.0, float(value) / 100))
    return 1.0


def assess(
    questions: Sequence[Question],
    materials: Sequence[str],
    answers: Sequence[StoredAnswer],
    facilities: Sequence[FacilityFact],
    documents: Mapping[str, DocumentFact],
    day: date,
) -> Assessment:
    """Assess one submitted response (see the module docstring for every rule)."""
    given = {(a["code"], a.get("material")): a for a in answers}
    flags: list[RedFlag] = []
    views: dict[str, MaterialView] = {}
    for material in materials:
        listed = [f for f in facilities if f.material == material]
        said_contained = given.get((CONTAINED, material))
        contained_answer = said_contained.get("value") if said_contained else None
        contained = {"yes": True, "no": False}.get(str(contained_answer))
        weights: dict[str, list[float]] = {c.value: [0.0, 0.0] for c in RiskCategory}
        steps: dict[int, list[float]] = {}
        required = answered = 0
        missing: list[str] = []
        material_flags: list[RedFlag] = []
        combined: dict[str, Any] = {}
        for question in questions:
            answer = given.get((question.code, material if question.per_material else None))
            value = answer.get("value") if answer else None
            cited = [
                documents[e]
                for e in (answer.get("evidence", []) if answer else [])
                if e in documents
            ]
            done = _answered(question, value, cited, listed)
            moot = contained is False and question.per_material and question.code != CONTAINED
            if question.required and not moot:
                required += 1
                answered += done
                if not done:
                    missing.append(question.code)
            if question.answer_type in (AnswerType.YES_NO, AnswerType.CHOICE, AnswerType.PERCENT):
                combined[question.code] = value if value is not None else UNKNOWN
            exposed = value == "yes" or (value in (None, UNKNOWN) and question.required)
            if question.polarity is Polarity.RISK and contained is not False and exposed:
                said = "yes" if value == "yes" else "unknown"
                material_flags.append(
                    RedFlag(
                        material,
                        tuple(c.value for c in question.categories),
                        question.code,
                        f"{question.code} answered {said}",
                        reason_key=REASON_ANSWERED_YES
                        if said == "yes"
                        else REASON_ANSWERED_UNKNOWN,
                        reason_params=(("code", question.code),),
                    )
                )
            if not question.scored:
                continue
            earned = (
                question.weight
                * score(question, value, bool(cited))
                * (evidence_factor(cited, day) if done else 0.0)
            )
            step = steps.setdefault(question.oecd_step, [0.0, 0.0])
            step[0] += earned
            step[1] += question.weight
            for category in RiskCategory:
                if question.evidences(category):
                    weights[category.value][0] += earned
                    weights[category.value][1] += question.weight
        if contained is not False and not listed:
            material_flags.append(
                RedFlag(
                    material,
                    (),
                    "MAT.FACILITIES",
                    "no smelter or refiner identified",
                    reason_key=REASON_NO_FACILITIES,
                )
            )
        inherent = (
            0.0
            if contained is False
            else (sum(f.risk(day) for f in listed) / len(listed) if listed else 1.0)
        )
        risk: dict[str, CategoryRisk] = {}
        for name, (earned, total) in weights.items():
            effectiveness = earned / total if total else 0.0
            flagged = any(not f.categories or name in f.categories for f in material_flags)
            residual = inherent * (1 - effectiveness)
            risk[name] = CategoryRisk(
                inherent, effectiveness, residual, band(residual, flagged), flagged
            )
        views[material] = MaterialView(
            contained=contained,
            completeness=answered / required if required else 1.0,
            steps={s: (e / t if t else 0.0) for s, (e, t) in sorted(steps.items())},
            risk=risk,
            facilities={f.key: f for f in listed},
            answers=combined,
            missing=missing,
        )
        flags.extend(material_flags)
    return Assessment(day, views, flags)


def _answered(
    question: Question, value: object, cited: Sequence[DocumentFact], listed: Sequence[FacilityFact]
) -> bool:
    if question.answer_type is AnswerType.FACILITY_LIST:
        return bool(listed)
    if question.answer_type is AnswerType.DOCUMENT:
        return bool(cited)
    return value is not None and value != UNKNOWN


# Worst first: the combination keeps the earliest of these it sees.
RISK_ORDER = ("yes", UNKNOWN, "no")
CONTROL_ORDER = ("no", UNKNOWN, "yes")


def worst(values: Iterable[Any], polarity: str) -> Any:  # noqa: ANN401
    items = list(values)
    if not items:
        return UNKNOWN
    numbers = [v for v in items if isinstance(v, int | float) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(items):
        return min(numbers)
    order = RISK_ORDER if polarity == Polarity.RISK.value else CONTROL_ORDER
    for candidate in order:
        if candidate in items:
            return candidate
    if any(isinstance(v, int | float) for v in items):
        return UNKNOWN  # a mix of numbers and unknowns: unknown dominates
    return items[0]


def empty_view() -> MaterialView:
    """A material nobody answered for: nothing complete, everything high."""
    return MaterialView(
        contained=None,
        completeness=0.0,
        steps={},
        risk={c.value: CategoryRisk(1.0, 0.0, 1.0, "high", True) for c in RiskCategory},
    )


def combine(views: Sequence[MaterialView], polarity: Mapping[str, str], day: date) -> MaterialView:
    """The worst-case combination of several views of one material (see module docstring)."""
    relevant = [v for v in views if v.contained is not False] or list(views)
    risk = {}
    for category in RiskCategory:
        parts = [v.risk[category.value] for v in relevant]
        worst_part = max(parts, key=lambda r: (BANDS.index(r.band), r.residual))
        risk[category.value] = CategoryRisk(
            inherent=max(r.inherent for r in parts),
            effectiveness=min(r.effectiveness for r in parts),
            residual=max(r.residual for r in parts),
            band=worst_part.band,
            red_flag=any(r.red_flag for r in parts),
        )
    codes = {code for v in relevant for code in v.answers}
    facilities: dict[str, FacilityFact] = {}
    for view in relevant:
        for key, facility in view.facilities.items():
            known = facilities.get(key)
            if known is None or facility.risk(day) > known.risk(day):
                facilities[key] = facility  # the least assured claim about a facility wins
    steps = sorted({s for v in relevant for s in v.steps})
    return MaterialView(
        contained=True
        if any(v.contained for v in views)
        else (False if all(v.contained is False for v in views) else None),
        completeness=min(v.completeness for v in relevant),
        steps={s: min(v.steps.get(s, 0.0) for v in relevant) for s in steps},
        risk=risk,
        facilities=facilities,
        answers={
            code: worst(
                (v.answers[code] for v in relevant if code in v.answers),
                polarity.get(code, "control"),
            )
            for code in sorted(codes)
        },
        missing=sorted({m for v in relevant for m in v.missing}),
    )
