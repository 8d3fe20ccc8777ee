"""The hand-over to the next use: a reuser lists a graded battery, an integrator searches and
reserves, and the lister accepts reservations, which makes the successor passport (one for
several packs that become one storage system) with the integrator responsible for it.

A listing's `visible_to` is the lister's decision: empty means every operator; otherwise only
the listed operators (and the lister) see it. A listing or reservation the caller may not see
is `NotFound`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.ids import new_id
from battrace.reuse import passport_link
from battrace.reuse.assessments import visible_assessment
from battrace.reuse.grading import RECYCLE
from battrace.reuse.models import (
    ListingStatus,
    ReservationStatus,
    ReuseAssessment,
    ReuseListing,
    ReuseNotification,
    ReuseReservation,
    ReuseSystem,
)
from battrace.store.base import utcnow


def _d(value: float) -> Decimal:
    return Decimal(str(round(value, 5)))


def notify(
    session: Session, *, operator: uuid.UUID, kind: str, subject: uuid.UUID, message: str
) -> None:
    session.add(
        ReuseNotification(
            operator_id=operator,
            id=new_id(),
            kind=kind,
            subject_id=subject,
            message=message[:1000],
            created_at=utcnow(),
        )
    )


def create_listing(
    session: Session,
    *,
    caller: uuid.UUID,
    assessment_id: uuid.UUID,
    location: str,
    visible_to: Sequence[uuid.UUID] = (),
) -> ReuseListing:
    """List the battery of one of the caller's own assessments (graded A/B/C)."""
    row = session.get(ReuseAssessment, (caller, assessment_id))
    if row is None:
        raise errors.NotFound(f"assessmentId: no assessment {assessment_id} of yours.")
    if row.grade == RECYCLE:
        raise errors.InvalidRequest("assessmentId: a battery graded RECYCLE cannot be listed.")
    open_listing = session.scalars(
        select(ReuseListing.id).where(
            ReuseListing.passport_id == row.passport_id,
            ReuseListing.status.in_([ListingStatus.OPEN, ListingStatus.RESERVED]),
        )
    ).first()
    if open_listing is not None:
        raise errors.InvalidRequest(f"passport {row.passport_id}: listed already ({open_listing}).")
    life: dict[str, Any] = row.results.get("life") or {}
    rated = row.inputs["intake"]["rated"]
    listing = ReuseListing(
        operator_id=caller,
        id=new_id(),
        assessment_id=row.id,
        passport_id=row.passport_id,
        grade=row.grade,
        chemistry=str(rated["chemistry"]),
        capacity_kwh=_d(float(rated["rated_energy_wh"]) / 1000.0),
        soh=row.soh,
        life_p10_years=_d(float(life.get("years_p10", 0.0))),
        life_p50_years=_d(float(life.get("years_p50", 0.0))),
        value=row.residual_value,
        location=location.strip()[:200],
        visible_to=sorted({str(o) for o in visible_to if o != caller}),
        status=ListingStatus.OPEN,
        created_at=utcnow(),
    )
    session.add(listing)
    record_event(
        session,
        action=AuditAction.REUSE_LISTING_CREATE,
        actor=caller,
        target_type="reuse_listing",
        target_id=listing.id,
        change={"assessment_id": str(row.id), "visible_to": listing.visible_to},
    )
    return listing


def _may_see(listing: ReuseListing, caller: uuid.UUID) -> bool:
    return (
        listing.operator_id == caller or not listing.visible_to or str(caller) in listing.visible_to
    )


def search_listings(
    session: Session,
    *,
    caller: uuid.UUID,
    grades: Sequence[str] = (),
    chemistry: str | None = None,
    min_capacity_kwh: float | None = None,
    min_life_years: float | None = None,
    max_value: float | None = None,
    include_closed: bool = False,
) -> list[ReuseListing]:
    """Listings the caller may see, filtered; cheapest per kWh first."""
    query = select(ReuseListing)
    if not include_closed:
        query = query.where(ReuseListing.status == ListingStatus.OPEN)
    if grades:
        query = query.where(ReuseListing.grade.in_(list(grades)))
    if chemistry:
        query = query.where(ReuseListing.chemistry.ilike(f"{chemistry.strip()}%"))
    if min_capacity_kwh is not None:
        query = query.where(ReuseListing.capacity_kwh >= _d(min_capacity_kwh))
    if min_life_years is not None:
        query = query.where(ReuseListing.life_p10_years >= _d(min_life_years))
    if max_value is not None:
        query = query.where(ReuseListing.value <= _d(max_value))
    found = [row for row in session.scalars(query.limit(2000)) if _may_see(row, caller)]
    return sorted(found, key=lambda r: (r.value / r.capacity_kwh, r.created_at))


