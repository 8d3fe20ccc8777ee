"""Notifications: what the other side of each request did (new request, answer, update, sent
back, cancelled, reply message), CFP and due-diligence requests together or one kind, newest
first, each linked to its request (a CFP trade's page or a DD request's page).

The list is `traceability.notifications.list_notifications`, the function behind the API's
`/notifications` and `/api/v1/diligence/notifications`: the caller sees only notifications
addressed to it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace.traceability import notifications
from battrace.web.app import Ctx, page
from battrace.web.views import operator_names

PAGE_SIZE = 30
KINDS = ("CFP", "DD")


@page("/inbox")
def inbox(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    kind = ctx.value("kind")
    request_type = kind if kind in KINDS else None
    try:
        after = uuid.UUID(ctx.value("after")) if ctx.value("after") else None
    except ValueError:
        after = None

    def read(session: Session) -> dict[str, Any]:
        rows, next_id = notifications.list_notifications(
            session,
            caller=caller,
            notified_from=None,
            notified_to=None,
            after=after,
            limit=PAGE_SIZE,
            request_type=request_type,
        )
        names = operator_names(session, [row.notified_from_operator_id for row in rows])
        return {"notices": rows, "next_id": next_id, "names": names}

    return ctx.render(
        "inbox.html",
        paged=after is not None,
        kind=request_type or "",
        kinds=KINDS,
        **ctx.state.read(read),
    )
