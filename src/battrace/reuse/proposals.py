"""Second-life systems made of packs from several listers: the integrator proposes one system
of reservations it holds, each lister accepts (or refuses) for its own packs, and the last
acceptance makes the system.

* `propose_system`: the integrator names held reservations (from one or more listers), the
  successor status, label and identifier; the reservations are tied to the proposal and can
  no longer be released or handed over one lister at a time.
* `accept_proposal`: a lister accepts its reservations of the proposal. When every lister
  has accepted, the same transaction makes the successor passport linked to every original
  (each lister preparing its own pack, `lifecycle.create_successor`'s `consents`), with the
  integrator responsible and each lister's responsibility for its pack ended, the system and
  the hand-over of every listing (`market.commission`): all of it or, if any step is refused
  (a pack meanwhile superseded, say), none of it, the acceptance included.
* `refuse_proposal` (a lister) and `withdraw_proposal` (the integrator) end a proposal: no
  passport, listing or other reservation changes; the reservations are held again, as before
  the proposal.

A proposal is visible to its integrator and to the listers of its reservations only; a lister
sees the proposal and its own reservations, not the other listers' packs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.ids import new_id
from battrace.reuse import passport_link
from battrace.reuse.market import commission, notify, visible_reservation
from battrace.reuse.models import (
    ProposalState,
    ReservationStatus,
    ReuseReservation,
    ReuseSystem,
    ReuseSystemProposal,
)
from battrace.store.base import utcnow


def propose_system(
    session: Session,
    *,
    caller: uuid.UUID,
    reservation_ids: Sequence[uuid.UUID],
    status: str,
    label: str,
    battery_identifier: str | None = None,
) -> ReuseSystemProposal:
    """The integrator's proposal of one system made of reservations it holds."""
    if not reservation_ids or len(set(reservation_ids)) != len(reservation_ids):
        raise errors.InvalidRequest("reservationIds: one or more, each once.")
    passport_link.check_successor_status(status)
    held = []
    for n, reservation_id in enumerate(reservation_ids):
        reservation = visible_reservation(session, caller=caller, reservation_id=reservation_id)
        if reservation.operator_id != caller:
            raise errors.NotFound(f"reservationIds[{n}]: no reservation {reservation_id} of yours.")
        if reservation.status != ReservationStatus.HELD:
            raise errors.InvalidRequest(
                f"reservationIds[{n}]: reservation {reservation_id} is "
                f"{reservation.status.value}, not held."
            )
        if reservation.proposal_id is not None:
            raise errors.Conflict(
                f"reservationIds[{n}]: reservation {reservation_id} is part of the proposal "
                f"{reservation.proposal_id} already."
            )
        held.append(reservation)
    proposal = ReuseSystemProposal(
        operator_id=caller,
        id=new_id(),
        label=label.strip()[:200],
        status=status,
        battery_identifier=(battery_identifier or "").strip()[:200] or None,
        state=ProposalState.OPEN,
        created_at=utcnow(),
    )
    session.add(proposal)
    for reservation in held:
        reservation.proposal_id = proposal.id
    for lister in sorted({r.lister_operator_id for r in held}):
        notify(
            session,
            operator=lister,
            kind="proposal",
            subject=proposal.id,
            message=f"Your reserved pack(s) are proposed for one system, {proposal.label!r}: "
            "accept or refuse.",
        )
    record_event(
        session,
        action=AuditAction.REUSE_PROPOSAL_CREATE,
        actor=caller,
        target_type="reuse_proposal",
        target_id=proposal.id,
        change={"reservations": [str(r.id) for r in held], "status": status},
    )
    return proposal


def proposal_reservations(
    session: Session, proposal: ReuseSystemProposal
) -> list[ReuseReservation]:
    """The proposal's reservations, in the order they were made."""
    return list(
        session.scalars(
            select(ReuseReservation)
            .where(
                ReuseReservation.operator_id == proposal.operator_id,
                ReuseReservation.proposal_id == proposal.id,
            )
            .order_by(ReuseReservation.created_at, ReuseReservation.id)
        )
    )


