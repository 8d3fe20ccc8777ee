"""Questionnaire templates: the built-in one, and operators' own, versioned.

A template version never changes once made; defining a template again under the same code
makes the next version. An operator sees the built-in templates and its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.diligence import builtin
from battrace.diligence.models import DdTemplate
from battrace.diligence.questions import CODE, Question, parse_questions
from battrace.ids import OperatorId, new_id


@dataclass(frozen=True)
class Template:
    id: uuid.UUID
    owner_operator_id: uuid.UUID | None
    code: str
    version: int
    title_ja: str
    title_en: str
    questions: tuple[Question, ...]
    created_at: datetime

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)


def _template(row: DdTemplate) -> Template:
    return Template(
        id=row.id,
        owner_operator_id=row.owner_operator_id,
        code=row.code,
        version=row.version,
        title_ja=row.title_ja,
        title_en=row.title_en,
        questions=parse_questions(row.questions),
        created_at=row.created_at,
    )


def ensure_builtin(session: Session) -> None:
    """Store the built-in template on first use (its id is fixed, so every database agrees)."""
    if session.get(DdTemplate, builtin.BUILTIN_TEMPLATE_ID) is None:
        session.add(
            DdTemplate(
                id=builtin.BUILTIN_TEMPLATE_ID,
                owner_operator_id=None,
                code=builtin.BUILTIN_CODE,
                version=builtin.BUILTIN_VERSION,
                title_ja=builtin.BUILTIN_TITLE_JA,
                title_en=builtin.BUILTIN_TITLE_EN,
                questions=builtin.BUILTIN_QUESTIONS,
            )
        )
        session.flush()


def list_templates(session: Session, *, caller: OperatorId) -> list[Template]:
    rows = session.scalars(
        select(DdTemplate)
        .where(or_(DdTemplate.owner_operator_id.is_(None), DdTemplate.owner_operator_id == caller))
        .order_by(DdTemplate.code, DdTemplate.version)
    )
    found = [_template(row) for row in rows]
    if not any(t.id == builtin.BUILTIN_TEMPLATE_ID for t in found):
        found.insert(0, builtin_template())
    return found


def builtin_template() -> Template:
    return Template(
        id=builtin.BUILTIN_TEMPLATE_ID,
        owner_operator_id=None,
        code=builtin.BUILTIN_CODE,
        version=builtin.BUILTIN_VERSION,
        title_ja=builtin.BUILTIN_TITLE_JA,
        title_en=builtin.BUILTIN_TITLE_EN,
        questions=parse_questions(builtin.BUILTIN_QUESTIONS),
        created_at=datetime.fromisoformat("2026-11-23T00:00:00+00:00"),
    )


def get_template(session: Session, *, template_id: uuid.UUID, caller: OperatorId) -> Template:
    """A template the caller may use: built-in, its own, or (for a supplier answering) one
    a customer sent it; the last case is checked by the request, which reads it directly."""
    if template_id == builtin.BUILTIN_TEMPLATE_ID:
        return builtin_template()
    row = session.get(DdTemplate, template_id)
    if row is None or (row.owner_operator_id not in (None, caller)):
        raise errors.NotFound(f"templateId: no template {template_id}.")
    return _template(row)


def template_by_id(session: Session, template_id: uuid.UUID) -> Template:
    """Any template, for the parties of a request that names it (no caller check)."""
    if template_id == builtin.BUILTIN_TEMPLATE_ID:
        return builtin_template()
    row = session.get(DdTemplate, template_id)
    if row is None:
        raise errors.NotFound(f"templateId: no template {template_id}.")
    return _template(row)


def define_template(
    session: Session,
    *,
    caller: OperatorId,
    code: str,
    title_ja: str,
    title_en: str,
    questions: object,
) -> Template:
    """Make the next version of the caller's template `code` (version 1 if new). Every
    problem of the code, the titles and the questions is reported at once."""
    problems = []
    if not isinstance(code, str) or not CODE.match(code) or code.startswith("BATTRACE."):
        problems.append("code: must be 1-40 of A-Z, 0-9, '.', '_', '-' (not BATTRACE.*).")
    for name, title in (("title.ja", title_ja), ("title.en", title_en)):
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            problems.append(f"{name}: must be 1 to 200 characters.")
    try:
        parsed = parse_questions(questions)
    except errors.ValidationFailed as exc:
        problems.append(exc.message)
    if problems:
        raise errors.ValidationFailed("; ".join(problems))
    latest = session.scalar(
        select(func.max(DdTemplate.version)).where(
            DdTemplate.owner_operator_id == caller, DdTemplate.code == code
        )
    )
    row = DdTemplate(
        id=new_id(),
        owner_operator_id=caller,
        code=code,
        version=(latest or 0) + 1,
        title_ja=title_ja.strip(),
        title_en=title_en.strip(),
        questions=[q.to_dict() for q in parsed],
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        action=AuditAction.DD_TEMPLATE_DEFINE,
        actor=caller,
        target_type="dd_template",
        target_id=row.id,
        change={"code": code, "version": row.version},
    )
    return _template(row)
