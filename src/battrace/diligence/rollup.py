"""A product's due-diligence picture across its supply chain, as one operator may see it.

For a product of the viewer: every part in its structure that is bought over a trade, the
supplier's latest submitted DD answer on that trade, assessed (`risk.assess`), combined with
the supplier's own picture of the part it sold (recursively, tier by tier), then all suppliers
combined worst-case (`risk.combine`). A trade with no submitted answer counts as unknown for
every material: never as fine.

Confidentiality: the viewer sees its direct suppliers' names, answers and cited documents'
hashes. What lies further upstream reaches it only as aggregates (facility counts and shares,
risks, red flags); facility identities and the names of deeper suppliers are shown only if
each supplier in between released its upstream to its customer (`release_upstream`).

Cycles (parts made of themselves through structures and trades): the picture is computed on
read and nothing derived from it is stored, so no stored value can disagree with a fresh one
(unlike the CFP and recycled-content totals, `traceability.walk.fold_upstream`). It unfolds
the chain as a tree from the product asked about: a product already on the path from it is
not entered again (the supplier's answer on that trade counts, its picture above does not).
The picture of a product therefore depends on that product alone, not on an earlier read;
but a cycle member's picture seen inside another member's is cut at a different place than
its own picture asked directly, by design: each is its asker's unfolding.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.diligence import answering, evidence, requesting
from battrace.diligence.facilities import facilities_of
from battrace.diligence.models import DdRequest, DdResponse
from battrace.diligence.questions import Question
from battrace.diligence.risk import (
    REASON_NO_ANSWER,
    DocumentFact,
    FacilityFact,
    MaterialView,
    Origin,
    RedFlag,
    assess,
    combine,
    empty_view,
)
from battrace.diligence.templates import template_by_id
from battrace.identity import operators
from battrace.ids import OperatorId, TraceId
from battrace.traceability import parts
from battrace.traceability.models import CfpResponseStatus, Part, Trade
from battrace.traceability.supply_walk import Follow, SupplyWalk, trace_id_among

ENDED_TRADES = (CfpResponseStatus.CANCEL, CfpResponseStatus.REJECT)


@dataclass(frozen=True)
class Attestation:
    evidence_id: uuid.UUID | None  # None when it comes from further upstream
    document_type: str
    sha256: str
    third_party: bool
    valid_to: date | None
    confidentiality: str | None
    origin: Origin


@dataclass
class SupplierDd:
    trade_id: uuid.UUID
    part_trace_id: TraceId
    parts_name: str
    supplier_id: uuid.UUID
    supplier_name: str
    request: DdRequest | None
    response: DdResponse | None
    materials: dict[str, MaterialView] = field(default_factory=dict)


@dataclass
class ProductDd:
    trace_id: TraceId
    parts_name: str
    as_of: date
    materials: list[str]
    suppliers: list[SupplierDd]
    by_material: dict[str, MaterialView]
    visible_facilities: dict[str, set[str]]
    red_flags: list[RedFlag]
    missing_answers: list[tuple[str, str | None, str]]  # (supplier, material, code)
    attestations: list[Attestation]


def _subtree(session: Session, owner: uuid.UUID, root: TraceId) -> dict[TraceId, Part]:
    """The owner's parts in its own structure below `root` (the supply-chain walk, not
    crossing to suppliers), as ORM parts."""
    walk = SupplyWalk(session, stored=False, cfp=False, follow=Follow.NONE).load([root])
    found = [walk.ids.trace_id(key) for key in walk.owned_below([root], owner)]
    if not found:
        return {}
    return {
        p.trace_id: p
        for p in session.scalars(
            select(Part).where(
                Part.operator_id == owner, trace_id_among(session, Part.trace_id, found)
            )
        )
    }


def _latest_request(
    session: Session, trade_id: uuid.UUID
) -> tuple[DdRequest | None, DdResponse | None]:
    """The newest request on a trade that has an answer, else the newest open one."""
    requests = session.scalars(
        select(DdRequest)
        .where(DdRequest.trade_id == trade_id)
        .order_by(DdRequest.created_at.desc())
    ).all()
    for request in requests:
        response = answering.latest_submitted(session, request.id)
        if response is not None:
            return request, response
    open_requests = [r for r in requests if r.status in requesting.OPEN]
    return (open_requests[0] if open_requests else None), None


class _Builder:
    def __init__(self, session: Session, day: date) -> None:
        self.session = session
        self.day = day
        self.names: dict[uuid.UUID, str] = {}
        self.questions: dict[uuid.UUID, tuple[Question, ...]] = {}

    def name(self, operator_id: uuid.UUID) -> str:
        if operator_id not in self.names:
            found = operators.list_operators(self.session, [operator_id])
            self.names[operator_id] = found[0].name if found else str(operator_id)
        return self.names[operator_id]

    def template_questions(self, template_id: uuid.UUID) -> tuple[Question, ...]:
        if template_id not in self.questions:
            self.questions[template_id] = template_by_id(self.session, template_id).questions
        return self.questions[template_id]

    def polarity(self) -> dict[str, str]:
        return {q.code: q.polarity.value for qs in self.questions.values() for q in qs}

    def product(
        self, viewer: uuid.UUID, trace_id: TraceId, visiting: frozenset[uuid.UUID]
    ) -> ProductDd:
        own_parts = _subtree(self.session, viewer, trace_id)
        root = own_parts.get(trace_id)
        if root is None:
            raise errors.NotFound(f"traceId: no part {trace_id} of yours.")
        trades = self.session.scalars(
            select(Trade)
            .where(
                Trade.downstream_operator_id == viewer,
                Trade.downstream_trace_id.in_(own_parts),
                Trade.cfp_response_status.not_in(ENDED_TRADES),
            )
            .order_by(Trade.created_at, Trade.id)
        ).all()
        suppliers: list[SupplierDd] = []
        flags: list[RedFlag] = []
        missing: list[tuple[str, str | None, str]] = []
        attestations: list[Attestation] = []
        visible: dict[str, set[str]] = {}
        materials: set[str] = set()
        for trade in trades:
            request, response = _latest_request(self.session, trade.id)
            supplier = SupplierDd(
                trade_id=trade.id,
                part_trace_id=trade.downstream_trace_id,
                parts_name=own_parts[trade.downstream_trace_id].parts_name,
                supplier_id=trade.upstream_operator_id,
                supplier_name=self.name(trade.upstream_operator_id),
                request=request,
                response=response,
            )
            suppliers.append(supplier)
            if request is not None:
                materials.update(request.materials)
            if request is None or response is None:
                continue
            self._assess_supplier(
                supplier, trade, request, response, visiting, flags, attestations, visible
            )
        for supplier in suppliers:
            if supplier.response is None:
                label = supplier.supplier_name
                for material in sorted(materials):
                    supplier.materials[material] = empty_view()
                    missing.append((label, material, "*"))
                flags.append(
                    RedFlag(
                        None,
                        (),
                        "NO_ANSWER",
                        "no due-diligence answer",
                        Origin(label),
                        reason_key=REASON_NO_ANSWER,
                    )
                )
            else:
                for material, view in supplier.materials.items():
                    missing.extend(
                        (supplier.supplier_name, material, code) for code in view.missing
                    )
        polarity = {q.code: q.polarity.value for qs in self.questions.values() for q in qs}
        by_material = {
            material: combine(
                [s.materials[material] for s in suppliers if material in s.materials],
                polarity,
                self.day,
            )
            for material in sorted(materials)
            if any(material in s.materials for s in suppliers)
        }
        return ProductDd(
            trace_id=trace_id,
            parts_name=root.parts_name,
            as_of=self.day,
            materials=sorted(materials),
            suppliers=suppliers,
            by_material=by_material,
            visible_facilities=visible,
            red_flags=flags,
            missing_answers=missing,
            attestations=attestations,
        )

    def _assess_supplier(
        self,
        supplier: SupplierDd,
        trade: Trade,
        request: DdRequest,
        response: DdResponse,
        visiting: frozenset[uuid.UUID],
        flags: list[RedFlag],
        attestations: list[Attestation],
        visible: dict[str, set[str]],
    ) -> None:
        facility_rows = facilities_of(self.session, [response.id])[response.id]
        facts = [
            FacilityFact(f.material, f.facility_id, f.name, f.country, f.status.value, f.valid_to)
            for f in facility_rows
        ]
        cited = {uuid.UUID(e) for a in response.answers for e in a.get("evidence", [])}
        documents = evidence.documents(self.session, cited)
        own = assess(
            self.template_questions(request.template_id),
            request.materials,
            response.answers,
            facts,
            {
                str(k): DocumentFact(d.third_party, d.valid_from, d.valid_to)
                for k, d in documents.items()
            },
            self.day,
        )
        name = supplier.supplier_name
        flags.extend(_with_origin(f, Origin(name)) for f in own.red_flags)
        attestations.extend(
            Attestation(
                d.id,
                d.document_type,
                d.sha256,
                d.third_party,
                d.valid_to,
                d.confidentiality.value,
                Origin(name),
            )
            for d in documents.values()
        )
        for fact in facts:
            visible.setdefault(fact.material, set()).add(fact.key)
        upstream = None
        if trade.upstream_trace_id is not None and trade.upstream_trace_id not in visiting:
            upstream = self.product(
                supplier.supplier_id, trade.upstream_trace_id, visiting | {trade.upstream_trace_id}
            )
        for material, view in own.materials.items():
            parts_of = [view]
            if upstream is not None and material in upstream.by_material:
                parts_of.append(upstream.by_material[material])
            combined = combine(parts_of, self.polarity(), self.day) if len(parts_of) > 1 else view
            combined.missing = view.missing
            supplier.materials[material] = combined
        if upstream is None:
            return
        released = response.release_upstream
        flags.extend(
            _with_origin(f, _seen(f.origin, name).passed_through(name, released=released))
            for f in upstream.red_flags
        )
        attestations.extend(
            Attestation(
                a.evidence_id if released else None,
                a.document_type,
                a.sha256,
                a.third_party,
                a.valid_to,
                None,
                a.origin.passed_through(name, released=released),
            )
            for a in upstream.attestations
        )
        if released:
            for material, keys in upstream.visible_facilities.items():
                visible.setdefault(material, set()).update(keys)


def _seen(origin: Origin | None, name: str) -> Origin:
    return origin if origin is not None else Origin(name)


def _with_origin(flag: RedFlag, origin: Origin) -> RedFlag:
    return replace(flag, origin=origin)


def product_dd(session: Session, *, viewer: OperatorId, trace_id: TraceId, day: date) -> ProductDd:
    """The DD picture of one of the viewer's products (see the module docstring)."""
    if parts.get_own_part(session, caller=viewer, trace_id=trace_id) is None:
        raise errors.NotFound(f"traceId: no part {trace_id} of yours.")
    return _Builder(session, day).product(viewer, trace_id, frozenset({trace_id}))
