"""Turn a supplier's filled-in RMI workbook (CMRT or EMRT) into its DD draft answer.

The smelter list becomes the facility list (for the requested materials), and the
declaration's answers fill the questions of the built-in template they correspond to; the
rest of the draft stays as it was. The mapping is by meaning, stated once here (question
numbers as the EMRT numbers them; the CMRT has one more question, on the covered countries,
before the CAHRA one, so its later numbers are one higher):

- question 1 (intentionally added / necessary) -> MAT.CONTAINED
- question 3, CMRT 4 (sourced from conflict-affected and high-risk areas) -> MAT.CAHRA
- question 5, CMRT 6 (share of relevant suppliers that responded) -> MAT.SUPPLIERS_RESPONDED
- question 6, CMRT 7 (all smelters/refiners identified) -> MAT.CHAIN_OF_CUSTODY
- company question A (responsible-sourcing policy in place) -> BR49.POLICY
- company question B (policy publicly available) -> BR49.COMMUNICATED
- company question C (direct suppliers required to be DD compliant) -> BR49.CONTRACTS
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.orm import Session

from battrace import errors
from battrace.diligence import answering, requesting, workbooks
from battrace.diligence.answers import StoredAnswer
from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID
from battrace.diligence.facilities import FacilityWrite
from battrace.ids import OperatorId

MINERAL_QUESTIONS = {
    "EMRT": {
        "1": "MAT.CONTAINED",
        "3": "MAT.CAHRA",
        "5": "MAT.SUPPLIERS_RESPONDED",
        "6": "MAT.CHAIN_OF_CUSTODY",
    },
    "CMRT": {
        "1": "MAT.CONTAINED",
        "4": "MAT.CAHRA",
        "6": "MAT.SUPPLIERS_RESPONDED",
        "7": "MAT.CHAIN_OF_CUSTODY",
    },
}
COMPANY_QUESTIONS = {"A": "BR49.POLICY", "B": "BR49.COMMUNICATED", "C": "BR49.CONTRACTS"}
_PERCENT = re.compile(r"(\d{1,3})\s*%")


def yes_no(answer: str | None) -> str:
    text = (answer or "").strip().casefold()
    if text.startswith("yes"):
        return "yes"
    if text.startswith("no"):
        return "no"
    return "unknown"


def percent(answer: str | None) -> float | None:
    """The templates answer Q5 with bands ("Greater than 90%", "50% or less", "None"); the
    lower bound of the band is taken, so a share is never overstated."""
    text = (answer or "").strip().casefold()
    if not text or text == "unknown":
        return None
    if text.startswith("none"):
        return 0.0
    found = _PERCENT.search(text)
    if found is None:
        return None
    value = float(found.group(1))
    return 0.0 if "or less" in text or "less than" in text else min(value, 100.0)


def _mapped_answers(
    parsed: workbooks.ParsedWorkbook, materials: list[str]
) -> dict[tuple[str, str | None], Any]:
    values: dict[tuple[str, str | None], Any] = {}
    for item in parsed.declaration.mineral_answers:
        code = MINERAL_QUESTIONS[parsed.kind].get(item.question)
        if code is None or item.mineral.value not in materials:
            continue
        value = percent(item.answer) if code == "MAT.SUPPLIERS_RESPONDED" else yes_no(item.answer)
        values[(code, item.mineral.value)] = value
    for company in parsed.declaration.company_answers:
        code = COMPANY_QUESTIONS.get(company.question)
        if code is not None:
            values[(code, None)] = yes_no(company.answer)
    return values


def fill_draft(
    session: Session,
    *,
    caller: OperatorId,
    request_id: uuid.UUID,
    parsed: workbooks.ParsedWorkbook,
) -> dict[str, Any]:
    """Save the draft merged with a workbook already read (`workbooks.parse_workbook`, which
    the caller runs before its write transaction: parsing an untrusted file may take long
    and must not hold the write lock); returns what was read, with warnings."""
    request = requesting.visible_request(session, caller=caller, request_id=request_id)
    if request.upstream_operator_id != caller:
        raise errors.BusinessRuleViolation("requestId: only the supplier can do this.")
    if request.template_id != BUILTIN_TEMPLATE_ID:
        raise errors.BusinessRuleViolation(
            "requestId: workbooks fill the built-in template only; answer this one directly."
        )
    draft = answering.current_draft(session, request.id) or answering.latest_submitted(
        session, request.id
    )
    kept: dict[tuple[str, str | None], StoredAnswer] = {
        (a["code"], a.get("material")): a for a in (draft.answers if draft else [])
    }
    read = _mapped_answers(parsed, request.materials)
    for key, value in read.items():
        before = kept.get(key)
        kept[key] = StoredAnswer(
            code=key[0],
            material=key[1],
            value=value,
            comment=before.get("comment") if before else None,
            evidence=before.get("evidence", []) if before else [],
        )
    answers = [
        answering.AnswerWrite(
            code=a["code"],
            material=a.get("material"),
            value=a.get("value"),
            comment=a.get("comment"),
            evidence=tuple(uuid.UUID(e) for e in a.get("evidence", [])),
        )
        for a in kept.values()
    ]
    facilities = [
        FacilityWrite(
            material=s.metal.value,
            facility_id=s.smelter_id,
            name=s.name,
            country=s.country,
        )
        for s in parsed.smelters
        if s.metal.value in request.materials
    ]
    declaration = parsed.declaration
    answering.save_draft(
        session,
        caller=caller,
        request_id=request.id,
        answers=answers,
        facilities=facilities,
        signer=answering.Signer(
            declaration.representative_name,
            declaration.representative_title,
            declaration.representative_email,
        ),
        release_upstream=draft.release_upstream if draft else False,
        source_workbook=f"{parsed.kind} {parsed.version}",
    )
    return {
        "kind": parsed.kind,
        "version": parsed.version,
        "answersRead": len(read),
        "facilitiesRead": len(facilities),
        "facilitiesSkipped": len(parsed.smelters) - len(facilities),
        "warnings": [str(w) for w in parsed.warnings],
    }
