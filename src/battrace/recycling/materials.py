"""Recycled content services: a part's declared content, recovered-material lots, the
mass-balance account of a material maker's site, and a product model's shares against Art. 8
(filled into its passport model).

A recovered-material lot is one of the recycler's parts (kilograms of material): creating the
lot declares the part's content (`element_fraction` kg of the element per kg, recycled by the
stated pre- / post-consumer shares, basis "lot", with its certificate) and registers the lot's
CFP on the part, so that it is sold along a trade like any part and both its CFP and its
recycled content reach the buyer as disclosed totals. The buyer books what it bought into its
site's balance period (`book_purchase`, from the disclosed content per kg of the part it
bought); the period's proportional share (`content.allocate`) is then declared on its output
parts (`apply_balance`, basis "mass-balance").
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, InvalidRequest, NotFound
from battrace.ids import OperatorId, TraceId, TradeId, new_id
from battrace.recycling import passport_link
from battrace.recycling.content import (
    ART8_ELEMENTS,
    Allocation,
    BalanceInput,
    ElementContent,
    MinimumCheck,
    allocate,
    check_minimums,
    content_of_shares,
)
from battrace.recycling.models import BalanceEntry, MaterialLot, PartContent, Permit, Role
from battrace.recycling.rollup import roll_up_content
from battrace.recycling.rules import ZERO, Element
from battrace.store.base import utcnow
from battrace.traceability import cfp as cfp_values
from battrace.traceability.cfp import CfpRowWrite, CfpSetWrite
from battrace.traceability.models import AmountUnit, CfpType, Part, Trade
from battrace.traceability.stages import Dqr
from battrace.traceability.trades import get_trade

_ROUND = Decimal("0.00001")


def _own_part(session: Session, caller: uuid.UUID, trace_id: uuid.UUID) -> Part:
    part = session.get(Part, (caller, trace_id))
    if part is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    return part


def _q(value: Decimal) -> Decimal:
    return value.quantize(_ROUND)


def declare_content(
    session: Session,
    *,
    caller: uuid.UUID,
    trace_id: uuid.UUID,
    element: Element,
    content: ElementContent,
    basis: str = "declared",
    certificate: str | None = None,
) -> PartContent:
    """Set the caller's part's own content of one element per unit (replacing it)."""
    _own_part(session, caller, trace_id)
    masses = (content.mass_kg, content.pre_consumer_kg, content.post_consumer_kg)
    if any(not m.is_finite() or m < ZERO for m in masses):
        raise InvalidRequest("content: masses must be 0 kg or more.")
    if content.recycled_kg > content.mass_kg:
        raise InvalidRequest(
            f"{element}: {content.recycled_kg} kg recycled is more than the {content.mass_kg} kg "
            "of the element (a share over 100 %)."
        )
    row = session.get(PartContent, (caller, trace_id, element.value))
    if row is None:
        row = PartContent(operator_id=caller, trace_id=trace_id, element=element.value)
        session.add(row)
    row.mass_kg, row.pre_consumer_kg, row.post_consumer_kg = (_q(m) for m in masses)
    row.basis, row.certificate = basis, certificate
    record_event(
        session,
        action=AuditAction.RECYCLING_CONTENT,
        actor=caller,
        target_type="part",
        target_id=trace_id,
        change={"element": element.value, "masses": [str(m) for m in masses], "basis": basis},
    )
    return row


@dataclass(frozen=True)
class LotWrite:
    trace_id: TraceId
    element: Element
    grade: str
    mass_kg: Decimal
    element_fraction: Decimal
    pre_consumer_percent: Decimal
    post_consumer_percent: Decimal
    cfp_kg_co2e_per_kg: Decimal
    certificate: str | None = None


def create_material_lot(session: Session, *, caller: uuid.UUID, lot: LotWrite) -> MaterialLot:
    """A recycler's lot of recovered material on one of its parts (see the module)."""
    permit = session.get(Permit, (caller, Role.RECYCLER))
    if permit is None or (permit.valid_until is not None and permit.valid_until < utcnow().date()):
        raise AccessDenied("lot: only an operator with a valid recycler permit offers one.")
    part = _own_part(session, caller, lot.trace_id)
    if part.amount_required_unit not in (None, AmountUnit.KILOGRAM):
        raise InvalidRequest("traceId: a material lot's part is counted in kilograms.")
    if lot.mass_kg <= ZERO:
        raise InvalidRequest("massKg: must be more than 0 kg.")
    if not ZERO < lot.element_fraction <= 1:
        raise InvalidRequest("elementFraction: kg of the element per kg, more than 0, at most 1.")
    if lot.cfp_kg_co2e_per_kg < ZERO:
        raise InvalidRequest("cfpKgCO2ePerKg: must be 0 or more.")
    per_kg = content_of_shares(
        lot.element_fraction, lot.pre_consumer_percent, lot.post_consumer_percent
    )
    declare_content(
        session,
        caller=caller,
        trace_id=lot.trace_id,
        element=lot.element,
        content=per_kg,
        basis="lot",
        certificate=lot.certificate,
    )
    if not cfp_values.own_rows(session, owner=caller, trace_id=lot.trace_id):
        unit = "kgCO2e/kilogram"
        rows = [
            CfpRowWrite(
                kind,
                lot.cfp_kg_co2e_per_kg if kind == CfpType.MAIN_PRODUCTION else ZERO,
                Dqr.empty(),
            )
            for kind in CfpType
        ]
        cfp_values.register_cfp(
            session, caller=OperatorId(caller), cfp_set=CfpSetWrite(lot.trace_id, None, unit, rows)
        )
    row = MaterialLot(
        operator_id=caller,
        id=new_id(),
        trace_id=lot.trace_id,
        element=lot.element.value,
        grade=lot.grade.strip() or "-",
        mass_kg=lot.mass_kg,
        element_fraction=lot.element_fraction,
        pre_consumer_percent=lot.pre_consumer_percent,
        post_consumer_percent=lot.post_consumer_percent,
        certificate=lot.certificate,
        cfp_kg_co2e_per_kg=lot.cfp_kg_co2e_per_kg,
    )
    session.add(row)
    return row


