"""One storage system from packs of two listers, through the web alone: the integrator
proposes from its held reservations, each lister sees only its own pack and accepts or
refuses, and everyone involved sees the state and, at the end, the new passport. Bad input
is refused with nothing stored; no proposal form answers a server error. SQLite and
PostgreSQL."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI

from battrace.identity import accounts
from battrace.store import Database
from tests.reuse.test_proposals import Two, two
from tests.web.support import A, B, WebUser
from tests.web.test_fuzz_forms import _crawl, _encoded, _submit_extremes

__all__ = ["two"]  # the two-lister world of the proposals' service tests

SECOND = ("second@example.com", "Second&reuser1")
STRANGER = ("stranger@example.com", "Stranger&user1")


def _user(app: FastAPI, email: str, password: str) -> WebUser:
    user = WebUser(app)
    answer = user.post("/login", {"email": email, "password": password})
    assert answer.status_code == 200 and email in answer.text, answer.text
    return user


def _users(app: FastAPI, seeded: Database, two: Two) -> dict[str, WebUser]:
    with seeded.transaction() as session:
        for operator, (email, password) in ((two.second, SECOND), (two.stranger, STRANGER)):
            accounts.create_account(session, operator_id=operator, email=email, password=password)
    return {
        "integrator": _user(app, B.email, B.password),
        "first": _user(app, A.email, A.password),
        "second": _user(app, *SECOND),
        "stranger": _user(app, *STRANGER),
    }


def _propose(integrator: WebUser, two: Two, label: str = "Storage of two") -> str:
    form = integrator.get("/reuse/proposals")
    for reservation in two.held.values():
        assert f'name="reservationId" value="{reservation}"' in form.text
    made = integrator.post(
        "/reuse/proposals",
        {
            "reservationId": [str(r) for r in two.held.values()],
            "status": "repurposed",
            "label": label,
            "batteryIdentifier": "ESS-TWO-1",
        },
    )
    assert made.status_code == 200, made.text
    found = re.search(r"/reuse/proposals/([0-9a-f-]{36})$", str(made.url))
    assert found, made.url
    return found.group(1)


def _state(page: str) -> str:
    found = re.search(r'<dd id="proposal-state">([^<]*)</dd>', page)
    assert found, page
    return found.group(1)


def test_two_listers_accept_and_everyone_sees_the_new_passport(
    app: FastAPI, seeded: Database, two: Two
) -> None:
    users = _users(app, seeded, two)
    proposal = _propose(users["integrator"], two)
    page = users["integrator"].get(f"/reuse/proposals/{proposal}")
    assert _state(page.text) == "承諾待ち"
    assert all(str(p) in page.text for p in two.packs.values())  # the integrator sees every pack
    assert "/withdraw" in page.text and "/accept" not in page.text

    first = users["first"]
    assert f"/reuse/proposals/{proposal}" in first.get("/reuse/proposals").text
    seen = first.get(f"/reuse/proposals/{proposal}")
    assert str(two.packs[two.first]) in seen.text
    assert str(two.packs[two.second]) not in seen.text  # not the other lister's pack
    assert "/withdraw" not in seen.text
    accepted = first.post(f"/reuse/proposals/{proposal}/accept")
    assert accepted.status_code == 200
    assert 'id="accepted"' in accepted.text and _state(accepted.text) == "承諾待ち"
    assert 'id="successor"' not in accepted.text  # nothing made before the last acceptance
    again = first.post(f"/reuse/proposals/{proposal}/accept")
    assert again.status_code == 400  # accepted already

    assert users["stranger"].get(f"/reuse/proposals/{proposal}").status_code == 404
    assert users["stranger"].post(f"/reuse/proposals/{proposal}/accept").status_code == 404
    assert f"/reuse/proposals/{proposal}" not in users["stranger"].get("/reuse/proposals").text

    done = users["second"].post(f"/reuse/proposals/{proposal}/accept")
    assert done.status_code == 200
    assert _state(done.text) == "成立（新しいパスポートを作成）"
    successor = re.search(r'<a id="successor" href="/passports/([0-9a-f-]{36})">', done.text)
    assert successor and uuid.UUID(successor.group(1)) not in two.packs.values()
    for who in ("integrator", "first"):
        view = users[who].get(f"/reuse/proposals/{proposal}")
        assert f'href="/passports/{successor.group(1)}"' in view.text
    passport = users["integrator"].get(f"/passports/{successor.group(1)}")
    assert passport.status_code == 200 and "ESS-TWO-1" in passport.text
    system = re.search(r'href="/reuse/systems/([0-9a-f-]{36})"', view.text)
    assert system is None  # the system's page is the integrator's
    mine = users["integrator"].get(f"/reuse/proposals/{proposal}")
    assert re.search(r'href="/reuse/systems/[0-9a-f-]{36}"', mine.text)


def test_a_refusal_in_the_web_frees_the_reservations(
    app: FastAPI, seeded: Database, two: Two
) -> None:
    users = _users(app, seeded, two)
    proposal = _propose(users["integrator"], two)
    assert users["first"].post(f"/reuse/proposals/{proposal}/accept").status_code == 200
    refused = users["second"].post(
        f"/reuse/proposals/{proposal}/refuse", {"reason": "sold elsewhere"}
    )
    assert refused.status_code == 200
    assert str(refused.url).endswith("/reuse/proposals")
    # ended, the proposal is the integrator's alone; the listers' packs are theirs again
    assert users["second"].get(f"/reuse/proposals/{proposal}").status_code == 404
    page = users["integrator"].get(f"/reuse/proposals/{proposal}")
    assert _state(page.text) == "出品者が断りました" and "sold elsewhere" in page.text
    assert "/withdraw" not in page.text
    free = users["integrator"].get("/reuse/proposals")
    assert all(f'value="{r}"' in free.text for r in two.held.values())  # may propose again
    again = _propose(users["integrator"], two, label="Second try")
    withdrawn = users["integrator"].post(f"/reuse/proposals/{again}/withdraw")
    assert withdrawn.status_code == 200 and _state(withdrawn.text) == "取り下げました"


def test_bad_proposals_are_refused_and_nothing_is_stored(
    app: FastAPI, seeded: Database, two: Two
) -> None:
    users = _users(app, seeded, two)
    integrator = users["integrator"]
    held = [str(r) for r in two.held.values()]
    for form, status in (
        ({"reservationId": ["not-a-uuid"], "label": "x"}, 400),
        ({"label": "x"}, 400),  # none chosen
        ({"reservationId": held, "label": ""}, 400),
        ({"reservationId": held, "label": "x", "status": "waste"}, 400),
        ({"reservationId": [held[0], held[0]], "label": "x"}, 400),
        ({"reservationId": [str(uuid.uuid4())], "label": "x"}, 404),
    ):
        refused = integrator.post("/reuse/proposals", form)
        assert refused.status_code == status, (form, refused.text)
    # a lister cannot propose the integrator's reservations
    assert (
        users["first"].post("/reuse/proposals", {"reservationId": held, "label": "x"}).status_code
        == 404
    )
    listed = integrator.get("/reuse/proposals")
    assert 'id="proposals"' not in listed.text  # nothing stored
    assert all(f'value="{r}"' in listed.text for r in held)
    # without the CSRF token, nothing happens
    forged = integrator.client.post("/reuse/proposals", data={"reservationId": held, "label": "x"})
    assert forged.status_code == 403
    assert 'id="proposals"' not in integrator.get("/reuse/proposals").text


def test_no_proposal_form_gives_a_server_error_for_extreme_input(
    app: FastAPI, seeded: Database, two: Two
) -> None:
    users = _users(app, seeded, two)
    for who in ("first", "second", "integrator"):  # each ends the proposal it was shown
        proposal = _propose(users["integrator"], two, label=f"for {who}")
        forms = _crawl(users[who], ["/reuse/proposals", f"/reuse/proposals/{proposal}"], limit=3)
        assert any(action.startswith("/reuse/proposals/") for action, _ in forms), forms
        assert _submit_extremes(users[who], forms) > 0
    # the checkboxes the crawler leaves out, filled with extremes too
    integrator = users["integrator"]
    for extreme in ("", "x" * 5000, "1e400", "\ud800", "\x00", str(uuid.uuid4())):
        pairs = [("csrf_token", integrator.csrf), ("label", "x"), ("reservationId", extreme)]
        answer = integrator.client.post(
            "/reuse/proposals",
            content=_encoded(pairs),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert 400 <= answer.status_code < 500, extreme[:20]
