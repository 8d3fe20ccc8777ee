"""Second life: one system from packs of several listers (`reuse.proposals`). The integrator
picks reservations it holds and proposes a system; each lister sees the proposals its packs
are in and accepts or refuses for its own packs; everyone involved sees the proposal's state
and, once the last lister has accepted, the new passport."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from battrace import errors
from battrace.reuse import market, proposals
from battrace.reuse.models import ProposalState, ReservationStatus
from battrace.web.app import Ctx, page
from battrace.web.pages.reuse_market import chosen_reservations

SUCCESSOR_STATUSES = ("repurposed", "re-used", "remanufactured")


@page("/reuse/proposals")
def proposals_page(ctx: Ctx) -> Response:
    caller = ctx.operator_id

    def load(session: Any) -> dict[str, Any]:  # noqa: ANN401
        return {
            "proposals": proposals.list_proposals(session, caller=caller),
            "free": [
                r
                for r in market.list_reservations(session, caller=caller)
                if r.operator_id == caller
                and r.status == ReservationStatus.HELD
                and r.proposal_id is None
            ],
        }

    return ctx.render(
        "reuse_proposals.html", **ctx.state.read(load), caller=caller, statuses=SUCCESSOR_STATUSES
    )


@page("/reuse/proposals", methods=("POST",))
def propose(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    chosen = chosen_reservations(ctx)
    if not ctx.value("label"):
        raise errors.InvalidRequest(ctx.t("reuse.proposal_label_needed"))
    proposal_id = ctx.state.write(
        lambda s: (
            proposals.propose_system(
                s,
                caller=caller,
                reservation_ids=chosen,
                status=ctx.value("status") or "repurposed",
                label=ctx.value("label"),
                battery_identifier=ctx.value("batteryIdentifier") or None,
            ).id
        )
    )
    return ctx.redirect(f"/reuse/proposals/{proposal_id}", flash="reuse.proposed")


@page("/reuse/proposals/{proposal_id:uuid}")
def proposal_page(ctx: Ctx) -> Response:
    proposal_id: uuid.UUID = ctx.request.path_params["proposal_id"]
    caller = ctx.operator_id

    def load(session: Any) -> dict[str, Any]:  # noqa: ANN401
        proposal = proposals.visible_proposal(session, caller=caller, proposal_id=proposal_id)
        shown = proposals.reservations_seen_by(session, proposal, caller)
        mine = [r for r in shown if r.lister_operator_id == caller]
        is_open = proposal.state == ProposalState.OPEN
        return {
            "proposal": proposal,
            "reservations": shown,
            "listers": proposals.listers_of(session, proposal),
            "passport_id": proposals.successor_passport(session, proposal),
            "integrator": proposal.operator_id == caller,
            "may_decide": is_open and any(r.status == ReservationStatus.HELD for r in mine),
            "accepted": is_open
            and bool(mine)
            and all(r.status == ReservationStatus.ACCEPTED for r in mine),
        }

    return ctx.render("reuse_proposal.html", **ctx.state.read(load), caller=caller)


Decision = Callable[[Any, uuid.UUID, uuid.UUID], object]


def _decide(ctx: Ctx, flash: str, decide: Decision) -> Response:
    """One decision on the proposal of the path (`decide(session, caller, proposal_id)`)."""
    proposal_id: uuid.UUID = ctx.request.path_params["proposal_id"]
    caller = ctx.operator_id
    ctx.state.write(lambda s: decide(s, caller, proposal_id))
    return ctx.redirect(f"/reuse/proposals/{proposal_id}", flash=flash)


@page("/reuse/proposals/{proposal_id:uuid}/accept", methods=("POST",))
def accept(ctx: Ctx) -> Response:
    return _decide(
        ctx,
        "reuse.proposal_accepted",
        lambda s, caller, wanted: proposals.accept_proposal(s, caller=caller, proposal_id=wanted),
    )


@page("/reuse/proposals/{proposal_id:uuid}/refuse", methods=("POST",))
def refuse(ctx: Ctx) -> Response:
    reason = ctx.value("reason") or None
    proposal_id: uuid.UUID = ctx.request.path_params["proposal_id"]
    caller = ctx.operator_id
    ctx.state.write(
        lambda s: proposals.refuse_proposal(
            s, caller=caller, proposal_id=proposal_id, reason=reason
        )
    )
    # refused, the proposal is its integrator's alone: the lister goes back to the list
    return ctx.redirect("/reuse/proposals", flash="reuse.you_refused")


@page("/reuse/proposals/{proposal_id:uuid}/withdraw", methods=("POST",))
def withdraw(ctx: Ctx) -> Response:
    return _decide(
        ctx,
        "reuse.you_withdrew",
        lambda s, caller, wanted: proposals.withdraw_proposal(s, caller=caller, proposal_id=wanted),
    )
