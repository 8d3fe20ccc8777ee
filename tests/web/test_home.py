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