def list_proposals(session: Session, *, caller: uuid.UUID) -> list[ReuseSystemProposal]:
    """The proposals the caller made, and those its reservations are in (open or
    commissioned; a refused or withdrawn one frees them and is its integrator's alone),
    newest first."""
    listed = select(ReuseReservation.proposal_id).where(
        ReuseReservation.lister_operator_id == caller, ReuseReservation.proposal_id.is_not(None)
    )
    return list(
        session.scalars(
            select(ReuseSystemProposal)
            .where((ReuseSystemProposal.operator_id == caller) | ReuseSystemProposal.id.in_(listed))
            .order_by(ReuseSystemProposal.created_at.desc(), ReuseSystemProposal.id)
            .limit(500)
        )
    )


def reservations_seen_by(
    session: Session, proposal: ReuseSystemProposal, viewer: uuid.UUID
) -> list[ReuseReservation]:
    """The proposal's reservations the viewer may see: the integrator every one, a lister its
    own (not the other listers' packs)."""
    return [
        r
        for r in proposal_reservations(session, proposal)
        if viewer in (proposal.operator_id, r.lister_operator_id)
    ]


def listers_of(session: Session, proposal: ReuseSystemProposal) -> int:
    """How many listers the proposal's packs come from (a number, not who)."""
    return len({r.lister_operator_id for r in proposal_reservations(session, proposal)})


def successor_passport(session: Session, proposal: ReuseSystemProposal) -> uuid.UUID | None:
    """The passport a commissioned proposal made (None before), for those who may see the
    proposal (`visible_proposal`)."""
    if proposal.system_id is None:
        return None
    system = session.get(ReuseSystem, (proposal.operator_id, proposal.system_id))
    return None if system is None else system.passport_id


