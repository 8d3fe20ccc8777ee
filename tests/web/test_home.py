"""The dashboard over the real app and database (SQLite and PostgreSQL): its latest
notifications are the inbox's newest, CFP and DD together, labelled and linked the same way."""

from __future__ import annotations

from fastapi import FastAPI

from battrace.store import Database
from battrace.web.pages import home
from tests.web.support import Journey
from tests.web.test_dd_pages import ask_dd
from tests.web.test_inbox import notices


def test_the_dashboard_lists_the_newest_cfp_and_dd_notifications(
    app: FastAPI, seeded: Database
) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    a.post(f"/dd/{ask_dd(journey, ['cobalt'])}/cancel")
    still_open = ask_dd(journey, ["nickel"])
    inbox = notices(b.get("/inbox").text)
    assert [(kind, link) for kind, link, _ in inbox[::3]] == [
        ("dd", f"/dd/{still_open}"),
        ("cfp", f"/requests/{journey.trade}"),
    ]
    assert notices(b.get("/").text) == inbox  # both kinds, labelled and linked alike

    a.post(f"/dd/{still_open}/cancel")
    a.post(f"/dd/{ask_dd(journey, ['lithium'])}/cancel")
    inbox = notices(b.get("/inbox").text)
    assert len(inbox) == 7
    assert notices(b.get("/").text) == inbox[: home.NOTICES_SHOWN]
    assert notices(a.get("/").text) == []  # A was notified of nothing


def test_the_english_dashboard_counts_one_request_in_the_singular(
    app: FastAPI, seeded: Database
) -> None:
    journey = Journey(app)  # A has sent B one request, not answered yet
    a = journey.a
    a.post("/language", {"lang": "en", "next": "/"})
    page = a.get("/").text
    assert "<strong>1</strong> request waiting for an answer" in page
    assert "<strong>0</strong> requests past their due date" in page
    a.post("/language", {"lang": "ja", "next": "/"})
    assert "<strong>1</strong> 件の依頼が回答待ち" in a.get("/").text
