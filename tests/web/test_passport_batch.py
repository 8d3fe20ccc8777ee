"""Issuing a production batch from the web: a short batch answers as any form does; a long
one streams its progress and then its outcome, and a refused one stores nothing."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from battrace.passport import issuing
from battrace.passport.models import Passport
from battrace.store import Database
from battrace.web.pages import passport_batch
from tests.passport.world import GTIN
from tests.web.support import A, WebUser


def _model(a: WebUser) -> str:
    made = a.post(
        "/passports/models", {"name": "Pack 80", "category": "ev", "gtin": GTIN, "traceId": ""}
    )
    assert made.status_code == 200, made.text
    found = re.search(r"/passports/models/([0-9a-f-]{36})/data", made.text)
    assert found is not None
    return found.group(1)


def _stored(database: Database) -> int:
    with database.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Passport)) or 0)


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every batch streams (0 s: at once, whatever it does), in chunks of two passports."""
    monkeypatch.setattr(passport_batch, "PROGRESS_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(issuing, "CHUNK", 2)


@pytest.mark.usefixtures("streamed")
def test_a_long_batch_streams_its_progress_then_its_link(app: FastAPI, seeded: Database) -> None:
    a = WebUser(app)
    a.login(A)
    model_id = _model(a)
    serials = [f"P-{n}" for n in range(5)]
    answer = a.post(
        f"/passports/models/{model_id}/batch",
        {"serials": "\n".join(serials), "label": "Lot 9", "publish": "on"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    steps = re.findall(r'<progress max="5" value="(\d)"></progress> (\d) / 5 件', html)
    assert steps == [("2", "2"), ("4", "4"), ("5", "5")]
    assert "5 件のパスポートを発行しました。" in html
    assert html.index("5 / 5 件") < html.index('id="batch-done"') < html.index("</html>")
    batch = re.search(r'href="/passports\?batch=([0-9a-f-]{36})"', html)
    assert batch is not None
    listed = a.get("/passports", batch=batch.group(1)).text
    assert all(f"(21){serial}<" in listed for serial in serials)
    assert _stored(seeded) == 5
    labels = a.get(f"/passports/batches/{batch.group(1)}/labels").text
    assert labels.count("<svg") == 5


@pytest.mark.usefixtures("streamed")
def test_a_refused_streamed_batch_says_why_and_stores_nothing(
    app: FastAPI, seeded: Database
) -> None:
    a = WebUser(app)
    a.login(A)
    model_id = _model(a)
    answer = a.post(
        f"/passports/models/{model_id}/batch", {"serials": "R-1\nR-2\nR-1", "label": ""}
    )
    assert answer.status_code == 200  # the stream had begun
    assert 'id="batch-refused"' in answer.text and "R-1" in answer.text
    assert "このバッチは何も保存されていません。" in answer.text
    assert 'id="batch-done"' not in answer.text
    assert _stored(seeded) == 0


def test_a_short_batch_redirects_and_a_refused_one_is_a_400(app: FastAPI, seeded: Database) -> None:
    a = WebUser(app)
    a.login(A)
    model_id = _model(a)
    refused = a.post(f"/passports/models/{model_id}/batch", {"serials": "Q-1\nQ-1"})
    assert refused.status_code == 400 and "Q-1" in refused.text
    assert _stored(seeded) == 0
    issued = a.post(f"/passports/models/{model_id}/batch", {"serials": "Q-1\nQ-2"})
    assert issued.status_code == 200 and "2 件のパスポートを発行しました。" in issued.text
    assert str(issued.url).split("?")[0].endswith("/passports")
    assert _stored(seeded) == 2