def visible_proposal(
    session: Session, *, caller: uuid.UUID, proposal_id: uuid.UUID, lock: bool = False
) -> ReuseSystemProposal:
    """The proposal if the caller is its integrator or a lister of one of its reservations.
    `lock` takes its row for the transaction (a decision on it), so that two listers
    accepting at once are serialised and the second sees the first's acceptance."""
    query = select(ReuseSystemProposal).where(ReuseSystemProposal.id == proposal_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = session.scalars(query).first()
    if found is not None and found.operator_id == caller:
        return found
    if found is not None and found.state == ProposalState.OPEN:
        listers = {r.lister_operator_id for r in proposal_reservations(session, found)}
        if caller in listers:
            return found
    if found is not None and found.system_id is not None:
        system_listers = session.scalars(
            select(ReuseReservation.id).where(
                ReuseReservation.system_id == found.system_id,
                ReuseReservation.lister_operator_id == caller,
            )
        ).first()
        if system_listers is not None:
            return found
    raise errors.NotFound(f"proposalId: no proposal {proposal_id}.")


def _open_for_lister(
    session: Session, caller: uuid.UUID, proposal_id: uuid.UUID
) -> tuple[ReuseSystemProposal, list[ReuseReservation], list[ReuseReservation]]:
    proposal = visible_proposal(session, caller=caller, proposal_id=proposal_id, lock=True)
    if proposal.state != ProposalState.OPEN:
        raise errors.Conflict(f"proposal {proposal_id} is {proposal.state.value}, not open.")
    every = proposal_reservations(session, proposal)
    mine = [r for r in every if r.lister_operator_id == caller]
    if not mine:
        raise errors.NotFound(f"proposalId: no proposal {proposal_id} of your listings.")
    return proposal, every, mine


def accept_proposal(
    session: Session, *, caller: uuid.UUID, proposal_id: uuid.UUID
) -> ReuseSystemProposal:
    """A lister accepts its packs of the proposal; the last acceptance makes the system."""
    proposal, every, mine = _open_for_lister(session, caller, proposal_id)
    if all(r.status == ReservationStatus.ACCEPTED for r in mine):
        raise errors.Conflict(f"proposal {proposal_id}: you have accepted it already.")
    now = utcnow()
    for reservation in mine:
        reservation.status = ReservationStatus.ACCEPTED
        reservation.decided_at = now
    record_event(
        session,
        action=AuditAction.REUSE_PROPOSAL_ACCEPT,
        actor=caller,
        target_type="reuse_proposal",
        target_id=proposal.id,
        change={"reservations": [str(r.id) for r in mine]},
    )
    if all(r.status == ReservationStatus.ACCEPTED for r in every):
        system = _commission(session, proposal, every)
        proposal.state = ProposalState.COMMISSIONED
        proposal.system_id = system.id
        proposal.decided_at = now
    return proposal


def _commission(
    session: Session, proposal: ReuseSystemProposal, every: list[ReuseReservation]
) -> ReuseSystem:
    system = commission(
        session,
        issuer=proposal.operator_id,
        held=every,
        status=proposal.status,
        label=proposal.label,
        battery_identifier=proposal.battery_identifier,
    )
    for lister in sorted({r.lister_operator_id for r in every}):
        notify(
            session,
            operator=lister,
            kind="handover",
            subject=system.id,
            message=f"Proposal {proposal.label!r} accepted by every lister: your pack(s) now "
            f"belong to system {system.id}.",
        )
    return system


def _end(
    proposal: ReuseSystemProposal,
    every: list[ReuseReservation],
    state: ProposalState,
    by: uuid.UUID,
    reason: str | None,
) -> None:
    """The reservations are held again, as before the proposal; nothing else changes."""
    for reservation in every:
        reservation.status = ReservationStatus.HELD
        reservation.proposal_id = None
        reservation.decided_at = None
    proposal.state = state
    proposal.refused_by = by if state == ProposalState.REFUSED else None
    proposal.reason = (reason or "").strip()[:1000] or None
    proposal.decided_at = utcnow()


def refuse_proposal(
    session: Session, *, caller: uuid.UUID, proposal_id: uuid.UUID, reason: str | None = None
) -> ReuseSystemProposal:
    """A lister refuses: the proposal ends, every reservation in it is held again."""
    proposal, every, _ = _open_for_lister(session, caller, proposal_id)
    _end(proposal, every, ProposalState.REFUSED, caller, reason)
    notify(
        session,
        operator=proposal.operator_id,
        kind="proposal-refused",
        subject=proposal.id,
        message=f"A lister refused the proposal {proposal.label!r}"
        + (f": {proposal.reason}" if proposal.reason else "."),
    )
    record_event(
        session,
        action=AuditAction.REUSE_PROPOSAL_REFUSE,
        actor=caller,
        target_type="reuse_proposal",
        target_id=proposal.id,
        change={"reason": proposal.reason},
    )
    return proposal


def withdraw_proposal(
    session: Session, *, caller: uuid.UUID, proposal_id: uuid.UUID
) -> ReuseSystemProposal:
    """The integrator withdraws its open proposal; the reservations are held again."""
    proposal = session.get(
        ReuseSystemProposal, (caller, proposal_id), with_for_update=True, populate_existing=True
    )
    if proposal is None:
        raise errors.NotFound(f"proposalId: no proposal {proposal_id} of yours.")
    if proposal.state != ProposalState.OPEN:
        raise errors.Conflict(f"proposal {proposal_id} is {proposal.state.value}, not open.")
    every = proposal_reservations(session, proposal)
    _end(proposal, every, ProposalState.WITHDRAWN, caller, None)
    for lister in sorted({r.lister_operator_id for r in every}):
        notify(
            session,
            operator=lister,
            kind="proposal-withdrawn",
            subject=proposal.id,
            message=f"The proposal {proposal.label!r} was withdrawn.",
        )
    record_event(
        session,
        action=AuditAction.REUSE_PROPOSAL_WITHDRAW,
        actor=caller,
        target_type="reuse_proposal",
        target_id=proposal.id,
        change={},
    )
    return proposal
