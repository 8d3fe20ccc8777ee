"""The vocabulary of a DD questionnaire: materials, Annex X risk categories, answer types,
evidence types, and the `Question` a template is made of, with its validation.

Facts come from Regulation (EU) 2023/1542 (Annex X point 1 materials, point 2 risk
categories, Art. 48–52 obligations) and the OECD five-step framework.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from battrace import errors


class Material(enum.StrEnum):
    """Annex X point 1 raw materials."""

    COBALT = "cobalt"
    NATURAL_GRAPHITE = "natural_graphite"
    LITHIUM = "lithium"
    NICKEL = "nickel"


class RiskCategory(enum.StrEnum):
    """Annex X point 2 risk categories."""

    AIR = "air"
    WATER = "water"
    SOIL = "soil"
    BIODIVERSITY = "biodiversity"
    HUMAN_HEALTH = "human_health"
    OCCUPATIONAL_HEALTH_SAFETY = "occupational_health_safety"
    LABOUR_RIGHTS = "labour_rights"
    HUMAN_RIGHTS = "human_rights"
    COMMUNITY_LIFE = "community_life"


class AnswerType(enum.StrEnum):
    YES_NO = "yes_no"
    CHOICE = "choice"
    PERCENT = "percent"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    FACILITY_LIST = "facility_list"
    DOCUMENT = "document"


class Polarity(enum.StrEnum):
    """How an answer bears on risk. CONTROL: "yes" is a control in place (good). RISK: "yes"
    is an exposure (bad) and raises a red flag. INFO: recorded, not scored."""

    CONTROL = "control"
    RISK = "risk"
    INFO = "info"


class DocumentType(enum.StrEnum):
    POLICY = "policy"
    SUPPLIER_CONTRACT_CLAUSE = "supplier_contract_clause"
    COC_RECORD = "coc_record"
    AUDIT_REPORT = "audit_report"
    CERTIFICATE = "certificate"
    GRIEVANCE_PROCEDURE = "grievance_procedure"
    RISK_MANAGEMENT_PLAN = "risk_management_plan"
    PUBLIC_REPORT = "public_report"
    OTHER = "other"


CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")


@dataclass(frozen=True)
class Choice:
    value: str
    score: float  # 0 (worst) … 1 (best) for CONTROL; RISK choices give 1 for "no exposure"


@dataclass(frozen=True)
class Question:
    code: str
    text_ja: str
    text_en: str
    answer_type: AnswerType
    per_material: bool
    required: bool
    oecd_step: int
    categories: tuple[RiskCategory, ...]  # empty: evidences every category (management system)
    polarity: Polarity = Polarity.CONTROL
    evidence: tuple[DocumentType, ...] = ()
    choices: tuple[Choice, ...] = ()
    weight: float = 1.0
    article: str | None = None

    @property
    def scored(self) -> bool:
        return self.polarity is not Polarity.INFO and self.weight > 0

    def evidences(self, category: RiskCategory) -> bool:
        return not self.categories or category in self.categories

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": {"ja": self.text_ja, "en": self.text_en},
            "answerType": self.answer_type.value,
            "perMaterial": self.per_material,
            "required": self.required,
            "oecdStep": self.oecd_step,
            "riskCategories": [c.value for c in self.categories],
            "polarity": self.polarity.value,
            "evidence": [d.value for d in self.evidence],
            "choices": [{"value": c.value, "score": c.score} for c in self.choices],
            "weight": self.weight,
            "article": self.article,
        }


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


E = TypeVar("E", bound=enum.StrEnum)


def _enum_value(kind: type[E], value: object, where: str, problems: _Problems) -> E | None:
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        problems.add(where, f"must be one of {allowed}.")
        return None


def _text(raw: Mapping[str, Any], where: str, problems: _Problems) -> tuple[str, str]:
    text = raw.get("text")
    if not isinstance(text, Mapping):
        problems.add(f"{where}.text", "must be an object with ja and en.")
        return "", ""
    out = []
    for lang in ("ja", "en"):
        value = text.get(lang)
        if not isinstance(value, str) or not value.strip() or len(value) > 1000:
            problems.add(f"{where}.text.{lang}", "must be 1 to 1000 characters.")
            out.append("")
        else:
            out.append(value.strip())
    return out[0], out[1]


def _question(raw: object, where: str, problems: _Problems) -> Question | None:
    if not isinstance(raw, Mapping):
        problems.add(where, "must be an object.")
        return None
    before = len(problems.items)
    code = raw.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        problems.add(f"{where}.code", "must be 1-40 of A-Z, 0-9, '.', '_', '-'.")
    text_ja, text_en = _text(raw, where, problems)
    answer_type = _enum_value(AnswerType, raw.get("answerType"), f"{where}.answerType", problems)
    polarity = _enum_value(Polarity, raw.get("polarity", "control"), f"{where}.polarity", problems)
    step = raw.get("oecdStep")
    if not isinstance(step, int) or isinstance(step, bool) or not 1 <= step <= 5:
        problems.add(f"{where}.oecdStep", "must be an integer from 1 to 5.")
    categories = tuple(
        c
        for i, value in enumerate(raw.get("riskCategories") or [])
        if (c := _enum_value(RiskCategory, value, f"{where}.riskCategories[{i}]", problems))
    )
    evidence = tuple(
        d
        for i, value in enumerate(raw.get("evidence") or [])
        if (d := _enum_value(DocumentType, value, f"{where}.evidence[{i}]", problems))
    )
    choices: list[Choice] = []
    for i, item in enumerate(raw.get("choices") or []):
        score = item.get("score") if isinstance(item, Mapping) else None
        value = item.get("value") if isinstance(item, Mapping) else None
        if not isinstance(value, str) or not isinstance(score, int | float) or not 0 <= score <= 1:
            problems.add(f"{where}.choices[{i}]", "must be {value: text, score: 0..1}.")
        else:
            choices.append(Choice(value, float(score)))
    if answer_type is AnswerType.CHOICE and not choices:
        problems.add(f"{where}.choices", "a choice question needs at least one choice.")
    if polarity is Polarity.RISK and answer_type not in (AnswerType.YES_NO, AnswerType.CHOICE):
        problems.add(f"{where}.polarity", "risk questions are yes/no or choice questions.")
    weight = raw.get("weight", 1.0)
    if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 <= weight <= 10:
        problems.add(f"{where}.weight", "must be a number from 0 to 10.")
    for flag in ("perMaterial", "required"):
        if not isinstance(raw.get(flag, False), bool):
            problems.add(f"{where}.{flag}", "must be true or false.")
    article = raw.get("article")
    if article is not None and (not isinstance(article, str) or len(article) > 40):
        problems.add(f"{where}.article", "must be text of at most 40 characters.")
    if len(problems.items) > before:
        return None
    assert answer_type is not None and polarity is not None  # noqa: S101 (checked above)
    return Question(
        code=str(code),
        text_ja=text_ja,
        text_en=text_en,
        answer_type=answer_type,
        per_material=bool(raw.get("perMaterial", False)),
        required=bool(raw.get("required", False)),
        oecd_step=int(step),  # type: ignore[arg-type]
        categories=categories,
        polarity=polarity,
        evidence=evidence,
        choices=tuple(choices),
        weight=float(weight),
        article=article,
    )


def parse_questions(raw: object) -> tuple[Question, ...]:
    """Validate a template's question list (the API's camelCase form); every problem is
    reported at once, naming the question by its index."""
    problems = _Problems()
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes) or not raw:
        raise errors.ValidationFailed("questions: must be a non-empty list.")
    if len(raw) > 500:
        raise errors.ValidationFailed("questions: at most 500 questions.")
    parsed = [_question(item, f"questions[{i}]", problems) for i, item in enumerate(raw)]
    seen: set[str] = set()
    for i, question in enumerate(parsed):
        if question is not None:
            if question.code in seen:
                problems.add(f"questions[{i}].code", f"{question.code} is used twice.")
            seen.add(question.code)
    if problems.items:
        raise errors.ValidationFailed("; ".join(problems.items[:50]))
    return tuple(q for q in parsed if q is not None)
