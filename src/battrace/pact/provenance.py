"""Where the contributions to a product's CFP come from: for each part in the product's own
structure whose value comes from outside the company, whether it is a supplier's answer on
an Ouranos trade or a PACT footprint, and whether that footprint's signature verified. The
roll-up takes the values; this says which of them are verified."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import NotFound
from battrace.pact.models import FootprintAnswer, RemoteHost
from battrace.traceability.models import CfpResponseStatus, Part, PartEdge, Trade


@dataclass(frozen=True)
class Contribution:
    trace_id: uuid.UUID
    part_name: str
    source: str  # "pact" or "trade"
    origin: str  # the remote host, or the supplier's operator id
    verified: bool
    reference: str  # the footprint id, or the trade id


def contributions(
    session: Session, *, caller: uuid.UUID, trace_id: uuid.UUID
) -> list[Contribution]:
    """The outside contributions under one of the caller's products (its whole structure)."""
    if session.get(Part, (caller, trace_id)) is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    seen = {trace_id}
    frontier = [trace_id]
    while frontier:
        children = set(
            session.scalars(
                select(PartEdge.child_trace_id).where(
                    PartEdge.operator_id == caller, PartEdge.parent_trace_id.in_(frontier)
                )
            )
        )
        frontier = sorted(children - seen)
        seen.update(frontier)
    names = {
        part.trace_id: part.parts_name
        for part in session.scalars(
            select(Part).where(Part.operator_id == caller, Part.trace_id.in_(seen))
        )
    }
    hosts = {
        host.id: host.name
        for host in session.scalars(select(RemoteHost).where(RemoteHost.operator_id == caller))
    }
    found: list[Contribution] = []
    for trade in session.scalars(
        select(Trade).where(
            Trade.downstream_operator_id == caller,
            Trade.downstream_trace_id.in_(seen),
            Trade.cfp_response_status == CfpResponseStatus.COMPLETED,
        )
    ):
        # An answer on this platform: the supplier's value signed by its key on request
        # (`traceability.signed_answers`), from the platform's own records.
        found.append(
            Contribution(
                trade.downstream_trace_id,
                names.get(trade.downstream_trace_id, ""),
                "trade",
                str(trade.upstream_operator_id),
                True,
                str(trade.id),
            )
        )
    answered = {c.trace_id for c in found}  # an answered trade is what rolls up
    found += [
        Contribution(
            answer.trace_id,
            names.get(answer.trace_id, ""),
            "pact",
            hosts.get(answer.host_id, str(answer.host_id)),
            answer.verified,
            str(answer.pf_id),
        )
        for answer in session.scalars(
            select(FootprintAnswer).where(
                FootprintAnswer.operator_id == caller, FootprintAnswer.trace_id.in_(seen)
            )
        )
        if answer.trace_id not in answered
    ]
    return sorted(found, key=lambda c: (c.part_name, str(c.trace_id)))
