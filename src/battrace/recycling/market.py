"""A market for recovered material: recyclers offer lots, material makers ask, a match
becomes a trade on the platform.

* An offer puts (part of) a recovered-material lot up for sale. Who sees it is the offerer's
  decision: every operator (`public`), or only the operators it lists. To anyone else it does
  not exist.
* An ask states the element, grade and quantity a maker wants, on the part it buys into; asks
  are seen by their maker and by recyclers (operators with a recycler permit), so that
  recyclers can answer demand.
* Taking an offer (the asker) sends a CFP request from the ask's part to the offerer over the
  ordinary trade (`traceability.trades.request_trade`); confirming it (the offerer) links the
  lot's part to that trade (`link_part`), so the lot's CFP and recycled content reach the
  buyer exactly as any supplier's answer does, and the offer's quantity goes down.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.identity.models import Operator
from battrace.ids import OperatorId, TradeId, new_id
from battrace.recycling.models import Ask, MaterialLot, Offer, OfferViewer, Permit, Role
from battrace.recycling.rules import ZERO, Element
from battrace.traceability import trades
from battrace.traceability.models import Part

OPEN, TAKEN, WITHDRAWN = "open", "taken", "withdrawn"
REQUESTED, MATCHED = "requested", "matched"


@dataclass(frozen=True)
class OfferView:
    offer_id: uuid.UUID
    offerer_operator_id: uuid.UUID
    offerer_name: str
    lot_id: uuid.UUID
    element: Element
    grade: str
    quantity_kg: Decimal
    pre_consumer_percent: Decimal
    post_consumer_percent: Decimal
    cfp_kg_co2e_per_kg: Decimal | None
    certificate: str | None
    public: bool
    status: str
    viewers: tuple[uuid.UUID, ...]  # only for the offerer; () for anyone else


def _offered(session: Session, caller: uuid.UUID, lot_id: uuid.UUID) -> Decimal:
    return sum(
        session.scalars(
            select(Offer.quantity_kg).where(
                Offer.operator_id == caller, Offer.lot_id == lot_id, Offer.status == OPEN
            )
        ),
        ZERO,
    )


def offer_lot(
    session: Session,
    *,
    caller: uuid.UUID,
    lot_id: uuid.UUID,
    quantity_kg: Decimal,
    public: bool,
    viewers: Sequence[uuid.UUID] = (),
) -> Offer:
    """Offer `quantity_kg` of one of the caller's recovered-material lots."""
    lot = session.get(MaterialLot, (caller, lot_id))
    if lot is None:
        raise NotFound(f"lotId: {lot_id} was not found.")
    if quantity_kg <= ZERO:
        raise InvalidRequest("quantityKg: must be more than 0 kg.")
    available = lot.mass_kg - _offered(session, caller, lot_id)
    if quantity_kg > available:
        raise InvalidRequest(f"quantityKg: only {available} kg of the lot is not on offer yet.")
    if not public and not viewers:
        raise InvalidRequest("viewers: list who may see a non-public offer.")
    for viewer in viewers:
        if session.get(Operator, viewer) is None:
            raise NotFound(f"viewers: {viewer} was not found.")
    offer = Offer(
        operator_id=caller,
        id=new_id(),
        lot_id=lot_id,
        quantity_kg=quantity_kg,
        public=public,
        status=OPEN,
    )
    session.add(offer)
    session.flush()  # viewers reference it
    session.add_all(
        OfferViewer(operator_id=caller, offer_id=offer.id, viewer_operator_id=viewer)
        for viewer in dict.fromkeys(viewers)
        if viewer != caller
    )
    record_event(
        session,
        action=AuditAction.MARKET_OFFER,
        actor=caller,
        target_type="offer",
        target_id=offer.id,
        change={"lotId": str(lot_id), "quantityKg": str(quantity_kg), "public": public},
    )
    return offer


def withdraw_offer(session: Session, *, caller: uuid.UUID, offer_id: uuid.UUID) -> Offer:
    offer = session.get(Offer, (caller, offer_id))
    if offer is None:
        raise NotFound(f"offerId: {offer_id} was not found.")
    offer.status = WITHDRAWN
    session.execute(
        delete(OfferViewer).where(
            OfferViewer.operator_id == caller, OfferViewer.offer_id == offer_id
        )
    )
    record_event(
        session,
        action=AuditAction.MARKET_WITHDRAW,
        actor=caller,
        target_type="offer",
        target_id=offer_id,
    )
    return offer


def visible_offers(
    session: Session, *, caller: uuid.UUID, element: Element | None = None
) -> list[OfferView]:
    """Open offers the caller may see (its own, public ones, and those listing it)."""
    listed = select(OfferViewer.offer_id).where(OfferViewer.viewer_operator_id == caller)
    statement = (
        select(Offer, MaterialLot, Operator.name)
        .join(
            MaterialLot,
            (MaterialLot.operator_id == Offer.operator_id) & (MaterialLot.id == Offer.lot_id),
        )
        .join(Operator, Operator.id == Offer.operator_id)
        .where(
            Offer.status == OPEN,
            or_(Offer.operator_id == caller, Offer.public.is_(True), Offer.id.in_(listed)),
        )
        .order_by(Offer.created_at.desc())
    )
    if element is not None:
        statement = statement.where(MaterialLot.element == element.value)
    views = []
    for offer, lot, name in session.execute(statement):
        viewers: tuple[uuid.UUID, ...] = ()
        if offer.operator_id == caller:
            viewers = tuple(
                session.scalars(
                    select(OfferViewer.viewer_operator_id).where(
                        OfferViewer.operator_id == caller, OfferViewer.offer_id == offer.id
                    )
                )
            )
        views.append(
            OfferView(
                offer_id=offer.id,
                offerer_operator_id=offer.operator_id,
                offerer_name=name,
                lot_id=lot.id,
                element=Element(lot.element),
                grade=lot.grade,
                quantity_kg=offer.quantity_kg,
                pre_consumer_percent=lot.pre_consumer_percent,
                post_consumer_percent=lot.post_consumer_percent,
                cfp_kg_co2e_per_kg=lot.cfp_kg_co2e_per_kg,
                certificate=lot.certificate,
                public=offer.public,
                status=offer.status,
                viewers=viewers,
            )
        )
    return views


