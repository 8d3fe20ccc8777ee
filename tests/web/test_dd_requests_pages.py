"""The DD request lists and the pages of one submitted version, over the real app and
database (SQLite and PostgreSQL): lists sent and received page like the parts list; each
version is readable on its own page by the supplier and the customer, never a draft by the
customer, and by nobody else."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI

from battrace.diligence import exchange, templates
from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID
from battrace.store import Database
from battrace.web.pages import dd_requests
from tests.web.support import A, Journey, link_ids


def many_requests(database: Database, trade_id: str, count: int) -> list[str]:
    """`count` requests on one trade, each cancelled before the next (one may be open)."""
    made = []
    with database.transaction() as session:
        templates.ensure_builtin(session)
        for _ in range(count):
            request = exchange.send_request(
                session,
                caller=A.operator_id,
                trade_id=uuid.UUID(trade_id),
                template_id=BUILTIN_TEMPLATE_ID,
                materials=["cobalt"],
                due_date=None,
                message=None,
            )
            exchange.cancel_request(session, caller=A.operator_id, request_id=request.id)
            made.append(str(request.id))
    return made


def test_request_lists_page(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    made = many_requests(seeded, journey.trade, dd_requests.PAGE_SIZE + 3)
    for user, direction in ((a, "sent"), (b, "received")):
        first = user.get(f"/dd/{direction}").text
        assert len(link_ids(first, "/dd/")) == dd_requests.PAGE_SIZE
        assert "最初のページ" not in first
        cursor = re.search(rf'rel="next" href="/dd/{direction}\?after=([0-9a-f-]{{36}})"', first)
        assert cursor is not None
        second = user.get(f"/dd/{direction}", after=cursor.group(1)).text
        assert len(link_ids(second, "/dd/")) == 3
        assert 'rel="next"' not in second and f'href="/dd/{direction}">最初のページ' in second
        shown = link_ids(first, "/dd/") + link_ids(second, "/dd/")
        assert sorted(shown) == sorted(made)  # every request once, newest first below
        assert shown[0] == made[-1] and shown[-1] == made[0]

    # the customer's cursor is not in the supplier's sent list; nonsense starts at page 1
    cursor_of_a = re.search(r"after=([0-9a-f-]{36})", a.get("/dd/sent").text)
    assert cursor_of_a is not None
    assert link_ids(b.get("/dd/sent", after=cursor_of_a.group(1)).text, "/dd/") == []
    assert len(link_ids(a.get("/dd/sent", after="nonsense").text, "/dd/")) == 20