def visible_listing(session: Session, *, caller: uuid.UUID, listing_id: uuid.UUID) -> ReuseListing:
    found = session.scalars(select(ReuseListing).where(ReuseListing.id == listing_id)).first()
    if found is None or not _may_see(found, caller):
        raise errors.NotFound(f"listingId: no listing {listing_id}.")
    return found


def withdraw_listing(session: Session, *, caller: uuid.UUID, listing_id: uuid.UUID) -> ReuseListing:
    listing = session.get(ReuseListing, (caller, listing_id))
    if listing is None:
        raise errors.NotFound(f"listingId: no listing {listing_id} of yours.")
    if listing.status != ListingStatus.OPEN:
        raise errors.InvalidRequest(f"listing {listing_id} is {listing.status.value}, not open.")
    listing.status = ListingStatus.WITHDRAWN
    return listing


def reserve(
    session: Session, *, caller: uuid.UUID, listing_id: uuid.UUID, message: str | None = None
) -> ReuseReservation:
    """Hold an open listing for the caller (an integrator)."""
    listing = visible_listing(session, caller=caller, listing_id=listing_id)
    if listing.operator_id == caller:
        raise errors.InvalidRequest("listingId: you cannot reserve your own listing.")
    if listing.status != ListingStatus.OPEN:
        raise errors.Conflict(f"listing {listing_id} is {listing.status.value}, not open.")
    listing.status = ListingStatus.RESERVED
    reservation = ReuseReservation(
        operator_id=caller,
        id=new_id(),
        listing_id=listing.id,
        lister_operator_id=listing.operator_id,
        passport_id=listing.passport_id,
        status=ReservationStatus.HELD,
        message=(message or "")[:1000] or None,
        created_at=utcnow(),
    )
    session.add(reservation)
    notify(
        session,
        operator=listing.operator_id,
        kind="reservation",
        subject=reservation.id,
        message=f"Listing {listing.id} ({listing.grade}, {listing.capacity_kwh} kWh) was reserved.",
    )
    record_event(
        session,
        action=AuditAction.REUSE_RESERVATION_CREATE,
        actor=caller,
        target_type="reuse_reservation",
        target_id=reservation.id,
        change={"listing_id": str(listing.id)},
    )
    return reservation


def visible_reservation(
    session: Session, *, caller: uuid.UUID, reservation_id: uuid.UUID
) -> ReuseReservation:
    found = session.scalars(
        select(ReuseReservation).where(ReuseReservation.id == reservation_id)
    ).first()
    if found is None or caller not in (found.operator_id, found.lister_operator_id):
        raise errors.NotFound(f"reservationId: no reservation {reservation_id}.")
    return found


def list_reservations(session: Session, *, caller: uuid.UUID) -> list[ReuseReservation]:
    """Reservations the caller made or received, newest first."""
    return list(
        session.scalars(
            select(ReuseReservation)
            .where(
                (ReuseReservation.operator_id == caller)
                | (ReuseReservation.lister_operator_id == caller)
            )
            .order_by(ReuseReservation.created_at.desc())
            .limit(500)
        )
    )


def release(session: Session, *, caller: uuid.UUID, reservation_id: uuid.UUID) -> ReuseReservation:
    """Either side gives up a held reservation; the listing is open again."""
    reservation = visible_reservation(session, caller=caller, reservation_id=reservation_id)
    if reservation.status != ReservationStatus.HELD:
        raise errors.InvalidRequest(f"reservation is {reservation.status.value}, not held.")
    if reservation.proposal_id is not None:
        raise errors.InvalidRequest(
            f"reservation is part of the proposal {reservation.proposal_id}: withdraw or refuse"
            " the proposal first."
        )
    reservation.status = ReservationStatus.RELEASED
    reservation.decided_at = utcnow()
    listing = session.get(ReuseListing, (reservation.lister_operator_id, reservation.listing_id))
    if listing is not None:
        listing.status = ListingStatus.OPEN
    other = (
        reservation.lister_operator_id
        if caller == reservation.operator_id
        else reservation.operator_id
    )
    notify(
        session,
        operator=other,
        kind="release",
        subject=reservation.id,
        message="A reservation was released.",
    )
    return reservation