def _visible_offer(session: Session, caller: uuid.UUID, offer_id: uuid.UUID) -> OfferView:
    for view in visible_offers(session, caller=caller):
        if view.offer_id == offer_id:
            return view
    raise NotFound(f"offerId: {offer_id} was not found.")


def ask(
    session: Session,
    *,
    caller: uuid.UUID,
    trace_id: uuid.UUID,
    element: Element,
    grade: str | None,
    quantity_kg: Decimal,
) -> Ask:
    """Ask for recovered material, bought into one of the caller's parts."""
    if session.get(Part, (caller, trace_id)) is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    if quantity_kg <= ZERO:
        raise InvalidRequest("quantityKg: must be more than 0 kg.")
    row = Ask(
        operator_id=caller,
        id=new_id(),
        trace_id=trace_id,
        element=element.value,
        grade=(grade or "").strip() or None,
        quantity_kg=quantity_kg,
        status=OPEN,
        offer_operator_id=None,
        offer_id=None,
        trade_id=None,
    )
    session.add(row)
    record_event(
        session, action=AuditAction.MARKET_ASK, actor=caller, target_type="ask", target_id=row.id
    )
    return row


def visible_asks(session: Session, *, caller: uuid.UUID) -> list[Ask]:
    """The caller's asks; a recycler also sees every open ask."""
    recycler = session.get(Permit, (caller, Role.RECYCLER)) is not None
    condition = Ask.operator_id == caller
    if recycler:
        condition = or_(condition, Ask.status == OPEN)
    return list(session.scalars(select(Ask).where(condition).order_by(Ask.created_at.desc())))


def take_offer(
    session: Session, *, caller: uuid.UUID, offer_id: uuid.UUID, ask_id: uuid.UUID
) -> Ask:
    """The asker takes a visible offer for one of its open asks: a trade request to the
    offerer on the ask's part."""
    offer = _visible_offer(session, caller, offer_id)
    row = session.get(Ask, (caller, ask_id))
    if row is None:
        raise NotFound(f"askId: {ask_id} was not found.")
    if row.status != OPEN:
        raise InvalidRequest(f"askId: the ask is {row.status} already.")
    if offer.offerer_operator_id == caller:
        raise InvalidRequest("offerId: you cannot take your own offer.")
    if offer.element.value != row.element:
        raise InvalidRequest(f"offerId: the offer is {offer.element}, the ask {row.element}.")
    if row.quantity_kg > offer.quantity_kg:
        raise InvalidRequest(f"askId: {row.quantity_kg} kg asked, {offer.quantity_kg} kg on offer.")
    trade = trades.request_trade(
        session,
        caller=OperatorId(caller),
        request=trades.TradeRequestWrite(
            trade_id=None,
            status_id=None,
            downstream_operator_id=caller,
            upstream_operator_id=offer.offerer_operator_id,
            downstream_trace_id=row.trace_id,
            message=(
                f"Recovered {offer.element} ({offer.grade}), {row.quantity_kg} kg, offer {offer_id}"
            ),
            response_due_date=None,
        ),
    )
    row.status, row.offer_operator_id, row.offer_id, row.trade_id = (
        REQUESTED,
        offer.offerer_operator_id,
        offer_id,
        trade.id,
    )
    record_event(
        session,
        action=AuditAction.MARKET_TAKE,
        actor=caller,
        target_type="ask",
        target_id=row.id,
        change={"offerId": str(offer_id), "tradeId": str(trade.id)},
    )
    return row


def confirm_match(
    session: Session, *, caller: uuid.UUID, ask_operator_id: uuid.UUID, ask_id: uuid.UUID
) -> Ask:
    """The offerer confirms a taken offer: its lot's part answers the trade."""
    row = session.get(Ask, (ask_operator_id, ask_id))
    if row is None or row.offer_operator_id != caller or row.offer_id is None:
        raise NotFound(f"askId: {ask_id} was not found.")
    if row.status != REQUESTED or row.trade_id is None:
        raise InvalidRequest(f"askId: the ask is {row.status}, nothing to confirm.")
    offer = session.get(Offer, (caller, row.offer_id))
    if offer is None or offer.status != OPEN or offer.quantity_kg < row.quantity_kg:
        raise InvalidRequest("offerId: the offer is no longer open for this quantity.")
    lot = session.get_one(MaterialLot, (caller, offer.lot_id))
    trades.link_part(
        session, caller=OperatorId(caller), trade_id=TradeId(row.trade_id), trace_id=lot.trace_id
    )
    offer.quantity_kg -= row.quantity_kg
    if offer.quantity_kg == ZERO:
        offer.status = TAKEN
    row.status = MATCHED
    record_event(
        session,
        action=AuditAction.MARKET_MATCH,
        actor=caller,
        target_type="ask",
        target_id=row.id,
        change={"tradeId": str(row.trade_id), "quantityKg": str(row.quantity_kg)},
    )
    return row
