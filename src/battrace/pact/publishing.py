"""Which footprints a company publishes, and to whom; the footprints made from its CFP.

A company publishes a product (one of its parts with CFP) to one PACT client at a time, the
same sovereignty as disclosure to Ouranos customers: a client sees the footprints of the
products published to it and nothing else. Publishing takes a snapshot of the product's CFP
totals as a footprint; `refresh` compares every published product's CFP with its latest
footprint and, where it changed, deprecates that footprint and makes a new one that names it
as its predecessor (`precedingPfIds`; v2 `version` counts the chain).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.identity import signing
from battrace.identity.models import Operator
from battrace.ids import OperatorId, TraceId, new_id
from battrace.pact import selection
from battrace.pact.clients import own_client
from battrace.pact.mapping import Envelope, Figures, timestamp, to_v2, to_v3
from battrace.pact.models import FootprintStatus, PactFootprint, PactPublication
from battrace.store.base import utcnow
from battrace.traceability.combine import RatedEmission as Term
from battrace.traceability.combine import combine
from battrace.traceability.models import Part
from battrace.traceability.rollup import cfp_rows
from battrace.traceability.stages import Dqr


@dataclass(frozen=True)
class PublishOptions:
    """What battrace does not record about a product but a footprint states."""

    reference_period_start: datetime | None = None
    reference_period_end: datetime | None = None
    geography_country: str | None = None
    product_mass_kg: Decimal | None = None
    cpc: str = "4642"  # UN CPC 2.1: electric accumulators and parts (v2 requires one)


def company_ids(operator: Operator) -> list[str]:
    ids = [f"urn:uuid:{operator.id}"]
    if operator.open_operator_id:
        ids.append(f"urn:battrace:open-operator-id:{operator.open_operator_id}")
    return ids


def _stage_terms(
    session: Session, owner: uuid.UUID, trace_id: uuid.UUID, disclose_by_default: bool
) -> dict[str, list[Term]]:
    rows = cfp_rows(
        session,
        caller=OperatorId(owner),
        trace_ids=[TraceId(trace_id)],
        disclose_by_default=disclose_by_default,
    )
    totals = [r for r in rows if r.cfp_type.endswith("Total")]
    responses = [r for r in rows if r.cfp_type.endswith("Response")]
    chosen = totals or responses or rows
    terms: dict[str, list[Term]] = {"pre": [], "main": [], "own": []}
    for row in chosen:
        stage = "pre" if row.cfp_type.startswith("pre") else "main"
        terms[stage].append(Term(row.ghg_emission, row.dqr))
        if "Production" in row.cfp_type and not row.cfp_type.endswith("Response"):
            terms["own"].append(Term(row.ghg_emission, Dqr.empty()))
    if totals:  # both Total rows of a stage carry the stage's whole rating
        for stage in ("pre", "main"):
            stage_rows = list(terms[stage])
            if stage_rows:
                whole = combine(stage_rows).emission
                terms[stage] = [Term(whole, stage_rows[0].dqr)]
    return terms


def figures_of(
    session: Session,
    *,
    caller: uuid.UUID,
    trace_id: uuid.UUID,
    options: PublishOptions,
    disclose_by_default: bool,
) -> Figures:
    """The caller's product as footprint figures; InvalidRequest when its CFP is incomplete."""
    part = session.get(Part, (caller, trace_id))
    operator = session.get(Operator, caller)
    if part is None or operator is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    if part.amount_required_unit is None:
        raise InvalidRequest(f"traceId: {trace_id} has no amount unit to declare a footprint in.")
    terms = _stage_terms(session, caller, trace_id, disclose_by_default)
    pre, main = combine(terms["pre"]), combine(terms["main"])
    if not terms["pre"] or not terms["main"] or pre.emission is None or main.emission is None:
        raise InvalidRequest(
            f"traceId: {trace_id} has no complete CFP (both stages known) to publish."
        )
    whole = combine([Term(pre.emission, pre.dqr), Term(main.emission, main.dqr)])
    own = combine(terms["own"]).emission if terms["own"] else Decimal(0)
    end = options.reference_period_end or datetime(utcnow().year, 1, 1, tzinfo=UTC)
    start = options.reference_period_start or end.replace(year=end.year - 1)
    if start >= end:
        raise InvalidRequest("the reference period must start before it ends.")
    description = " / ".join(
        name for name in (part.parts_name, part.support_parts_name, part.parts_label_name) if name
    )
    return Figures(
        trace_id=str(trace_id),
        product_name=part.parts_name,
        product_description=description,
        company_name=operator.name,
        company_ids=company_ids(operator),
        unit=part.amount_required_unit.value,
        pre_emission=str(pre.emission),
        main_emission=str(main.emission),
        own_emission=str(own or 0),
        ter=None if whole.dqr.ter is None else str(whole.dqr.ter),
        ger=None if whole.dqr.ger is None else str(whole.dqr.ger),
        tir=None if whole.dqr.tir is None else str(whole.dqr.tir),
        reference_period_start=timestamp(start),
        reference_period_end=timestamp(end),
        geography_country=options.geography_country,
        product_mass_kg=None if options.product_mass_kg is None else str(options.product_mass_kg),
        cpc=options.cpc,
    )


