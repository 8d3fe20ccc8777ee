"""Remote PACT hosts of a company's suppliers: adding one, pulling its footprints (all
pages, checked, stored in one go or not at all), the retry state, and using a received
footprint as the answer for one of the company's bought-in parts.

A footprint answers a part through the traceability service that registers a part's CFP
(`traceability.cfp.register_cfp`): the supplier's cradle-to-gate figure becomes the part's
component rows (what comes from suppliers; own rows 0), so the roll-up takes it like any
other value; `FootprintAnswer` keeps where it came from and whether it was verified.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.identity import sealing
from battrace.ids import OperatorId, TraceId, new_id
from battrace.pact import exchange_log
from battrace.pact.mapping import V3_UNITS, stages_of
from battrace.pact.models import FootprintAnswer, ReceivedFootprint, RemoteHost
from battrace.pact.received import SignatureCheck, SignatureChecker, shape_error, version_of
from battrace.pact.transport import HostAccess, Json, PactTransport, TransportError, backoff
from battrace.store.base import utcnow
from battrace.traceability import cfp
from battrace.traceability.cfp import CfpRowWrite, CfpSetWrite
from battrace.traceability.models import Part, PartEdge, Trade
from battrace.traceability.stages import COMPONENT, PRODUCTION, Dqr, Stage
from battrace.traceability.trades import OPEN_STATES

QUANTUM = Decimal("0.00001")


def https_url(url: str, field: str) -> str:
    """A PACT base URL: absolute HTTPS, no query; trailing slash dropped."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise InvalidRequest(
            f"{field}: give an absolute https:// URL (PACT is served over HTTPS only)."
        )
    return url.strip().rstrip("/")


def add_host(
    session: Session,
    *,
    caller: uuid.UUID,
    name: str,
    base_url: str,
    client_id: str,
    client_secret: str,
    spec_version: int = 3,
    auth_base_url: str | None = None,
    ca_file: str | None = None,
) -> RemoteHost:
    """Register a supplier's PACT host with the credentials the supplier issued."""
    if spec_version not in (2, 3):
        raise InvalidRequest("specVersion: 2 or 3.")
    if not name.strip() or not client_id or not client_secret:
        raise InvalidRequest("name, client id and client secret are required.")
    host_id = new_id()
    host = RemoteHost(
        operator_id=caller,
        id=host_id,
        name=name.strip()[:256],
        base_url=https_url(base_url, "base URL"),
        auth_base_url=None if not auth_base_url else https_url(auth_base_url, "auth base URL"),
        spec_version=spec_version,
        client_id=client_id,
        client_secret=sealing.seal(session, client_secret, context=seal_context(caller, host_id)),
        ca_file=ca_file or None,
        attempts=0,
        created_at=utcnow(),
    )
    session.add(host)
    session.flush()
    record_event(
        session,
        action=AuditAction.PACT_HOST_ADD,
        actor=caller,
        target_type="pact_host",
        target_id=host.id,
        change={"name": host.name, "baseUrl": host.base_url},
    )
    return host


def seal_context(operator_id: uuid.UUID, host_id: uuid.UUID) -> str:
    """Where a host's client secret is kept (the sealed value opens only there)."""
    return f"pact_remote_hosts.client_secret:{operator_id}:{host_id}"


def access(session: Session, host: RemoteHost) -> HostAccess:
    """How to reach the host, its client secret opened."""
    secret = sealing.open_sealed(
        session, host.client_secret, context=seal_context(host.operator_id, host.id)
    )
    return HostAccess(
        base_url=host.base_url,
        auth_base_url=host.auth_base_url,
        client_id=host.client_id,
        client_secret=secret,
        spec_version=host.spec_version,
        ca_file=host.ca_file,
    )


def reseal_secrets(session: Session) -> int:
    """Seal every remote host's client secret with the current sealing key; how many changed."""
    return sealing.reseal_rows(
        session,
        session.scalars(select(RemoteHost)),
        "client_secret",
        lambda host: seal_context(host.operator_id, host.id),
    )


def get_host(session: Session, *, caller: uuid.UUID, host_id: uuid.UUID) -> RemoteHost:
    host = session.get(RemoteHost, (caller, host_id))
    if host is None:
        raise NotFound(f"remote host {host_id} was not found.")
    return host


def list_hosts(session: Session, *, caller: uuid.UUID) -> list[RemoteHost]:
    return list(
        session.scalars(
            select(RemoteHost)
            .where(RemoteHost.operator_id == caller)
            .order_by(RemoteHost.created_at)
        )
    )


def host_for_url(session: Session, *, caller: uuid.UUID, url: str) -> RemoteHost | None:
    """The caller's remote host whose base URL `url` lies under (for event callbacks)."""
    for host in list_hosts(session, caller=caller):
        if url == host.base_url or url.startswith(host.base_url + "/"):
            return host
    return None