def list_material_lots(session: Session, *, caller: uuid.UUID) -> list[MaterialLot]:
    return list(
        session.scalars(
            select(MaterialLot)
            .where(MaterialLot.operator_id == caller)
            .order_by(MaterialLot.created_at.desc())
        )
    )


def book_input(
    session: Session,
    *,
    caller: uuid.UUID,
    site: str,
    element: Element,
    period: str,
    booked: BalanceInput,
    source: str,
) -> BalanceEntry:
    """Book element mass into the caller's balance period at a site."""
    allocate([booked], [])  # refuses negative masses and shares over 100 %
    if not site.strip() or not period.strip():
        raise InvalidRequest("site and period: must not be empty.")
    entry = BalanceEntry(
        operator_id=caller,
        id=new_id(),
        site=site.strip(),
        element=element.value,
        period=period.strip(),
        mass_kg=_q(booked.mass_kg),
        pre_consumer_kg=_q(booked.pre_consumer_kg),
        post_consumer_kg=_q(booked.post_consumer_kg),
        source=source[:200],
    )
    session.add(entry)
    record_event(
        session,
        action=AuditAction.RECYCLING_BOOK,
        actor=caller,
        target_type="balance",
        target_id=entry.id,
        change={"element": element.value, "massKg": str(booked.mass_kg), "period": period},
    )
    return entry


def book_purchase(
    session: Session,
    *,
    caller: uuid.UUID,
    trade_id: uuid.UUID,
    quantity: Decimal,
    site: str,
    period: str,
    disclose_by_default: bool,
) -> list[BalanceEntry]:
    """Book `quantity` units bought over one of the caller's trades: per element, the
    supplier's disclosed content per unit x quantity (an element whose content is unknown
    is refused: nothing can be booked for it)."""
    trade: Trade = get_trade(session, caller=OperatorId(caller), trade_id=TradeId(trade_id))
    if trade.downstream_operator_id != caller:
        raise NotFound(f"tradeId: {trade_id} was not found.")
    if quantity <= ZERO:
        raise InvalidRequest("quantity: must be more than 0.")
    source = f"trade {trade_id}"
    booked_before = session.scalar(
        select(BalanceEntry.id).where(
            BalanceEntry.operator_id == caller, BalanceEntry.source == source
        )
    )
    if booked_before is not None:
        raise InvalidRequest(f"tradeId: {trade_id} is booked already (no double claim).")
    rolled = roll_up_content(
        session,
        viewer=caller,
        roots=[trade.downstream_trace_id],
        disclose_by_default=disclose_by_default,
    )
    content = rolled.parts[trade.downstream_trace_id]
    unknown = sorted(e.value for e, v in content.items() if v is None)
    if unknown and len(unknown) == len(content):
        raise InvalidRequest(
            f"tradeId: {trade_id} has no recycled content disclosed yet (not answered, or "
            "withheld)."
        )
    entries = []
    for element, value in content.items():
        if value is None or value.mass_kg == ZERO:
            continue
        scaled = value.scaled(quantity)
        entries.append(
            book_input(
                session,
                caller=caller,
                site=site,
                element=element,
                period=period,
                booked=BalanceInput(
                    scaled.mass_kg, scaled.pre_consumer_kg, scaled.post_consumer_kg
                ),
                source=source,
            )
        )
    if not entries:  # a terminated part counts its own declarations only, none here
        raise InvalidRequest(
            f"tradeId: the part bought over {trade_id} carries no element content to book."
        )
    return entries


