"""The passport pages over the real app and database (SQLite and PostgreSQL), no browser:
models, a batch, search, a passport as each role sees it, data and dynamic data, grants,
lifecycle actions, history, completeness and the label sheet."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI

from battrace.store import Database
from tests.passport.world import GTIN, MODEL_DATA
from tests.web.support import A, B, WebUser

PASSPORT_LINK = re.compile(r'href="/passports/([0-9a-f-]{36})">([^<]+)</a>')


def _model(a: WebUser) -> str:
    made = a.post(
        "/passports/models", {"name": "Pack 80", "category": "ev", "gtin": GTIN, "traceId": ""}
    )
    assert made.status_code == 200, made.text
    found = re.search(r"/passports/models/([0-9a-f-]{36})/data", made.text)
    assert found is not None
    model_id = found.group(1)
    saved = a.post(
        f"/passports/models/{model_id}/data", {"data": json.dumps(MODEL_DATA), "reason": "first"}
    )
    assert saved.status_code == 200 and "データを保存しました。" in saved.text
    return model_id


def _batch(a: WebUser, model_id: str, serials: list[str]) -> dict[str, str]:
    issued = a.post(
        f"/passports/models/{model_id}/batch",
        {"serials": "\n".join(serials), "label": "Lot 1", "publish": "on"},
    )
    assert issued.status_code == 200, issued.text
    assert f"{len(serials)} 件のパスポートを発行しました。" in issued.text
    return {name.split("(21)")[-1]: pid for pid, name in PASSPORT_LINK.findall(issued.text)}


def test_models_batch_search_and_the_role_views(app: FastAPI, seeded: Database) -> None:
    a, b = WebUser(app), WebUser(app)
    a.login(A)
    b.login(B)
    model_id = _model(a)
    passports = _batch(a, model_id, ["S-1", "S-2", "S-3"])
    assert set(passports) == {"S-1", "S-2", "S-3"}
    found = a.get("/passports", serial="S-2").text
    assert "S-2" in found and "(21)S-1<" not in found
    assert "original" in a.get("/passports", status="original").text
    assert "パスポートはまだありません。" in a.get("/passports", status="waste").text
    page = a.get(f"/passports/{passports['S-1']}").text
    assert "責任事業者" in page and "NMC 811 active material" in page
    assert "ハッシュチェーンを検証しました" in page
    assert "欠けている必須項目" in page
    as_public = a.get(f"/passports/{passports['S-1']}", **{"as": "public"}).text
    assert "一般公開" in as_public and "NMC 811 active material" not in as_public
    assert "test-reports.pdf" not in as_public
    as_authority = a.get(f"/passports/{passports['S-1']}", **{"as": "authority"}).text
    assert "test-reports.pdf" in as_authority
    seen_by_b = b.get(f"/passports/{passports['S-1']}").text
    assert "一般公開" in seen_by_b and "lifecycle" not in seen_by_b
    granted = a.post(
        f"/passports/{passports['S-1']}/grants",
        {"grantee": B.open_operator_id, "interest": "owner", "validUntil": ""},
    )
    assert "閲覧権を付与しました。" in granted.text
    assert "NMC 811 active material" in b.get(f"/passports/{passports['S-1']}").text
    labels = a.get(f"/passports/batches/{_batch_id(a)}/labels").text
    assert labels.count("<svg") == 3 and f"/01/{GTIN}/21/S-3" in labels


def _batch_id(a: WebUser) -> str:
    found = re.search(r"/passports/batches/([0-9a-f-]{36})/labels", a.get("/passports").text)
    assert found is not None
    return found.group(1)


def test_lifecycle_and_readings_from_the_pages(app: FastAPI, seeded: Database) -> None:
    a = WebUser(app)
    a.login(A)
    passports = _batch(a, _model(a), ["L-1", "L-2"])
    csv_text = f"passportId,metric,measuredAt,value\n{passports['L-1']},stateOfCharge,2026-05-01T10:00:00Z,64\n"
    uploaded = a.post("/passports/readings", {"text": csv_text})
    assert "1 件を受け取り、1 件を保存しました" in uploaded.text
    assert "stateOfCharge" in a.get(f"/passports/{passports['L-1']}").text
    bad = a.post("/passports/readings", {"text": "passportId,metric\n"})
    assert bad.status_code == 400 and "header lacks" in bad.text
    made = a.post(
        f"/passports/{passports['L-1']}/successor",
        {
            "status": "repurposed",
            "category": "stationary",
            "newOperator": "",
            "identifier": "ESS-9",
            "others": passports["L-2"],
            "reason": "storage",
        },
    )
    assert "後継パスポートを作成しました。" in made.text and "repurposed" in made.text
    old = a.get(f"/passports/{passports['L-2']}").text
    assert "このパスポートは後継に置き換えられました。" in old
    refused = a.post(f"/passports/{passports['L-1']}/waste", {"newOperator": B.open_operator_id})
    assert refused.status_code == 400
    successor = re.search(r"/passports/([0-9a-f-]{36})/waste", made.text)
    assert successor is not None
    waste = a.post(f"/passports/{successor.group(1)}/waste", {"newOperator": A.open_operator_id})
    assert "廃棄物として責任を移しました。" in waste.text
    ended = a.post(f"/passports/{successor.group(1)}/recycled", {"reason": "done"})
    assert "このパスポートは終了しています" in ended.text


def test_bad_model_data_is_shown_beside_the_form(app: FastAPI, seeded: Database) -> None:
    a = WebUser(app)
    a.login(A)
    model_id = _model(a)
    broken = a.post(f"/passports/models/{model_id}/data", {"data": "{not json"})
    assert broken.status_code == 400 and "JSONとして読めません。" in broken.text
    wrong = a.post(
        f"/passports/models/{model_id}/data",
        {
            "data": json.dumps(
                {**MODEL_DATA, "performance": {"minimumVoltage": 900, "maximumVoltage": 400}}
            )
        },
    )
    assert wrong.status_code == 400 and "performance.minimumVoltage" in wrong.text
