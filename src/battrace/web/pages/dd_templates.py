"""DD questionnaire templates: the list an operator may use (built-in and its own), one
template's questions, and the form that defines a template of the operator's own (a code
already in use makes its next version), optionally started from an existing template.

The form is turned into the API's template body (`POST /api/v1/diligence/templates`) and
checked by `templates.define_template`, which reports every problem at once by path
(`questions[2].oecdStep: …`); each message is shown beside the field of the row it names.
Questions are rows of indexed fields (`q3_code`, `q3_categories`, …) so that check boxes keep
to their row; a row with no code and no text is left out.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.responses import Response

from battrace import errors
from battrace.diligence import templates
from battrace.diligence.questions import (
    AnswerType,
    DocumentType,
    Polarity,
    Question,
    RiskCategory,
)
from battrace.web.app import Ctx, page
from battrace.web.forms import FormErrors, flag, optional

BLANK_ROWS = 3
MORE_ROWS = 3
MAX_ROWS = 500  # the domain's limit of questions
TEXT_FIELDS = ("code", "text_ja", "text_en", "weight", "article", "choices")
# the field of a row that each part of a question's path is about
ROW_FIELD = {
    "code": "code",
    "text": "text_ja",
    "text.ja": "text_ja",
    "text.en": "text_en",
    "answerType": "type",
    "perMaterial": "scope",
    "required": "required",
    "oecdStep": "step",
    "riskCategories": "categories",
    "polarity": "polarity",
    "evidence": "evidence",
    "choices": "choices",
    "weight": "weight",
    "article": "article",
}
TOP_FIELD = {"code": "code", "title.ja": "title_ja", "title.en": "title_en"}
_PROBLEM = re.compile(r"^([\w.\[\]]+): (.*)$", re.DOTALL)
_QUESTION = re.compile(r"^questions\[(\d+)\]\.([A-Za-z]+(?:\.(?:ja|en))?)")


@page("/dd/templates")
def template_list(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    found = ctx.state.read(lambda s: templates.list_templates(s, caller=caller))
    return ctx.render("dd_templates.html", templates=found)


@page("/dd/templates/{template_id:uuid}")
def template_detail(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    template_id: uuid.UUID = ctx.request.path_params["template_id"]
    found = ctx.state.read(
        lambda s: templates.get_template(s, template_id=template_id, caller=caller)
    )
    return ctx.render("dd_template.html", dd_template=found)


# ------------------------------------------------------------------------ the form


def blank_row() -> dict[str, Any]:
    return {
        "code": "",
        "text_ja": "",
        "text_en": "",
        "type": AnswerType.YES_NO.value,
        "scope": "company",
        "required": True,
        "step": "1",
        "categories": [],
        "polarity": Polarity.CONTROL.value,
        "evidence": [],
        "choices": "",
        "weight": "1",
        "article": "",
    }


def row_of(question: Question) -> dict[str, Any]:
    return {
        "code": question.code,
        "text_ja": question.text_ja,
        "text_en": question.text_en,
        "type": question.answer_type.value,
        "scope": "material" if question.per_material else "company",
        "required": question.required,
        "step": str(question.oecd_step),
        "categories": [c.value for c in question.categories],
        "polarity": question.polarity.value,
        "evidence": [d.value for d in question.evidence],
        "choices": "\n".join(f"{c.value}={c.score:g}" for c in question.choices),
        "weight": f"{question.weight:g}",
        "article": question.article or "",
    }


def rows_posted(ctx: Ctx) -> list[dict[str, Any]]:
    try:
        count = int(ctx.value("rows") or "0")
    except ValueError:
        count = 0
    rows = []
    for i in range(max(0, min(count, MAX_ROWS))):
        row: dict[str, Any] = {name: ctx.value(f"q{i}_{name}") for name in TEXT_FIELDS}
        row |= {
            "type": ctx.value(f"q{i}_type"),
            "scope": ctx.value(f"q{i}_scope"),
            "required": flag(ctx.value(f"q{i}_required")),
            "step": ctx.value(f"q{i}_step"),
            "polarity": ctx.value(f"q{i}_polarity"),
            "categories": ctx.values(f"q{i}_categories"),
            "evidence": ctx.values(f"q{i}_evidence"),
        }
        rows.append(row)
    return rows


def _number_or_text(text: str, *, whole: bool) -> object:
    """A number typed in a form, or the text itself for the domain to refuse by name."""
    try:
        return int(text) if whole else float(text)
    except ValueError:
        return text


def _choices(text: str) -> list[dict[str, object]]:
    """`value=score` per line."""
    found: list[dict[str, object]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value, sep, score = line.partition("=")
        found.append(
            {
                "value": value.strip(),
                "score": _number_or_text(score.strip(), whole=False) if sep else None,
            }
        )
    return found


def question_body(row: dict[str, Any]) -> dict[str, Any]:
    """One row as the API's question object (camelCase), unchecked."""
    return {
        "code": row["code"],
        "text": {"ja": row["text_ja"], "en": row["text_en"]},
        "answerType": row["type"],
        "perMaterial": row["scope"] == "material",
        "required": row["required"],
        "oecdStep": _number_or_text(row["step"], whole=True),
        "riskCategories": row["categories"],
        "polarity": row["polarity"] or Polarity.CONTROL.value,
        "evidence": row["evidence"],
        "choices": _choices(row["choices"]),
        "weight": _number_or_text(row["weight"], whole=False) if row["weight"] else 1.0,
        "article": optional(row["article"]),
    }


