"""Changing a sent CFP request (contract #7 with the trade's ids) from the web pages: the
message and due date, for the customer only and only while the request is not answered."""

from __future__ import annotations

from fastapi import FastAPI

from battrace.store import Database
from tests.web.support import Journey, field_error


def test_a_sent_request_can_be_changed_until_it_is_answered(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    edit = f"/requests/{journey.trade}/edit"
    assert f'href="{edit}"' in a.get("/requests/sent").text
    assert f'href="{edit}"' in a.get(f"/requests/{journey.trade}").text
    form = a.get(edit).text
    assert "<h1>「セル」のCFP依頼を変更</h1>" in form
    assert "CFPをお願いします" in form and 'value="2030-01-31"' in form and "B社" in form

    changed = a.post(edit, {"message": "3月末までにお願いします", "due": "2030-03-31"})
    assert changed.status_code == 200 and changed.url.path == f"/requests/{journey.trade}"
    assert "依頼内容を変更しました。" in changed.text
    assert "3月末までにお願いします" in changed.text and "2030-03-31" in changed.text
    assert "2030-03-31" in a.get("/requests/sent").text
    received = b.get("/requests/received").text
    assert "3月末までにお願いします" in received and "CFPをお願いします" not in received

    # The contract's rules beside the fields: a due date is required, 1000 characters at most.
    blank = a.post(edit, {"message": "x", "due": ""})
    assert blank.status_code == 400 and field_error(blank.text, "due")
    long = a.post(edit, {"message": "あ" * 1001, "due": "2030-03-31"})
    assert long.status_code == 400 and field_error(long.text, "message")
    # Only the customer may change it; to anyone else it does not exist.
    assert b.client.get(edit).status_code == 404
    assert b.post(edit, {"message": "x", "due": "2030-04-30"}).status_code == 404
    assert a.client.post(edit, data={"message": "x", "due": "2030-04-30"}).status_code == 403

    journey.answer()
    assert f'href="{edit}"' not in a.get(f"/requests/{journey.trade}").text
    late = a.post(edit, {"message": "x", "due": "2030-04-30"})
    assert late.status_code == 400
    assert "can no longer change" in late.text
    assert "3月末までにお願いします" in a.get(f"/requests/{journey.trade}").text