@dataclass(frozen=True)
class PullResult:
    ok: bool
    stored: int
    error: str | None
    next_attempt_at: datetime | None = None


def _fail(session: Session, host: RemoteHost, message: str) -> PullResult:
    host.attempts += 1
    host.last_error = message
    host.next_attempt_at = utcnow() + backoff(host.attempts)
    exchange_log.record(
        session,
        operator_id=host.operator_id,
        direction="out",
        action="pull",
        counterparty=host.name,
        ok=False,
        detail=message,
    )
    return PullResult(False, 0, message, host.next_attempt_at)


def pull(
    session: Session,
    *,
    caller: uuid.UUID,
    host_id: uuid.UUID,
    transport: PactTransport,
    page_size: int = 100,
) -> PullResult:
    """Fetch every footprint the host lists for the caller, check them all, then store them
    all. On any failure nothing is stored; the host's retry state and the log say why."""
    host = get_host(session, caller=caller, host_id=host_id)
    host_access = access(session, host)
    try:
        documents = transport.fetch_footprints(host_access, page_size=page_size)
    except TransportError as exc:
        return _fail(session, host, exc.message)
    for document in documents:
        problem = shape_error(document)
        if problem is not None:
            return _fail(session, host, f"invalid body: {problem}")
    checker = SignatureChecker(transport, host_access)
    checks = [checker.check(document) for document in documents]
    stored = _store(session, host, documents, checks)
    host.attempts = 0
    host.last_error = None
    host.next_attempt_at = None
    host.last_pulled_at = utcnow()
    failed = sum(1 for check in checks if check.state == "failed")
    exchange_log.record(
        session,
        operator_id=caller,
        direction="out",
        action="pull",
        counterparty=host.name,
        ok=True,
        detail=f"{stored} footprints" + (f", {failed} failed signature checks" if failed else ""),
    )
    return PullResult(True, stored, None)


def _store(
    session: Session, host: RemoteHost, documents: list[Json], checks: list[SignatureCheck]
) -> int:
    existing = {
        row.pf_id: row
        for row in session.scalars(
            select(ReceivedFootprint).where(
                ReceivedFootprint.operator_id == host.operator_id,
                ReceivedFootprint.host_id == host.id,
            )
        )
    }
    now = utcnow()
    for document, check in zip(documents, checks, strict=True):
        pf_id = uuid.UUID(str(document["id"]))
        row = existing.get(pf_id)
        if row is None:
            row = ReceivedFootprint(operator_id=host.operator_id, host_id=host.id, pf_id=pf_id)
            session.add(row)
            existing[pf_id] = row
        row.spec_version = str(document["specVersion"])
        version = document.get("version")
        row.version = version if isinstance(version, int) else None
        row.status = str(document["status"])
        row.company_name = str(document["companyName"])[:256]
        row.product_name = str(document["productNameCompany"])[:1000]
        row.document = document
        row.signature = check.state
        row.signature_note = check.note
        row.fetched_at = now
    session.flush()
    return len(documents)


def store_received(
    session: Session, *, host: RemoteHost, documents: list[Json], transport: PactTransport
) -> int:
    """Store footprints a host sent in an event (RequestFulfilled): checked like a pull."""
    for document in documents:
        problem = shape_error(document)
        if problem is not None:
            raise InvalidRequest(f"invalid footprint: {problem}")
    checker = SignatureChecker(transport, access(session, host))
    return _store(session, host, documents, [checker.check(d) for d in documents])


def due_hosts(session: Session, *, now: datetime | None = None) -> list[RemoteHost]:
    """Hosts whose last pull failed and whose back-off has passed (every company)."""
    moment = now or utcnow()
    return list(
        session.scalars(
            select(RemoteHost).where(RemoteHost.attempts > 0, RemoteHost.next_attempt_at <= moment)
        )
    )


def received_footprints(
    session: Session, *, caller: uuid.UUID, host_id: uuid.UUID | None = None
) -> list[ReceivedFootprint]:
    query = select(ReceivedFootprint).where(ReceivedFootprint.operator_id == caller)
    if host_id is not None:
        query = query.where(ReceivedFootprint.host_id == host_id)
    return list(
        session.scalars(query.order_by(ReceivedFootprint.fetched_at, ReceivedFootprint.pf_id))
    )