def place_problems(message: str, rows_asked: list[int], form_errors: FormErrors) -> None:
    """Each `path: message` of the domain beside its field; two about one field are joined."""
    for part in message.split("; "):
        match = _PROBLEM.match(part.strip())
        field = None
        if match is not None:
            where = match.group(1)
            question = _QUESTION.match(where)
            if question and int(question.group(1)) < len(rows_asked):
                name = ROW_FIELD.get(question.group(2))
                if name is not None:
                    field = f"q{rows_asked[int(question.group(1))]}_{name}"
            elif where in TOP_FIELD:
                field = TOP_FIELD[where]
        if field is None or match is None:
            form_errors.general.append(part.strip())
            continue
        text = match.group(2).strip().rstrip(".")
        if field in form_errors.fields:
            text = f"{form_errors.fields[field]}; {text}"
        form_errors.fields[field] = text


def _form(
    ctx: Ctx,
    values: dict[str, Any],
    rows: list[dict[str, Any]],
    form_errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    return ctx.render(
        "dd_template_form.html",
        status=status,
        values=values,
        rows=rows,
        errors=form_errors or FormErrors(),
        answer_types=[a.value for a in AnswerType],
        polarities=[p.value for p in Polarity],
        categories=[c.value for c in RiskCategory],
        document_types=[d.value for d in DocumentType],
    )


@page("/dd/templates/new")
def template_form(ctx: Ctx) -> Response:
    """A blank form, or one filled from a template the caller may use (`?from=`): its own
    template's code makes the next version; a built-in one leaves the code to choose."""
    caller = ctx.operator_id
    values = {"code": "", "title_ja": "", "title_en": ""}
    rows = [blank_row() for _ in range(BLANK_ROWS)]
    try:
        source = uuid.UUID(ctx.value("from")) if ctx.value("from") else None
    except ValueError:
        source = None
    if source is not None:
        found = ctx.state.read(
            lambda s: templates.get_template(s, template_id=source, caller=caller)
        )
        values = {
            "code": found.code if found.owner_operator_id is not None else "",
            "title_ja": found.title_ja,
            "title_en": found.title_en,
        }
        rows = [row_of(q) for q in found.questions] + [blank_row() for _ in range(BLANK_ROWS)]
    return _form(ctx, values, rows)


@page("/dd/templates/new", methods=("POST",))
def define(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    values = {name: ctx.value(name) for name in ("code", "title_ja", "title_en")}
    rows = rows_posted(ctx)
    if ctx.value("more"):
        more = min(MORE_ROWS, MAX_ROWS - len(rows))
        return _form(ctx, values, rows + [blank_row() for _ in range(more)])
    rows_asked = [
        i for i, row in enumerate(rows) if row["code"] or row["text_ja"] or row["text_en"]
    ]
    body = [question_body(rows[i]) for i in rows_asked]
    try:
        made = ctx.state.write(
            lambda s: templates.define_template(
                s,
                caller=caller,
                code=values["code"],
                title_ja=values["title_ja"],
                title_en=values["title_en"],
                questions=body,
            )
        )
    except errors.InvalidRequest as exc:
        form_errors = FormErrors()
        place_problems(exc.message, rows_asked, form_errors)
        return _form(ctx, values, rows, form_errors, status=400)
    saved = ctx.t("dd.template_saved", code=made.code, version=made.version)
    return ctx.redirect(f"/dd/templates/{made.id}", flash="=" + saved)
