"""The operator dashboard: open CFP and DD requests both ways, overdue answers, data coverage of the
operator's products, and the latest notifications, CFP and DD together, shown as the inbox
shows them (the `notice_item` macro)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.diligence import requesting
from battrace.footprint import view
from battrace.store.base import utcnow
from battrace.traceability import notifications, parts, trades
from battrace.traceability.models import CfpResponseStatus, Part
from battrace.web.app import Ctx, page
from battrace.web.pages.dd_requests import dd_overdue
from battrace.web.views import is_overdue, operator_names, trade_state

PRODUCTS_SHOWN = 10
NOTICES_SHOWN = 5
TRADES_READ = 500


@dataclass(frozen=True)
class Coverage:
    part: Part
    total: Decimal | None
    known: Decimal | None
    unit: str | None
    primary_share: Decimal | None
    unknown: int
    problem: str = ""


def _coverage(session: Session, caller: Any, product: Part, disclose: bool) -> Coverage:  # noqa: ANN401
    try:
        result = view.product_footprint(
            session, viewer=caller, trace_id=product.trace_id, disclose_by_default=disclose
        )
    except errors.BattraceError as exc:
        return Coverage(product, None, None, None, None, 0, exc.message)
    footprint = result.footprint
    return Coverage(
        product,
        footprint.total,
        footprint.known,
        footprint.unit,
        footprint.primary_share,
        len(footprint.unknown_parts),
    )


@page("/")
def dashboard(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    today = utcnow().date()
    disclose = ctx.state.settings.disclose_by_default

    def read(session: Session) -> dict[str, Any]:
        sent, _ = trades.list_requests_sent(
            session, caller=caller, trace_ids=None, limit=TRADES_READ, after=None
        )
        received, _ = trades.list_requests_received(
            session, caller=caller, limit=TRADES_READ, after=None
        )
        products, _ = parts.list_parts(
            session,
            caller=caller,
            part_filter=parts.PartFilter(parent_only=True),
            limit=PRODUCTS_SHOWN,
            after=None,
        )
        latest, _ = notifications.list_notifications(
            session,
            caller=caller,
            notified_from=None,
            notified_to=None,
            after=None,
            limit=NOTICES_SHOWN,
            request_type=None,
        )
        open_sent = [t for t in sent if t.cfp_response_status == CfpResponseStatus.NOT_COMPLETED]
        open_received = [
            (t, p) for t, p in received if t.cfp_response_status == CfpResponseStatus.NOT_COMPLETED
        ]
        names = operator_names(
            session,
            [t.upstream_operator_id for t in open_sent]
            + [t.downstream_operator_id for t, _ in open_received]
            + [n.notified_from_operator_id for n in latest],
        )
        dd_sent = [
            r
            for r in requesting.list_requests(session, caller=caller, direction="sent")
            if r.status in requesting.OPEN
        ]
        dd_received = [
            r
            for r in requesting.list_requests(session, caller=caller, direction="received")
            if r.status in requesting.OPEN
        ]
        return {
            "dd_open_sent": len(dd_sent),
            "dd_open_received": len(dd_received),
            "dd_overdue": sum(dd_overdue(r, today) for r in dd_sent + dd_received),
            "open_sent": open_sent,
            "overdue_sent": [t for t in open_sent if is_overdue(t, today)],
            "open_received": open_received,
            "overdue_received": [t for t, _ in open_received if is_overdue(t, today)],
            "coverage": [_coverage(session, caller, product, disclose) for product in products],
            "latest": latest,
            "names": names,
            "sent_parts": {
                t.downstream_trace_id: parts.get_own_part(
                    session, caller=caller, trace_id=t.downstream_trace_id
                )
                for t in open_sent
            },
        }

    return ctx.render("home.html", today=today, trade_state=trade_state, **ctx.state.read(read))
