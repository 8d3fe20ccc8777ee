"""The due-diligence pages over the real app and database (SQLite and PostgreSQL), no browser:
A asks B for DD on the cell's trade, B uploads evidence, fills its draft from an EMRT
workbook, attaches the document and submits; A reads the version and its product's report.
Also: validation beside the fields, workbook cell errors, send back / cancel, a stranger,
CSRF, and no untranslated text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from fastapi import FastAPI

from battrace.cli.seeds import ensure_company
from battrace.diligence.templates import builtin_template
from battrace.store import Database
from battrace.web.pages.dd_answer_form import slots
from tests.diligence.chain import REFINER
from tests.diligence.workbooks import SmelterRow, TemplateSpec, assurance_rows, build
from tests.web.support import Journey, WebUser, field_error, last_id

EMRT = TemplateSpec(
    kind="EMRT",
    version="2.1",
    answers={
        ("1", "cobalt"): "Yes",
        ("3", "cobalt"): "No",
        ("5", "cobalt"): "Greater than 90%",
        ("6", "cobalt"): "Yes",
        ("1", "nickel"): "Yes",
        ("3", "nickel"): "Unknown",
    },
    company_answers={"A": "Yes", "B": "Yes", "C": "Yes"},
    smelters=[
        SmelterRow(
            metal="Cobalt", name="Cobalt refinery", smelter_id="CID000101", country="FINLAND"
        ),
        SmelterRow(metal="Nickel", name="Nickel refinery", smelter_id="CID000102", country="JAPAN"),
        SmelterRow(metal="Copper", name="Copper smelter", smelter_id="CID000103", country="CHILE"),
    ],
)
SLOTS = {
    (s.question.code, s.material): s.index for s in slots(builtin_template(), ["cobalt", "nickel"])
}


class FormFields(HTMLParser):
    """What a browser would send for one form of a page (text, checked boxes, selections)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.select, self.textarea = form_id, False, "", ""
        self.fields: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind not in ("checkbox", "radio", "file", "submit") or "checked" in a:
                self.fields.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self.select = a["name"]
            self.fields.setdefault(self.select, []).append("")
            self.first = True
        elif tag == "option" and self.select:
            if self.first or "selected" in a:
                self.fields[self.select][-1] = a.get("value", "")
            self.first = False
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields.setdefault(self.textarea, []).append("")

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = ""
        elif tag == "textarea":
            self.textarea = ""


def answer_form(html: str) -> dict[str, list[str]]:
    parser = FormFields("dd-answer")
    parser.feed(html)
    return {k: v for k, v in parser.fields.items() if k != "csrf_token"}


def ask_dd(journey: Journey, materials: list[str]) -> str:
    sent = journey.a.post(
        f"/requests/{journey.trade}/dd",
        {"materials": materials, "due": "2030-01-31", "message": "DDをお願いします"},
    )
    assert sent.status_code == 200, sent.text
    assert "DD依頼を送信しました。" in sent.text
    return last_id(sent)