def balance(
    session: Session,
    *,
    caller: uuid.UUID,
    site: str,
    element: Element,
    period: str,
    outputs: Sequence[Decimal] = (),
) -> Allocation:
    """The period's proportional allocation (refused if the outputs exceed what was booked)."""
    rows = session.scalars(
        select(BalanceEntry).where(
            BalanceEntry.operator_id == caller,
            BalanceEntry.site == site,
            BalanceEntry.element == element.value,
            BalanceEntry.period == period,
        )
    ).all()
    if not rows:
        raise NotFound(f"balance: nothing booked for {element} at {site} in {period}.")
    return allocate(
        [BalanceInput(r.mass_kg, r.pre_consumer_kg, r.post_consumer_kg) for r in rows], outputs
    )


def apply_balance(
    session: Session,
    *,
    caller: uuid.UUID,
    trace_id: uuid.UUID,
    site: str,
    element: Element,
    period: str,
    element_kg_per_unit: Decimal,
    produced_units: Decimal,
) -> PartContent:
    """Declare on an output part the period's share: `element_kg_per_unit` of X per unit, of
    which the proportional recycled share; the period's production of the part
    (`produced_units` x `element_kg_per_unit`) must fit in what was booked."""
    allocation = balance(
        session,
        caller=caller,
        site=site,
        element=element,
        period=period,
        outputs=[element_kg_per_unit * produced_units],
    )
    content = ElementContent(
        element_kg_per_unit,
        element_kg_per_unit * allocation.pre_share,
        element_kg_per_unit * allocation.post_share,
    )
    return declare_content(
        session,
        caller=caller,
        trace_id=trace_id,
        element=element,
        content=content,
        basis="mass-balance",
    )


@dataclass(frozen=True)
class ModelContent:
    trace_id: uuid.UUID
    content: dict[Element, ElementContent | None]
    shares: dict[Element, Decimal | None]
    checks: tuple[MinimumCheck, ...]
    passport_models: tuple[uuid.UUID, ...]


def model_content(
    session: Session,
    *,
    caller: uuid.UUID,
    trace_id: uuid.UUID,
    placed_on_market: date,
    disclose_by_default: bool,
    lmt: bool = False,
    fill_passport: bool = False,
) -> ModelContent:
    """A product model's recycled content of Co, Li, Ni, Pb against Art. 8 (and, if asked,
    written into its passport models)."""
    rolled = roll_up_content(
        session, viewer=caller, roots=[trace_id], disclose_by_default=disclose_by_default
    )
    content = {
        e: rolled.parts[trace_id].get(e) for e in ART8_ELEMENTS if e in rolled.parts[trace_id]
    }
    shares = rolled.shares(trace_id)
    art8 = {e: shares.get(e) for e in ART8_ELEMENTS}
    models: list[uuid.UUID] = []
    if fill_passport:
        models = passport_link.fill_recycled_content(
            session,
            caller=caller,
            model_trace_id=trace_id,
            shares=art8,
            source="battrace recycled-content roll-up (mass balance, proportional allocation)",
        )
    return ModelContent(
        trace_id=trace_id,
        content=content,
        shares=art8,
        checks=check_minimums(art8, placed_on_market=placed_on_market, lmt=lmt),
        passport_models=tuple(models),
    )