def _per_part_unit(document: Json, part_unit: str) -> Decimal:
    """The footprint's pCF per one amount unit of the part; InvalidRequest if units differ."""
    pcf = document["pcf"]
    if version_of(document) == 2:
        declared = str(pcf["declaredUnit"])
        value = Decimal(str(pcf["pCfExcludingBiogenic"]))
        if V3_UNITS.get(part_unit) == declared:
            return value
        if part_unit == "unit":  # one piece of the part is one product
            return value * Decimal(str(pcf["unitaryProductAmount"]))
    else:
        declared = str(pcf["declaredUnitOfMeasurement"])
        value = Decimal(str(pcf["pcfExcludingBiogenicUptake"]))
        amount = Decimal(str(pcf["declaredUnitAmount"]))
        if V3_UNITS.get(part_unit) == declared:
            return value / amount
    raise InvalidRequest(
        f"the footprint is declared per {declared!r}, the part is counted in {part_unit!r}."
    )


def _ratings(document: Json) -> Dqr:
    dqi = (document.get("pcf") or {}).get("dqi")
    if not isinstance(dqi, dict):
        return Dqr.empty()

    def rating(name: str) -> Decimal | None:
        value = dqi.get(name)
        return None if value is None else Decimal(str(value)).quantize(QUANTUM)

    return Dqr(rating("technologicalDQR"), rating("geographicalDQR"), rating("temporalDQR"))


def answer_part(
    session: Session,
    *,
    caller: uuid.UUID,
    trace_id: uuid.UUID,
    host_id: uuid.UUID,
    pf_id: uuid.UUID,
) -> FootprintAnswer:
    """Use a received footprint as the CFP of one of the caller's bought-in parts."""
    part = session.get(Part, (caller, trace_id))
    if part is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    has_children = session.scalar(
        select(PartEdge.child_trace_id)
        .where(PartEdge.operator_id == caller, PartEdge.parent_trace_id == trace_id)
        .limit(1)
    )
    if has_children is not None:
        raise InvalidRequest(f"traceId: {trace_id} has a structure; answer its bought-in parts.")
    if part.amount_required_unit is None:
        raise InvalidRequest(f"traceId: {trace_id} has no amount unit.")
    if session.scalar(
        select(Trade.id).where(
            Trade.downstream_operator_id == caller,
            Trade.downstream_trace_id == trace_id,
            Trade.cfp_response_status.in_(OPEN_STATES),
        )
    ):
        raise InvalidRequest(
            f"traceId: {trace_id} has an open request to a supplier on this platform; "
            "its answer takes precedence: cancel the request to use a PACT footprint."
        )
    received = session.get(ReceivedFootprint, (caller, host_id, pf_id))
    if received is None:
        raise NotFound(f"footprint {pf_id} was not received from that host.")
    document = received.document
    per_unit = _per_part_unit(document, part.amount_required_unit.value)
    split = stages_of(document)
    # PACT states cradle to gate only: without battrace's split, all of it is upstream.
    has_split = split is not None and sum(split) > 0
    pre = per_unit * split[0] / sum(split) if split is not None and has_split else per_unit
    pre = pre.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
    main = (per_unit.quantize(QUANTUM, rounding=ROUND_HALF_EVEN) - pre).max(Decimal(0))
    dqr = _ratings(document)
    stored = cfp.own_rows(session, owner=caller, trace_id=TraceId(trace_id))
    rows = [
        CfpRowWrite(PRODUCTION[Stage.PRE], Decimal(0), Dqr.empty()),
        CfpRowWrite(COMPONENT[Stage.PRE], pre, dqr),
        CfpRowWrite(PRODUCTION[Stage.MAIN], Decimal(0), Dqr.empty()),
        CfpRowWrite(COMPONENT[Stage.MAIN], main, dqr),
    ]
    cfp.register_cfp(
        session,
        caller=OperatorId(caller),
        cfp_set=CfpSetWrite(
            trace_id=TraceId(trace_id),
            cfp_id=stored[0].cfp_id if stored else None,
            unit=f"kgCO2e/{part.amount_required_unit.value}",
            rows=rows,
        ),
    )
    answer = session.get(FootprintAnswer, (caller, trace_id))
    if answer is None:
        answer = FootprintAnswer(operator_id=caller, trace_id=trace_id)
        session.add(answer)
    answer.host_id = host_id
    answer.pf_id = pf_id
    answer.pf_version = received.version
    answer.verified = received.signature == "verified"
    answer.answered_at = utcnow()
    session.flush()
    record_event(
        session,
        action=AuditAction.PACT_ANSWER_PART,
        actor=caller,
        target_type="part",
        target_id=trace_id,
        change={"host": str(host_id), "pfId": str(pf_id), "verified": answer.verified},
    )
    return answer


def answers(
    session: Session, *, caller: uuid.UUID, trace_ids: list[uuid.UUID] | None = None
) -> list[FootprintAnswer]:
    """Which of the caller's parts a PACT footprint answers, and whether it was verified:
    the provenance of the contributions a roll-up takes from PACT."""
    query = select(FootprintAnswer).where(FootprintAnswer.operator_id == caller)
    if trace_ids is not None:
        query = query.where(FootprintAnswer.trace_id.in_(trace_ids))
    return list(session.scalars(query))
