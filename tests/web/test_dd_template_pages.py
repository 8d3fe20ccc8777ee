"""Defining DD templates from the web, over the real app and database (SQLite and
PostgreSQL): the form's rows become the API's question list and go through the domain's
validation, whose every problem shows beside its field at once; a template of one's own
makes its next version; the built-in template round-trips through the form unchanged; other
operators' templates stay out of sight."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

from fastapi import FastAPI

from battrace.diligence import templates
from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID
from battrace.diligence.questions import Question
from battrace.store import Database
from tests.web.support import A, Journey, WebUser, field_error
from tests.web.test_dd_pages import FormFields

GOOD = {
    "code": "ACME.SURVEY",
    "title_ja": "供給者調査",
    "title_en": "Supplier survey",
    "rows": "3",
    "q0_code": "Q1",
    "q0_text_ja": "児童労働のリスクはありますか。",
    "q0_text_en": "Is there a child-labour risk?",
    "q0_type": "yes_no",
    "q0_scope": "material",
    "q0_required": "1",
    "q0_step": "2",
    "q0_polarity": "risk",
    "q0_categories": ["labour_rights", "human_rights"],
    "q0_weight": "2.5",
    "q0_article": "Art. 49",
    "q2_code": "Q2",
    "q2_text_ja": "評価",
    "q2_text_en": "Rating",
    "q2_type": "choice",
    "q2_scope": "company",
    "q2_step": "1",
    "q2_polarity": "control",
    "q2_evidence": ["policy"],
    "q2_choices": "good=1\nfair = 0.5\nbad=0",
}


def same_order(question: Question) -> Question:
    return replace(question, categories=tuple(sorted(question.categories)))


def template_form(html: str) -> dict[str, list[str]]:
    parser = FormFields("dd-template")
    parser.feed(html)
    return {k: v for k, v in parser.fields.items() if k != "csrf_token"}


def test_define_a_template_and_its_next_version(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    assert 'href="/dd/templates/new"' in a.get("/dd/templates").text
    blank = a.get("/dd/templates/new")
    assert blank.status_code == 200
    assert template_form(blank.text)["rows"] == ["3"]

    saved = a.post("/dd/templates/new", GOOD)
    assert saved.status_code == 200, saved.text
    assert "テンプレート ACME.SURVEY の第1版を保存しました。" in saved.text
    assert (
        "児童労働のリスクはありますか。" in saved.text and "リスク（「はい」が懸念）" in saved.text
    )
    first_id = uuid.UUID(str(saved.url).rsplit("/", 1)[1])
    with seeded.transaction() as session:
        made = templates.get_template(session, template_id=first_id, caller=A.operator_id)
    q1, q2 = made.questions
    assert (made.code, made.version, made.title_en) == ("ACME.SURVEY", 1, "Supplier survey")
    assert (q1.per_material, q1.required, q1.oecd_step, q1.weight) == (True, True, 2, 2.5)
    assert [c.value for c in q1.categories] == ["labour_rights", "human_rights"]
    assert (q1.polarity.value, q1.article) == ("risk", "Art. 49")
    assert (q2.per_material, q2.required, q2.weight) == (False, False, 1.0)
    assert [(c.value, c.score) for c in q2.choices] == [("good", 1), ("fair", 0.5), ("bad", 0)]
    assert [d.value for d in q2.evidence] == ["policy"]

    # its next version: the form is filled from it, sent back as it is
    filled = a.get("/dd/templates/new", **{"from": str(first_id)})
    assert 'value="ACME.SURVEY"' in filled.text
    again = a.post("/dd/templates/new", template_form(filled.text))
    assert "テンプレート ACME.SURVEY の第2版を保存しました。" in again.text
    with seeded.transaction() as session:
        second = templates.get_template(
            session, template_id=uuid.UUID(str(again.url).rsplit("/", 1)[1]), caller=A.operator_id
        )
    assert second.version == 2 and second.questions == made.questions
    assert f"/dd/templates/new?from={first_id}" in a.get(f"/dd/templates/{first_id}").text
    # usable for a request at once
    assert "供給者調査 (v2)" in a.get(f"/requests/{journey.trade}/dd").text

    # the supplier cannot start from the customer's template nor see it listed
    assert b.get("/dd/templates/new", **{"from": str(first_id)}).status_code == 404
    assert "ACME.SURVEY" not in b.get("/dd/templates").text


def test_the_builtin_template_round_trips_through_the_form(app: FastAPI, seeded: Database) -> None:
    a = WebUser(app)
    a.login(A)
    filled = a.get("/dd/templates/new", **{"from": str(BUILTIN_TEMPLATE_ID)})
    form = template_form(filled.text)
    assert form["code"] == [""]  # a built-in code is not the operator's to version
    form["code"] = ["ACME.EU-BR-DD"]
    saved = a.post("/dd/templates/new", form)
    assert "テンプレート ACME.EU-BR-DD の第1版を保存しました。" in saved.text
    with seeded.transaction() as session:
        copy = templates.get_template(
            session, template_id=uuid.UUID(str(saved.url).rsplit("/", 1)[1]), caller=A.operator_id
        )
    # the same questions; risk categories come back in the form's (the enum's) order
    assert [same_order(q) for q in copy.questions] == [
        same_order(q) for q in templates.builtin_template().questions
    ]


def test_every_problem_shows_beside_its_field(app: FastAPI, seeded: Database) -> None:
    a = WebUser(app)
    a.login(A)
    bad = {
        **GOOD,
        "code": "BATTRACE.MINE",
        "title_ja": "",
        "q0_code": "q 1",
        "q0_text_en": "",
        "q0_step": "9",
        "q0_weight": "heavy",
        "q0_polarity": "risk",
        "q0_type": "text",
        "q2_choices": "good=2\nbad",
        "q2_evidence": ["policy", "selfie"],
    }
    shown = a.post("/dd/templates/new", bad)
    assert shown.status_code == 400
    html = shown.text
    assert field_error(html, "code").startswith("must be 1-40 of A-Z")
    assert field_error(html, "title_ja") == "1〜200 文字で入力してください。"
    assert field_error(html, "q0_code").startswith("must be 1-40 of A-Z")
    assert field_error(html, "q0_text_en") == "1〜1000 文字で入力してください。"
    assert field_error(html, "q0_step") == "1〜5 の整数を入力してください。"
    assert field_error(html, "q0_weight") == "0〜10 の値を入力してください。"
    assert field_error(html, "q0_polarity") == "risk questions are yes/no or choice questions"
    assert field_error(html, "q2_choices").count("must be {value: text, score: 0..1}") == 2
    assert field_error(html, "q2_evidence").startswith("must be one of policy")
    assert 'value="q 1"' in html and "heavy" in html  # what was typed stays
    with seeded.transaction() as session:
        assert [t.code for t in templates.list_templates(session, caller=A.operator_id)] == [
            "BATTRACE.EU-BR-DD"
        ]

    empty = a.post(
        "/dd/templates/new",
        {
            **GOOD,
            "q0_code": "",
            "q0_text_ja": "",
            "q0_text_en": "",
            "q2_code": "",
            "q2_text_ja": "",
            "q2_text_en": "",
        },
    )
    assert empty.status_code == 400 and "questions: must be a non-empty list." in empty.text

    more = a.post("/dd/templates/new", {**GOOD, "more": "1"})
    assert more.status_code == 200 and template_form(more.text)["rows"] == ["6"]
    assert 'id="f-q5_code"' in more.text and 'value="Q2"' in more.text
    assert a.client.post("/dd/templates/new", data=GOOD).status_code == 403
    assert a.client.post("/dd/templates/new", data={**GOOD, "csrf_token": "x"}).status_code == 403

    for lang in ("en", "ja"):
        a.post("/language", {"lang": lang, "next": "/"})
        for page in (a.get("/dd/templates/new").text, a.post("/dd/templates/new", bad).text):
            missing = re.findall(r">\s*((?:[a-z_]+)\.[a-z_0-9]+(?:\.[A-Za-z_]+)?)\s*<", page)
            assert not missing, (lang, missing)