def _digest(figures: Figures) -> str:
    canonical = json.dumps(figures.as_json(), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def latest_footprint(
    session: Session, *, owner: uuid.UUID, trace_id: uuid.UUID
) -> PactFootprint | None:
    return session.scalar(
        select(PactFootprint)
        .where(PactFootprint.operator_id == owner, PactFootprint.trace_id == trace_id)
        .order_by(PactFootprint.version.desc())
        .limit(1)
    )


def _options_of(figures: Figures) -> PublishOptions:
    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return PublishOptions(
        reference_period_start=moment(figures.reference_period_start),
        reference_period_end=moment(figures.reference_period_end),
        geography_country=figures.geography_country,
        product_mass_kg=None
        if figures.product_mass_kg is None
        else Decimal(figures.product_mass_kg),
        cpc=figures.cpc,
    )


def snapshot(
    session: Session,
    *,
    caller: uuid.UUID,
    trace_id: uuid.UUID,
    options: PublishOptions | None,
    disclose_by_default: bool,
) -> PactFootprint:
    """The product's current footprint: the latest one if its figures still hold, else a
    new one (the latest deprecated). `options` None keeps the latest footprint's options."""
    latest = latest_footprint(session, owner=caller, trace_id=trace_id)
    if options is None:
        options = (
            PublishOptions() if latest is None else _options_of(Figures.from_json(latest.figures))
        )
    figures = figures_of(
        session,
        caller=caller,
        trace_id=trace_id,
        options=options,
        disclose_by_default=disclose_by_default,
    )
    digest = _digest(figures)
    if latest is not None and latest.digest == digest:
        return latest
    now = utcnow()
    if latest is not None:
        latest.status = FootprintStatus.DEPRECATED
        latest.updated_at = now
    footprint = PactFootprint(
        operator_id=caller,
        trace_id=trace_id,
        id=new_id(),
        version=0 if latest is None else latest.version + 1,
        preceding_id=None if latest is None else latest.id,
        status=FootprintStatus.ACTIVE,
        digest=digest,
        figures=figures.as_json(),
        v2_servable=figures.unit != "unit",
        created_at=now,
        updated_at=now,
    )
    session.add(footprint)
    selection.index_footprint(session, footprint, figures)
    session.flush()
    record_event(
        session,
        action=AuditAction.PACT_FOOTPRINT,
        actor=caller,
        target_type="part",
        target_id=trace_id,
        change={"pfId": str(footprint.id), "version": footprint.version, "digest": digest},
    )
    return footprint


def publish(
    session: Session,
    *,
    caller: uuid.UUID,
    trace_id: uuid.UUID,
    client_row_id: uuid.UUID,
    disclose_by_default: bool,
    options: PublishOptions | None = None,
) -> PactFootprint:
    """Publish the caller's product to one of its PACT clients (idempotent)."""
    own_client(session, caller=caller, client_row_id=client_row_id)
    signing.active_key(session, caller=caller)  # served footprints are signed with it
    footprint = snapshot(
        session,
        caller=caller,
        trace_id=trace_id,
        options=options,
        disclose_by_default=disclose_by_default,
    )
    if session.get(PactPublication, (caller, trace_id, client_row_id)) is None:
        session.add(
            PactPublication(operator_id=caller, trace_id=trace_id, client_row_id=client_row_id)
        )
        record_event(
            session,
            action=AuditAction.PACT_PUBLISH,
            actor=caller,
            target_type="part",
            target_id=trace_id,
            change={"client": str(client_row_id)},
        )
    session.flush()
    return footprint


def unpublish(
    session: Session, *, caller: uuid.UUID, trace_id: uuid.UUID, client_row_id: uuid.UUID
) -> None:
    own_client(session, caller=caller, client_row_id=client_row_id)
    session.execute(
        delete(PactPublication).where(
            PactPublication.operator_id == caller,
            PactPublication.trace_id == trace_id,
            PactPublication.client_row_id == client_row_id,
        )
    )
    record_event(
        session,
        action=AuditAction.PACT_UNPUBLISH,
        actor=caller,
        target_type="part",
        target_id=trace_id,
        change={"client": str(client_row_id)},
    )


def refresh(
    session: Session, *, caller: uuid.UUID, disclose_by_default: bool
) -> list[PactFootprint]:
    """Re-snapshot every published product; returns the footprints made anew."""
    trace_ids = session.scalars(
        select(PactPublication.trace_id).where(PactPublication.operator_id == caller).distinct()
    )
    made = []
    for trace_id in list(trace_ids):
        before = latest_footprint(session, owner=caller, trace_id=trace_id)
        try:
            after = snapshot(
                session,
                caller=caller,
                trace_id=trace_id,
                options=None,
                disclose_by_default=disclose_by_default,
            )
        except InvalidRequest:
            continue  # the CFP became incomplete: the last footprint stands
        if before is None or after.id != before.id:
            made.append(after)
    return made


def publications(session: Session, *, caller: uuid.UUID) -> list[PactPublication]:
    return list(
        session.scalars(
            select(PactPublication)
            .where(PactPublication.operator_id == caller)
            .order_by(PactPublication.created_at)
        )
    )


def document(footprint: PactFootprint, version: int) -> dict[str, object]:
    """The footprint as the ProductFootprint of spec version 2 or 3."""
    envelope = Envelope(
        id=footprint.id,
        version=footprint.version,
        preceding_id=footprint.preceding_id,
        status=footprint.status.value,
        created=footprint.created_at,
        updated=footprint.updated_at,
    )
    figures = Figures.from_json(footprint.figures)
    return to_v2(envelope, figures) if version == 2 else to_v3(envelope, figures)