def test_dd_flow_between_two_companies(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    journey.answer()
    a, b = journey.a, journey.b
    assert "BATTRACE.EU-BR-DD" in a.get("/dd/templates").text
    template = re.search(r'href="(/dd/templates/[0-9a-f-]{36})"', a.get("/dd/templates").text)
    assert template is not None
    questions = a.get(template.group(1)).text
    assert "BR49.POLICY" in questions and "労働者の権利" in questions
    assert f"/requests/{journey.trade}/dd" in a.get(f"/parts/{journey.product}").text

    rid = ask_dd(journey, ["cobalt", "nickel"])
    assert "未着手" in a.get("/dd/sent").text
    assert "A社" in b.get("/dd/received").text
    assert "1" in re.findall(r"<strong>(\d+)</strong> 件の受信DD依頼が未回答", b.get("/").text)

    listed = assurance_rows(
        [("CID", "scheme", "status", "valid_to"), ("CID000101", "RMAP", "conformant", "2099-01-01")]
    )
    assured = b.post(
        "/dd/assurances", files={"file": ("list.xlsx", listed, "application/octet-stream")}
    )
    assert "1 件の製錬所認証を取り込みました。" in assured.text
    page = b.get(f"/dd/{rid}").text
    assert "BR49.POLICY" in page and "コバルト" in page
    uploaded = b.post(
        f"/dd/{rid}/evidence",
        {"ev_title": "調達方針", "ev_type": "policy", "ev_confidentiality": "customer"},
        files={"ev_file": ("policy.pdf", b"%PDF-1.4 policy", "application/pdf")},
    )
    assert "資料をアップロードしました。" in uploaded.text
    imported = b.post(
        f"/dd/{rid}/workbook",
        files={"workbook": ("emrt.xlsx", build(EMRT), "application/octet-stream")},
    )
    assert imported.status_code == 200, imported.text
    assert "EMRT 2.1 から回答" in imported.text
    form = answer_form(imported.text)
    assert "CID000101" in form["f_cid"] and "CID000103" not in form["f_cid"]
    assert form[f"a{SLOTS[('MAT.CAHRA', 'cobalt')]}"] == ["no"]
    evidence_id = re.search(r'name="e\d+" value="([0-9a-f-]{36})"', imported.text)
    assert evidence_id is not None
    form[f"e{SLOTS[('BR49.POLICY', None)]}"] = [evidence_id.group(1)]
    submitted = b.post(f"/dd/{rid}/submit", form)
    assert submitted.status_code == 200, submitted.text
    assert "第1版として提出しました。" in submitted.text

    seen = a.get(f"/dd/{rid}").text
    assert "回答済み" in seen and "第1版" in seen and "Hanako Sato" in seen
    assert "Cobalt refinery" in seen and "調達方針" in seen and "認証済み" in seen
    download = a.client.get(f"/dd/evidence/{evidence_id.group(1)}")
    assert download.content == b"%PDF-1.4 policy"
    assert "第1版" in a.get("/dd/sent").text

    report = a.get(f"/parts/{journey.product}/dd")
    assert report.status_code == 200
    assert "原材料・OECDステップ別の充足状況" in report.text and "band-" in report.text
    assert "B社" in report.text and "policy" not in report.text.split("<main")[0]
    html = a.client.get(f"/parts/{journey.product}/dd/report.html")
    assert html.status_code == 200 and "デューディリジェンス報告" in html.text
    assert '<html lang="ja">' in html.text and "未解決のレッドフラグ" in html.text
    assert html.headers["content-security-policy"].startswith("default-src 'none'")
    # The domain's findings are worded by the catalogue: no English sentence in Japanese.
    main = report.text.split("<main")[1]
    assert not re.search(r"answered (yes|unknown)|upstream of|no smelter|no due-diligence", main)
    assert re.search(r"未回答または不明|「はい」と回答|製錬所・精製所が特定されていない", main)
    a.post("/language", {"lang": "en", "next": "/"})
    english = a.client.get(f"/parts/{journey.product}/dd/report.html").text
    assert '<html lang="en">' in english and "Due-diligence report" in english
    assert "Open red flags" in english
    assert re.search(
        r"answered (yes|unknown)|no smelter", a.get(f"/parts/{journey.product}/dd").text
    )


def test_validation_errors_are_shown_beside_their_fields(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    none = a.post(f"/requests/{journey.trade}/dd", {"due": "2030-01-31"})
    assert none.status_code == 400
    assert field_error(none.text, "materials") == "原材料を1つ以上選んでください"
    past = a.post(f"/requests/{journey.trade}/dd", {"materials": ["lithium"], "due": "2020-01-01"})
    assert field_error(past.text, "due") == "今日以降の日付を入力してください。"

    rid = ask_dd(journey, ["cobalt"])
    share = f"a{SLOTS[('MAT.SUPPLIERS_RESPONDED', 'cobalt')]}"
    too_big = b.post(f"/dd/{rid}/draft", {share: "150", "signer_email": "x"})
    assert too_big.status_code == 400
    assert field_error(too_big.text, share) == "0〜100 の値を入力してください。"
    words = b.post(f"/dd/{rid}/draft", {share: "abc"})
    assert field_error(words.text, share) == "数値で入力してください。"
    row = b.post(
        f"/dd/{rid}/draft", {"f_material": ["cobalt"], "f_cid": ["CID12"], "f_name": ["x"]}
    )
    assert (
        field_error(row.text, "f0-cid") == "CID と 6 桁の数字で入力してください（例：CID001234）。"
    )
    unsigned = b.post(f"/dd/{rid}/submit", {share: "50"})
    assert unsigned.status_code == 400 and "signer" in unsigned.text
    broken = TemplateSpec(
        kind="EMRT",
        version="2.1",
        smelters=[SmelterRow(metal="Cobalt", name="Bad", smelter_id="CID12")],
    )
    bad = b.post(
        f"/dd/{rid}/workbook",
        files={"workbook": ("bad.xlsx", build(broken), "application/octet-stream")},
    )
    assert bad.status_code == 400
    assert "Smelter List" in bad.text and "ワークブックを読み取れませんでした" in bad.text
    wrong = b.post(
        f"/dd/{rid}/evidence",
        {"ev_type": "policy", "ev_confidentiality": "secret"},
        files={"ev_file": ("x.pdf", b"%PDF", "application/pdf")},
    )
    assert (
        field_error(wrong.text, "ev_confidentiality")
        == "次のいずれかを入力してください：public, customer, hash_only"
    )
    assurances = a.post("/dd/assurances", files={"file": ("a.csv", b"nothing,here\n", "text/csv")})
    assert assurances.status_code == 400 and field_error(assurances.text, "file")


def test_send_back_cancel_stranger_and_csrf(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    rid = ask_dd(journey, ["lithium"])
    back = b.post(f"/dd/{rid}/send-back", {"reason": "リチウムは使っていません"})
    assert "DD依頼を差し戻しました。" in back.text
    assert "リチウムは使っていません" in a.get(f"/dd/{rid}").text
    again = ask_dd(journey, ["nickel"])
    assert "DD依頼を取り消しました。" in a.post(f"/dd/{again}/cancel").text
    assert "取消" in b.get("/dd/received").text

    with seeded.transaction() as session:
        ensure_company(session, REFINER)
    stranger = WebUser(app)
    stranger.login(REFINER)
    for path in (
        f"/dd/{rid}",
        f"/requests/{journey.trade}/dd",
        f"/parts/{journey.product}/dd",
        f"/parts/{journey.product}/dd/report.html",
    ):
        assert stranger.client.get(path).status_code == 404, path
    assert stranger.post(f"/dd/{again}/cancel").status_code == 404
    assert stranger.post(f"/dd/{rid}/draft", {}).status_code == 404
    assert b.client.get(f"/parts/{journey.product}/dd").status_code == 404

    for path, data in (
        (f"/requests/{journey.trade}/dd", {"materials": "cobalt"}),
        (f"/dd/{rid}/draft", {}),
        (f"/dd/{rid}/submit", {}),
        (f"/dd/{rid}/send-back", {"reason": "x"}),
        (f"/dd/{rid}/cancel", {}),
        (f"/dd/{rid}/workbook", {}),
        (f"/dd/{rid}/evidence", {}),
        ("/dd/assurances", {}),
    ):
        assert a.client.post(path, data=data).status_code == 403, path
        assert a.client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path


def test_dd_pages_are_translated(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    rid = ask_dd(journey, ["cobalt", "natural_graphite"])
    b.post(
        f"/dd/{rid}/evidence",
        {"ev_title": "監査", "ev_type": "audit_report", "ev_confidentiality": "hash_only"},
        files={"ev_file": ("Audit 2025.pdf", b"%PDF audit", "application/pdf")},
    )
    template = re.search(r'href="(/dd/templates/[0-9a-f-]{36})"', a.get("/dd/templates").text)
    assert template is not None
    pages: list[tuple[WebUser, str]] = [
        (a, "/dd/templates"),
        (a, template.group(1)),
        (a, f"/requests/{journey.trade}/dd"),
        (a, "/dd/sent"),
        (a, f"/dd/{rid}"),
        (a, f"/parts/{journey.product}/dd"),
        (a, "/dd/assurances"),
        (a, "/"),
        (b, "/dd/received"),
        (b, f"/dd/{rid}"),
    ]
    for lang in ("en", "ja"):
        for user in (a, b):
            user.post("/language", {"lang": lang, "next": "/"})
        for user, path in pages:
            text = user.get(path).text
            missing = re.findall(r">\s*((?:[a-z_]+)\.[a-z_0-9]+(?:\.[A-Za-z_]+)?)\s*<", text)
            assert not missing, (lang, path, missing)
    english: dict[str, Any] = {"lang": "en", "next": f"/dd/{rid}"}
    shown = b.post("/language", english).text
    assert "Answer due diligence" in shown and "Natural graphite" in shown
