"""The inbox over the real app and database (SQLite and PostgreSQL): CFP and DD notifications
in one list, each labelled and linked to its own request page, filtered by kind and paged;
another operator's notifications never show."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest
from fastapi import FastAPI

from battrace.cli.seeds import ensure_company
from battrace.store import Database
from battrace.web.pages import inbox
from tests.diligence.chain import REFINER
from tests.web.support import Journey, WebUser
from tests.web.test_dd_pages import ask_dd

NOTICE = re.compile(r'<li class="notice-(cfp|dd) [^"]*">.*?href="([^"]+)">([^<]+)</a>')


def notices(html: str) -> list[tuple[str, str, str]]:
    return [(kind, link, text) for kind, link, text in NOTICE.findall(html)]


def test_dd_and_cfp_notifications_share_the_inbox(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    rid = ask_dd(journey, ["cobalt"])
    assert notices(b.get("/inbox").text) == [
        ("dd", f"/dd/{rid}", "A社 からDDの依頼が届きました"),
        ("cfp", f"/requests/{journey.trade}", "A社 からCFPの依頼が届きました"),
    ]
    assert b.get(f"/dd/{rid}").status_code == 200  # the link leads to the answer form
    b.post(f"/dd/{rid}/send-back", {"reason": "対象外です"})
    assert notices(a.get("/inbox").text) == [
        ("dd", f"/dd/{rid}", "B社 がDD依頼を差し戻しました"),
    ]

    only_dd = notices(b.get("/inbox", kind="DD").text)
    only_cfp = notices(b.get("/inbox", kind="CFP").text)
    assert [n[0] for n in only_dd] == ["dd"] and [n[0] for n in only_cfp] == ["cfp"]
    assert len(notices(b.get("/inbox", kind="nonsense").text)) == 2  # unknown kind: all

    b.post("/language", {"lang": "en", "next": "/"})
    english = b.get("/inbox").text
    assert "A社 sent you a DD request" in english and "A社 sent you a CFP request" in english
    assert 'aria-current="page">All<' in english

    with seeded.transaction() as session:
        ensure_company(session, REFINER)
    stranger = WebUser(app)
    stranger.login(REFINER)
    assert notices(stranger.get("/inbox").text) == []
    assert notices(stranger.get("/inbox", kind="DD").text) == []


def test_the_inbox_pages_across_both_kinds(
    app: FastAPI, seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    first = ask_dd(journey, ["cobalt"])
    a.post(f"/dd/{first}/cancel")
    second = ask_dd(journey, ["nickel"])
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)

    def every_page(**query: str) -> list[list[tuple[str, str, str]]]:
        pages, html = [], b.get("/inbox", **query).text
        while True:
            pages.append(notices(html))
            following = re.search(r'rel="next" href="/inbox\?([^"]+)"', html)
            if following is None:
                return pages
            html = b.get("/inbox", **dict(parse_qsl(following.group(1).replace("&amp;", "&")))).text
            assert "最初のページ" in html

    pages = every_page()
    assert [len(p) for p in pages] == [2, 2]
    assert [link for page in pages for _, link, _ in page] == [
        f"/dd/{second}",
        f"/dd/{first}",
        f"/dd/{first}",
        f"/requests/{journey.trade}",
    ]
    assert pages[0][1][2] == "A社 がDD依頼を取り消しました"
    dd_pages = every_page(kind="DD")
    assert [len(p) for p in dd_pages] == [2, 1]
    assert all(kind == "dd" for page in dd_pages for kind, _, _ in page)
    cfp_only = b.get("/inbox", kind="CFP").text
    assert len(notices(cfp_only)) == 1 and 'rel="next"' not in cfp_only
    # a cursor of the other kind starts no page
    dd_cursor = re.search(r"after=([0-9a-f-]{36})", b.get("/inbox", kind="DD").text)
    assert dd_cursor is not None
    assert notices(b.get("/inbox", kind="CFP", after=dd_cursor.group(1)).text) == []