def hand_over(
    session: Session,
    *,
    caller: uuid.UUID,
    reservation_ids: Sequence[uuid.UUID],
    status: str,
    label: str,
    battery_identifier: str | None = None,
) -> ReuseSystem:
    """The lister accepts held reservations of one integrator: the successor passport (status
    repurposed, re-used or remanufactured) is made from their passports with the integrator
    responsible, and a second-life system records the health band their assessments predict."""
    if not reservation_ids or len(set(reservation_ids)) != len(reservation_ids):
        raise errors.InvalidRequest("reservationIds: one or more, each once.")
    held = [visible_reservation(session, caller=caller, reservation_id=r) for r in reservation_ids]
    for reservation in held:
        if reservation.lister_operator_id != caller:
            raise errors.NotFound(
                f"reservationId: no reservation {reservation.id} of your listings."
            )
        if reservation.status != ReservationStatus.HELD:
            raise errors.InvalidRequest(
                f"reservation {reservation.id} is {reservation.status.value}."
            )
    integrators = {r.operator_id for r in held}
    if len(integrators) != 1:
        raise errors.InvalidRequest("reservationIds: all must be held by the same operator.")
    for reservation in held:
        if reservation.proposal_id is not None:
            raise errors.InvalidRequest(
                f"reservation {reservation.id} is part of the proposal {reservation.proposal_id}:"
                " accept or refuse the proposal."
            )
    return commission(
        session,
        issuer=caller,
        held=held,
        status=status,
        label=label,
        battery_identifier=battery_identifier,
    )


def commission(
    session: Session,
    *,
    issuer: uuid.UUID,
    held: Sequence[ReuseReservation],
    status: str,
    label: str,
    battery_identifier: str | None,
) -> ReuseSystem:
    """Make the system of `held` (reservations of one integrator, checked by the caller): the
    successor passport, each pack prepared by its lister, the integrator responsible; the
    system with the band the packs' assessments predict; listings handed over."""
    integrator = held[0].operator_id
    listings = [session.get(ReuseListing, (r.lister_operator_id, r.listing_id)) for r in held]
    assessments = [
        visible_assessment(session, caller=listing.operator_id, assessment_id=listing.assessment_id)
        for listing in listings
        if listing is not None
    ]
    successor = passport_link.create_successor(
        session,
        caller=issuer,
        predecessor_ids=[r.passport_id for r in held],
        status=status,
        new_operator_id=integrator,
        battery_identifier=battery_identifier,
        reason=f"second life: {label}",
        consents={r.passport_id: r.lister_operator_id for r in held},
    )
    system = ReuseSystem(
        operator_id=integrator,
        id=new_id(),
        passport_id=successor,
        label=label.strip()[:200] or str(successor),
        status=status,
        predecessors=[
            {"passport_id": str(a.passport_id), "assessment_id": str(a.id), "grade": a.grade}
            for a in assessments
        ],
        predicted=predicted_band(assessments),
        commissioned_at=utcnow(),
    )
    session.add(system)
    now = utcnow()
    for reservation, listing in zip(held, listings, strict=True):
        reservation.status = ReservationStatus.COMMISSIONED
        reservation.system_id = system.id
        reservation.decided_at = now
        if listing is not None:
            listing.status = ListingStatus.HANDED_OVER
    notify(
        session,
        operator=integrator,
        kind="handover",
        subject=system.id,
        message=f"{len(held)} battery(ies) handed over as {label}: passport {successor}.",
    )
    record_event(
        session,
        action=AuditAction.REUSE_HANDOVER,
        actor=issuer,
        target_type="reuse_system",
        target_id=system.id,
        change={"passport_id": str(successor), "reservations": [str(r.id) for r in held]},
    )
    return system


def predicted_band(assessments: Sequence[ReuseAssessment]) -> dict[str, Any]:
    """The band a system of these packs should stay in: the weakest pack decides (lowest SOH,
    shortest P50 and P10 remaining life)."""
    lives = [a.results.get("life") or {} for a in assessments]
    return {
        "soh_now": min(float(a.soh) for a in assessments) if assessments else 0.0,
        "soh_eol": max((float(life.get("soh_eol", 0.6)) for life in lives), default=0.6),
        "n_rem_p50": min((float(life.get("n_rem_p50", 0.0)) for life in lives), default=0.0),
        "n_rem_p10": min((float(life.get("n_rem_p10", 0.0)) for life in lives), default=0.0),
    }
