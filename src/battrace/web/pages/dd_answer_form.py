"""The supplier's DD answer form and the domain's writes: which answers the form asks for
(company-wide questions once, per-material questions once per requested material, in that
fixed order), the form's values from a stored answer or from what was posted, the posted form
read into `answering` writes, and the domain's `where: message` problems placed beside the
fields they name.

Form fields are named by the question's slot in that fixed order (`a3` the value, `e3` the
documents attached, `c3` the comment kept as it was), facilities by row (`f_name`, …).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from battrace.diligence import answering
from battrace.diligence.facilities import FacilityWrite
from battrace.diligence.models import DdResponse
from battrace.diligence.questions import AnswerType, Question
from battrace.diligence.templates import Template
from battrace.store.base import tidy_decimal
from battrace.web.app import Ctx
from battrace.web.forms import FormErrors, flag, number, optional

FACILITY_FIELDS = ("material", "cid", "name", "country", "status")
_PROBLEM = re.compile(r"^([\w.\[\]]+): (.*)$", re.DOTALL)
_INDEXED = re.compile(r"^(answers|facilities)\[(\d+)\](?:\.(\w+))?$")


@dataclass(frozen=True)
class Slot:
    """One answer the form asks for: a question, for one material or company-wide."""

    index: int
    question: Question
    material: str | None

    @property
    def name(self) -> str:
        return f"a{self.index}"


def slots(template: Template, materials: list[str]) -> list[Slot]:
    found = [q for q in template.questions if not q.per_material]
    pairs: list[tuple[Question, str | None]] = [(q, None) for q in found]
    for material in materials:
        pairs += [(q, material) for q in template.questions if q.per_material]
    return [Slot(i, q, m) for i, (q, m) in enumerate(pairs)]


def _shown(value: Any) -> str:  # noqa: ANN401 (answers are JSON values)
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format(tidy_decimal(Decimal(str(value))), "f")
    return str(value)


def values_from(
    response: DdResponse | None, facilities: list[Any], all_slots: list[Slot]
) -> dict[str, Any]:
    """The form's values from a stored answer (the draft, or else the latest version)."""
    values: dict[str, Any] = {"release_upstream": False}
    for name in FACILITY_FIELDS:
        values[f"f_{name}"] = []
    if response is None:
        return values
    stored = {(a["code"], a.get("material")): a for a in response.answers}
    for slot in all_slots:
        answer: Mapping[str, Any] = stored.get((slot.question.code, slot.material)) or {}
        values[slot.name] = _shown(answer.get("value"))
        values[f"c{slot.index}"] = answer.get("comment") or ""
        values[f"e{slot.index}"] = list(answer.get("evidence", []))
    values |= {
        "signer_name": response.signer_name or "",
        "signer_title": response.signer_title or "",
        "signer_email": response.signer_email or "",
        "release_upstream": response.release_upstream,
        "f_material": [f.material for f in facilities],
        "f_cid": [f.facility_id or "" for f in facilities],
        "f_name": [f.name for f in facilities],
        "f_country": [f.country or "" for f in facilities],
        "f_status": [f.status.value for f in facilities],
    }
    return values


def values_posted(ctx: Ctx, all_slots: list[Slot]) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: ctx.value(name) for name in ("signer_name", "signer_title", "signer_email")
    }
    values["release_upstream"] = flag(ctx.value("release_upstream"))
    for slot in all_slots:
        values[slot.name] = ctx.value(slot.name)
        values[f"c{slot.index}"] = ctx.value(f"c{slot.index}")
        values[f"e{slot.index}"] = ctx.values(f"e{slot.index}")
    for name in FACILITY_FIELDS:
        values[f"f_{name}"] = ctx.values(f"f_{name}")
    return values


@dataclass
class Answer:
    answers: list[answering.AnswerWrite]
    answer_fields: list[str]  # the form field of each answer, to place its error
    facilities: list[FacilityWrite]
    facility_rows: list[int]
    signer: answering.Signer
    release_upstream: bool


def _slot_value(slot: Slot, text: str, form_errors: FormErrors) -> Any:  # noqa: ANN401
    kind = slot.question.answer_type
    if kind in (AnswerType.FACILITY_LIST, AnswerType.DOCUMENT) or not text:
        return None
    if kind in (AnswerType.PERCENT, AnswerType.NUMBER):
        value = number(text, slot.name, form_errors)
        return None if value is None else float(value)
    return text


def read_answer(ctx: Ctx, all_slots: list[Slot], form_errors: FormErrors) -> Answer:
    answer = Answer([], [], [], [], answering.Signer(None, None, None), False)
    for slot in all_slots:
        text = ctx.value(slot.name)
        comment = optional(ctx.value(f"c{slot.index}"))
        attached = []
        for raw in ctx.values(f"e{slot.index}"):
            try:
                attached.append(uuid.UUID(raw))
            except ValueError:
                form_errors.add(f"e{slot.index}", "not a document")
        value = _slot_value(slot, text, form_errors)
        if value is None and not comment and not attached and not text:
            continue
        answer.answers.append(
            answering.AnswerWrite(
                slot.question.code, slot.material, value, comment, tuple(attached)
            )
        )
        answer.answer_fields.append(slot.name)
    columns = {name: ctx.values(f"f_{name}") for name in FACILITY_FIELDS}
    for row in range(len(columns["name"])):
        cell = {name: (columns[name][row] if row < len(columns[name]) else "") for name in columns}
        if not (cell["cid"] or cell["name"] or cell["country"]):
            continue
        answer.facilities.append(
            FacilityWrite(
                material=cell["material"],
                facility_id=optional(cell["cid"]),
                name=cell["name"],
                country=optional(cell["country"]),
                status=optional(cell["status"]),
            )
        )
        answer.facility_rows.append(row)
    answer.signer = answering.Signer(
        optional(ctx.value("signer_name")),
        optional(ctx.value("signer_title")),
        optional(ctx.value("signer_email")),
    )
    answer.release_upstream = flag(ctx.value("release_upstream"))
    return answer


def place_problems(message: str, answer: Answer, form_errors: FormErrors) -> None:
    """Put each of the domain's `where: message` problems beside the field it is about."""
    for part in message.split("; "):
        match = _PROBLEM.match(part.strip())
        if match is None:
            form_errors.general.append(part)
            continue
        where, text = match.group(1), match.group(2).rstrip(".")
        indexed = _INDEXED.match(where)
        if indexed and indexed.group(1) == "answers":
            index = int(indexed.group(2))
            if index < len(answer.answer_fields):
                form_errors.add(answer.answer_fields[index], text)
                continue
        elif indexed:
            index = int(indexed.group(2))
            if index < len(answer.facility_rows):
                column = {"facilityId": "cid"}.get(indexed.group(3) or "name", indexed.group(3))
                form_errors.add(f"f{answer.facility_rows[index]}-{column}", text)
                continue
        elif where.startswith("signer"):
            form_errors.add(f"signer_{where.partition('.')[2] or 'name'}", text)
            continue
        form_errors.general.append(part)
