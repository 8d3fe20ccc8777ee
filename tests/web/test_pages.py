"""The web pages over the real app and database (SQLite and PostgreSQL), no browser: the
two-company journey, the contract's validation beside the fields, and authorisation."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI

from battrace.store import Database
from tests.web.support import (
    A,
    B,
    Journey,
    WebUser,
    add_plant,
    cfp_form,
    field_error,
    last_id,
    structure_form,
)


def test_two_company_journey(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    sent = a.get("/requests/sent").text
    assert "部品登録中" in sent and "B社" in sent
    received = b.get("/requests/received").text
    assert "A社" in received and "CFPをお願いします" in received
    assert "B社からCFPの依頼" not in received
    assert "A社 からCFPの依頼が届きました" in b.get("/inbox").text

    journey.answer()
    uploaded = b.post(
        f"/parts/{journey.b_part}/certificates",
        files={"file": ("verification.pdf", b"%PDF-1.4 test", "application/pdf")},
        data={"description": "第三者検証"},
    )
    assert "verification.pdf" in uploaded.text
    request = a.get(f"/requests/{journey.trade}").text
    assert "回答済み" in request
    assert "5 kgCO2e/個" in request
    file_id = re.search(r"/requests/[0-9a-f-]+/certificates/([0-9a-f-]+)", request)
    assert file_id is not None
    download = a.client.get(f"/requests/{journey.trade}/certificates/{file_id.group(1)}")
    assert download.content == b"%PDF-1.4 test"
    assert download.headers["content-disposition"].startswith("attachment")

    # B withholds certificates from A: the link disappears and the file is not found.
    b.post(
        f"/parts/{journey.b_part}/disclosure",
        {"customer": str(A.operator_id), "total_cfp": "1", "total_dqr": "1"},
    )
    assert "verification.pdf" not in a.get(f"/requests/{journey.trade}").text
    assert (
        a.client.get(f"/requests/{journey.trade}/certificates/{file_id.group(1)}").status_code
        == 404
    )

    # A's product rolls up: 4 cells x (5 + 10) + 2.5 kg x (2 + 1) = 67.5
    footprint = a.get(f"/parts/{journey.product}/footprint").text
    assert "67.5" in footprint
    assert "回答しました" in a.get("/inbox").text


def test_reply_send_back_and_cancel(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    b.post(f"/requests/{journey.trade}/reply", {"reply": "来週回答します"})
    assert "来週回答します" in a.get("/requests/sent").text
    back = b.post(f"/requests/{journey.trade}/send-back", {"reason": "対象外の部品です"})
    assert back.status_code == 200
    page = a.get(f"/requests/{journey.trade}").text
    assert "差戻し" in page and "対象外の部品です" in page
    again = a.post(
        f"/parts/{journey.cell}/request",
        {"supplier": B.open_operator_id, "message": "", "due": "2030-02-28"},
    )
    second = str(again.url).rsplit("/", 1)[1]
    cancelled = a.post(f"/requests/{second}/cancel")
    assert "取消" in cancelled.text
    assert b.client.get(f"/requests/{second}").status_code == 404  # gone for the supplier


def test_contract_validation_is_shown_beside_the_fields(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    bad = journey.a.post(f"/parts/{journey.casing}/cfp", cfp_form("-1", "1.123456"))
    assert bad.status_code == 400
    assert field_error(bad.text, "pre_own") == "0 以上の値を入力してください。"
    assert field_error(bad.text, "main_own") == "小数点以下は 5 桁までです。"
    words = journey.a.post(f"/parts/{journey.casing}/cfp", cfp_form("abc", "1"))
    assert field_error(words.text, "pre_own") == "数値で入力してください。"
    plant = journey.a.post("/plants", {"plantName": "", "plantAddress": "x", "openPlantId": "12"})
    assert field_error(plant.text, "plantName") == "入力してください。"
    assert field_error(plant.text, "openPlantId").startswith("the last 6 digits")
    request = journey.a.post(f"/parts/{journey.cell}/request", {"supplier": "999", "due": ""})
    assert field_error(request.text, "supplier") == "この法人番号の事業者は登録されていません"


def test_a_nul_character_is_refused_before_the_database(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    plant = journey.a.post("/plants", {"plantName": "a\x00b", "plantAddress": "x",
                                       "openPlantId": "1234567890123000009"})  # fmt: skip
    assert plant.status_code == 400
    assert journey.a.get("/parts", q="\x00").status_code == 400
    assert "a\x00b" not in journey.a.get("/plants").text


def test_another_company_sees_nothing_of_mine(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    b = journey.b
    for path in (
        f"/parts/{journey.product}",
        f"/parts/{journey.product}/footprint",
        f"/parts/{journey.casing}/cfp",
        f"/parts/{journey.product}/structure",
    ):
        assert b.client.get(path).status_code == 404, path
    assert b.post(f"/parts/{journey.casing}/cfp", cfp_form("1", "1")).status_code == 404
    assert b.post(f"/requests/{journey.trade}/cancel").status_code == 404
    assert (
        journey.a.post(f"/requests/{journey.trade}/link", {"traceId": journey.b_part}).status_code
        == 404
    )
    assert "電池パック" not in b.get("/parts", q="電池").text


def test_session_cookie_csrf_and_logout(app: FastAPI, seeded: Database) -> None:
    user = WebUser(app)
    assert str(user.get("/parts").url).endswith("/login?next=/parts")
    response = user.client.post(
        "/login",
        data={"csrf_token": user.csrf, "email": A.email, "password": A.password},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    user.get("/")
    # A POST without the session's token is refused, whatever else it carries.
    forged = user.client.post(
        "/plants",
        data={"plantName": "x", "plantAddress": "x", "openPlantId": "1234567890123000001"},
    )
    assert forged.status_code == 403
    assert user.client.post("/plants", data={"csrf_token": "forged"}).status_code == 403
    stolen = dict(user.client.cookies)
    user.post("/logout")
    thief = WebUser(app)
    thief.client.cookies.update(stolen)
    assert str(thief.client.get("/").url).endswith("/login?next=/")  # the login row is revoked


def test_login_lockout_and_password_change(app: FastAPI, seeded: Database) -> None:
    user = WebUser(app)
    for _ in range(5):
        failed = user.post("/login", {"email": A.email, "password": "wrong"})
        assert failed.status_code == 401
    locked = user.post("/login", {"email": A.email, "password": A.password})
    assert locked.status_code == 429  # paused, and the page says for how long
    assert "約 15 分間停止" in locked.text or "分間停止" in locked.text
    for _ in range(5):  # an e-mail without an account reads the same after as many tries
        user.post("/login", {"email": "nobody@example.com", "password": "wrong"})
    unknown = user.post("/login", {"email": "nobody@example.com", "password": "x"})
    assert unknown.status_code == 429
    assert (
        unknown.text.split("<main")[1].replace("nobody@example.com", A.email)
        == locked.text.split("<main")[1]
    )

    b = WebUser(app)
    b.login(B)
    weak = b.post(
        "/password",
        {"current_password": B.password, "new_password": "short", "confirm_password": "short"},
    )
    assert field_error(weak.text, "new_password") == "8〜20 文字で入力してください。"
    wrong = b.post(
        "/password",
        {"current_password": "nope", "new_password": "Newpass&1", "confirm_password": "Newpass&1"},
    )
    assert field_error(wrong.text, "current_password")
    changed = b.post(
        "/password",
        {
            "current_password": B.password,
            "new_password": "Newpass&1",
            "confirm_password": "Newpass&1",
        },
    )
    assert str(changed.url).endswith("/login")
    again = b.post("/login", {"email": B.email, "password": "Newpass&1"})
    assert again.status_code == 200 and B.email in again.text


def test_language_switch_and_catalogue(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a = journey.a
    assert '<html lang="ja">' in a.get("/").text
    english = a.post("/language", {"lang": "en", "next": "/parts"})
    assert '<html lang="en">' in english.text and "Parts and products" in english.text
    pages = [
        "/",
        "/parts",
        f"/parts/{journey.product}",
        f"/parts/{journey.cell}/request",
        f"/parts/{journey.casing}/cfp",
        "/requests/sent",
        "/requests/received",
        "/inbox",
        "/plants",
        "/password",
        f"/requests/{journey.trade}",
        f"/requests/{journey.trade}/edit",
        f"/parts/{journey.product}/footprint",
        "/factors",
        "/parts/import",
        "/parts/new",
    ]
    for lang in ("en", "ja"):
        a.post("/language", {"lang": lang, "next": "/"})
        for path in pages:
            text = a.get(path).text
            missing = re.findall(r">\s*((?:[a-z]+)\.[a-z_]+(?:\.[A-Za-z_]+)?)\s*<", text)
            assert not missing, (lang, path, missing)
    assert a.post("/language", {"lang": "en", "next": "https://evil.example/"}).url.path == "/"


def test_parts_search_and_paging(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a = journey.a
    plant = re.search(r'<option value="([0-9a-f-]{36})"', a.get("/parts/new").text)
    assert plant is not None

    a.post(
        "/parts/structure",
        structure_form(
            plant.group(1),
            "モジュール",
            [(f"部材{i:02d}", "1", "kilogram", True) for i in range(25)],
        ),
    )
    first = a.get("/parts", q="部材").text
    assert (
        first.count('href="/parts/') - first.count("/parts/new") - first.count("/parts/import")
        >= 20
    )
    after = re.search(r'href="/parts\?q=[^"]*after=([0-9a-f-]{36})"', first)
    assert after is not None
    second = a.get("/parts", q="部材", after=after.group(1)).text
    assert "部材24" in second and "部材00" not in second
    assert "電池パック" in a.get("/parts", products="1").text
    assert "セル<" not in a.get("/parts", products="1").text


CSV_OK = """parentPartsName,parentSupportPartsName,partsName,supportPartsName,openPlantId,amountRequired,amountRequiredUnit,terminatedFlag
,,蓄電池ユニット,PK-01,1234567890123012345,,unit,false
蓄電池ユニット,PK-01,モジュール,,1234567890123012345,8,unit,false
モジュール,,セルX,,1234567890123012345,12,unit,false
モジュール,,モジュール筐体,,1234567890123012345,1.5,kilogram,true
蓄電池ユニット,PK-01,BMS,,1234567890123012345,1,unit,false
"""


def test_csv_import_reports_row_errors_then_imports_levels(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a = journey.a
    bad = (
        CSV_OK.replace(",8,unit", ",-8,unit")
        .replace("1.5,kilogram,true", "1.5,kilogram,maybe")
        .replace("BMS,,1234567890123012345", "BMS,,9999999999999000000")
    )
    report = a.post("/parts/import", files={"file": ("parts.csv", bad.encode(), "text/csv")})
    assert report.status_code == 400
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w*)</td><td>([^<]*)</td></tr>", report.text)
    assert ("3", "amountRequired", "0 以上の値を入力してください。") in rows
    assert ("5", "terminatedFlag", "true または false を指定してください") in rows
    assert ("6", "openPlantId", "この事業所識別子の事業所は登録されていません") in rows
    assert "モジュール筐体" not in a.get("/parts", q="モジュール").text
    # The streaming form (what the page's script reads): progress lines, then the result.
    streamed = a.client.post(
        "/parts/import",
        data={"csrf_token": a.csrf},
        files={"file": ("parts.csv", CSV_OK.encode("cp932"), "text/csv")},
        headers={"Accept": "application/x-ndjson"},
    )
    lines = [json.loads(line) for line in streamed.text.splitlines()]
    assert lines[-1]["done"] == lines[-1]["total"] == 2 and not lines[-1]["errors"]
    module = a.get("/parts", q="モジュール")
    assert "モジュール筐体" in module.text
    pack = re.search(
        r'href="(/parts/[0-9a-f-]{36})">蓄電池ユニット</a>',
        a.get("/parts", q="蓄電池ユニット").text,
    )
    assert pack is not None
    assert "モジュール" in a.get(pack.group(1)).text and "BMS" in a.get(pack.group(1)).text


def test_answering_shows_what_will_be_sent_before_it_is_sent(
    app: FastAPI, seeded: Database
) -> None:
    journey = Journey(app)
    b = journey.b
    linked = b.post(f"/requests/{journey.trade}/link", {"traceId": journey.b_part})
    assert linked.status_code == 200
    form = cfp_form("1234.5", "10", confirm=False) | {"pre_TeR": "1000"}
    shown = b.post(f"/parts/{journey.b_part}/cfp", form)
    assert shown.status_code == 200
    assert 'id="cfp-to-send"' in shown.text and A.name in shown.text
    assert "DQR の尺度（1〜5）の外" in shown.text  # TeR 1000 is flagged, not silently sent
    assert "回答済み" not in journey.a.get(f"/requests/{journey.trade}").text  # nothing sent yet
    back = b.post(f"/parts/{journey.b_part}/cfp", form | {"edit": "1"})
    assert 'value="1234.5"' in back.text and 'id="cfp-to-send"' not in back.text
    sent = b.post(f"/parts/{journey.b_part}/cfp", form | {"confirm": "1"})
    assert sent.status_code == 200
    assert "回答済み" in journey.a.get(f"/requests/{journey.trade}").text
    after = b.get(f"/requests/{journey.trade}").text  # what no longer applies is not offered
    assert "/send-back" not in after and f"/requests/{journey.trade}/link" not in after


def test_an_answer_in_a_unit_the_customer_cannot_use_is_refused(
    app: FastAPI, seeded: Database
) -> None:
    journey = Journey(app)  # A counts the cell in pieces (unit)
    b = journey.b
    b.post(f"/requests/{journey.trade}/link", {"traceId": journey.b_part})
    refused = b.post(f"/parts/{journey.b_part}/cfp", cfp_form("5", "10", unit="kgCO2e/kilogram"))
    assert refused.status_code == 400
    assert "kgCO2e/unit" in field_error(refused.text, "unit")
    assert "回答済み" not in journey.a.get(f"/requests/{journey.trade}").text


def test_linking_a_part_valued_in_another_unit_is_refused_as_an_error(
    app: FastAPI, seeded: Database
) -> None:
    journey = Journey(app)  # A counts the cell in pieces; B values its cell per kilogram
    b = journey.b
    saved = b.post(f"/parts/{journey.b_part}/cfp", cfp_form("5", "10", unit="kgCO2e/kilogram"))
    assert saved.status_code == 200
    refused = b.post(f"/requests/{journey.trade}/link", {"traceId": journey.b_part})
    assert 'class="flash error" role="alert"' in refused.text
    assert "kgCO2e/キログラム" in refused.text and "「個」単位" in refused.text
    assert "部品を紐付けました" not in refused.text
    b.post("/language", {"lang": "en", "next": "/"})
    again = b.post(f"/requests/{journey.trade}/link", {"traceId": journey.b_part})
    assert "declared per kilogram, but your customer counts the part in unit" in again.text
    assert "部品登録中" in journey.a.get(f"/requests/{journey.trade}").text  # still not linked


def test_a_value_in_a_mismatched_unit_is_an_unknown_part_not_a_broken_page(
    app: FastAPI, seeded: Database
) -> None:
    journey = Journey(app)
    a = journey.a  # the casing is counted in kilogram; its CFP declared per piece
    saved = a.post(f"/parts/{journey.casing}/cfp", cfp_form("2", "1", unit="kgCO2e/unit"))
    assert saved.status_code == 200
    page = a.get(f"/parts/{journey.product}/footprint")
    assert page.status_code == 200
    assert "単位の不一致" in page.text and "キログラム" in page.text
    csv = a.get(f"/parts/{journey.product}/footprint.csv")
    assert csv.status_code == 200 and "UNIT_MISMATCH" in csv.text
    assert a.get("/").status_code == 200


def test_unknown_web_paths_answer_an_html_not_found_page(app: FastAPI, seeded: Database) -> None:
    user = WebUser(app)
    user.login(A)
    for path in ("/parts/not-a-uuid", "/favicon.ico", "/no/such/page"):
        page = user.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "指定されたデータは存在しないか、閲覧できません。" in page.text
    api = user.client.get("/api/v1/no-such-endpoint")
    assert api.headers["content-type"].startswith("application/json")  # the contract's shape


def test_the_part_label_is_shown_on_the_part_page(app: FastAPI, seeded: Database) -> None:
    user = WebUser(app)
    user.login(A)
    plant = add_plant(user, "A工場", "1234567890123012345")
    form = structure_form(plant, "ラベル付き製品", []) | {"parent_partsLabelName": "LBL-7"}
    saved = user.post("/parts/structure", form)
    assert saved.status_code == 200
    assert "<dt>部品ラベル</dt><dd>LBL-7</dd>" in user.get(f"/parts/{last_id(saved)}").text
