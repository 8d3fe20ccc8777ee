"""PACT events (CloudEvents 1.0, structured JSON): requests for footprints, their
asynchronous answers, and notices of published footprints, for v2 and v3.

Incoming: a RequestCreated from a client is stored and answered at once with the
footprints published to that client that match it (Fulfilled) or a Rejected when none do;
the answer goes to the outbox, addressed to the requester's own events endpoint, and is
delivered after the request is acknowledged (`deliver_due`, with back-off for 72 h).
A Fulfilled or Rejected for a request the company sent closes that request and stores the
footprints as received from the host it was sent to.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import InvalidRequest, NotFound
from battrace.ids import new_id
from battrace.pact import exchange_log, hosting, remote, selection
from battrace.pact.filters import Criteria
from battrace.pact.models import (
    IncomingRequest,
    OutgoingEvent,
    PactClient,
    RemoteHost,
    SentRequest,
)
from battrace.pact.transport import GIVE_UP_AFTER, PactTransport, TransportError, backoff
from battrace.store.base import utcnow

Json = dict[str, Any]
TYPES = {
    2: {
        "created": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
        "fulfilled": "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
        "rejected": "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1",
        "published": "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
    },
    3: {
        "created": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "fulfilled": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
        "rejected": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
        "published": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
    },
}
_REQUIRED = ("type", "specversion", "id", "source", "time", "data")


def kind_of(version: int, event_type: str) -> str | None:
    return next((kind for kind, name in TYPES[version].items() if name == event_type), None)


def events_url(source: str, version: int) -> str:
    """Where to answer a request whose CloudEvent `source` is `source`; InvalidRequest when
    it names no HTTPS host."""
    text = source.strip()
    if text.startswith("//"):
        text = "https:" + text
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidRequest(f"source: {source!r} is not an https:// URL to answer to.")
    path = parts.path.rstrip("/")
    suffix = f"/{version}/events"
    if not path.endswith(suffix):
        path += suffix
    return f"https://{parts.netloc}{path}"


def _cloud_event(
    version: int, kind: str, source: str, data: Json, event_id: str | None = None
) -> Json:
    return {
        "type": TYPES[version][kind],
        "specversion": "1.0",
        "id": event_id or str(new_id()),
        "source": source,
        "time": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": data,
    }


def check_envelope(event: Any) -> Json:  # noqa: ANN401 (untrusted JSON)
    if not isinstance(event, dict):
        raise InvalidRequest("the body is not a CloudEvent object.")
    missing = [name for name in _REQUIRED if name not in event]
    if missing:
        raise InvalidRequest(f"the event lacks {', '.join(missing)}.")
    if event.get("specversion") != "1.0":
        raise InvalidRequest("specversion: only CloudEvents 1.0 is accepted.")
    if not isinstance(event["data"], dict):
        raise InvalidRequest("data: an object is required.")
    return event


def receive(
    session: Session,
    *,
    client: PactClient,
    version: int,
    event: Any,  # noqa: ANN401
    own_base_url: str,
    jwks_url: str | None,
    transport: PactTransport | None = None,
) -> str:
    """Accept one event from a client; returns its kind. InvalidRequest when malformed."""
    body = check_envelope(event)
    kind = kind_of(version, str(body["type"]))
    if kind is None:
        raise InvalidRequest(f"type: {body['type']!r} is not a PACT v{version} event type.")
    data = body["data"]
    if kind == "created":
        _request_created(session, client, version, body, own_base_url, jwks_url)
    elif kind == "published":
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids:
            raise InvalidRequest("data.pfIds: a non-empty list of footprint ids is required.")
        for value in ids:
            try:
                uuid.UUID(str(value))
            except ValueError:
                raise InvalidRequest(f"data.pfIds: {value!r} is not a UUID.") from None
        exchange_log.record(
            session,
            operator_id=client.operator_id,
            direction="in",
            action="published",
            counterparty=client.counterparty_name,
            ok=True,
            detail=", ".join(map(str, ids)),
        )
    else:
        _answer_received(session, client, kind, data, transport)
    return kind


def _request_created(
    session: Session,
    client: PactClient,
    version: int,
    body: Json,
    own_base_url: str,
    jwks_url: str | None,
) -> None:
    data = body["data"]
    target = events_url(str(body["source"]), version)
    if version == 2:
        fragment = data.get("pf")
        if not isinstance(fragment, dict):
            raise InvalidRequest("data.pf: a ProductFootprint fragment is required.")
        criteria = Criteria.from_query(
            [("productId", str(p)) for p in fragment.get("productIds") or []]
            + [("companyId", str(c)) for c in fragment.get("companyIds") or []]
        )
    else:
        criteria = Criteria.from_event_data(data)
    event_id = str(body["id"])
    if session.get(IncomingRequest, (client.operator_id, event_id)) is not None:
        return  # a repeated delivery of the same event: answered already
    request = IncomingRequest(
        operator_id=client.operator_id,
        event_id=event_id,
        client_row_id=client.id,
        spec_version=version,
        source=str(body["source"]),
        criteria={k: list(v) for k, v in criteria.values.items()},
        received_at=utcnow(),
    )
    session.add(request)
    found = hosting.matching_footprints(
        session,
        client=client,
        version=version,
        condition=selection.v3_condition(criteria),
        jwks_url=jwks_url,
    )
    if found:
        request.answer = "fulfilled"
        answer = _cloud_event(
            version, "fulfilled", own_base_url, {"requestEventId": event_id, "pfs": found}
        )
    else:
        request.answer = "rejected"
        code = "NoSuchFootprint" if version == 2 else "NotFound"
        answer = _cloud_event(
            version,
            "rejected",
            own_base_url,
            {
                "requestEventId": event_id,
                "error": {"code": code, "message": "No published footprint matches the request."},
            },
        )
    host = remote.host_for_url(session, caller=client.operator_id, url=target)
    _queue(session, client.operator_id, answer, target, None if host is None else host.id, version)
    exchange_log.record(
        session,
        operator_id=client.operator_id,
        direction="in",
        action="request",
        counterparty=client.counterparty_name,
        ok=True,
        detail=f"{request.answer}: {len(found)} footprints",
    )


def _answer_received(
    session: Session,
    client: PactClient,
    kind: str,
    data: Mapping[str, Any],
    transport: PactTransport | None,
) -> None:
    try:
        request_id = uuid.UUID(str(data.get("requestEventId")))
    except ValueError:
        raise InvalidRequest(
            "data.requestEventId: the id of a request we sent is required."
        ) from None
    sent = session.get(SentRequest, (client.operator_id, request_id))
    if sent is None:
        raise NotFound(f"No request {request_id} was sent.")
    host = remote.get_host(session, caller=client.operator_id, host_id=sent.host_id)
    if kind == "fulfilled":
        documents = data.get("pfs")
        if not isinstance(documents, list) or not documents or transport is None:
            raise InvalidRequest("data.pfs: a non-empty list of footprints is required.")
        stored = remote.store_received(session, host=host, documents=documents, transport=transport)
        detail = f"{stored} footprints"
    else:
        error = data.get("error")
        detail = str(error.get("message") if isinstance(error, dict) else error)
    sent.answer = kind
    sent.answer_detail = detail
    sent.answered_at = utcnow()
    exchange_log.record(
        session,
        operator_id=client.operator_id,
        direction="in",
        action=f"request {kind}",
        counterparty=host.name,
        ok=True,
        detail=detail,
    )


def send_request(
    session: Session,
    *,
    caller: uuid.UUID,
    host_id: uuid.UUID,
    criteria: Mapping[str, list[str]],
    own_base_url: str,
    comment: str = "",
) -> SentRequest:
    """Queue a RequestCreated to a supplier's host; the answer arrives on our events."""
    host = remote.get_host(session, caller=caller, host_id=host_id)
    version = host.spec_version
    if version == 2:
        data: Json = {
            "pf": {"productIds": list(criteria.get("productId", []))}
            if criteria.get("productId")
            else {"companyIds": list(criteria.get("companyId", []))},
            "comment": comment,
        }
    else:
        data = {name: list(values) for name, values in criteria.items()}
        data["comment"] = comment
    event = _cloud_event(version, "created", own_base_url, data)
    sent = SentRequest(
        operator_id=caller,
        event_id=uuid.UUID(event["id"]),
        host_id=host.id,
        criteria={k: list(v) for k, v in criteria.items()},
        sent_at=utcnow(),
    )
    session.add(sent)
    _queue(session, caller, event, f"{host.base_url}/{version}/events", host.id, version)
    session.flush()
    return sent


def _queue(
    session: Session,
    operator_id: uuid.UUID,
    event: Json,
    target_url: str,
    host_id: uuid.UUID | None,
    version: int,
) -> None:
    """Put an event in the outbox, due now (`deliver` sends it, with back-off on failure)."""
    now = utcnow()
    session.add(
        OutgoingEvent(
            operator_id=operator_id,
            id=uuid.UUID(event["id"]),
            target_url=target_url,
            host_id=host_id,
            spec_version=version,
            event=event,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def due_events(session: Session, *, now: datetime | None = None) -> list[OutgoingEvent]:
    moment = now or utcnow()
    return list(
        session.scalars(
            select(OutgoingEvent)
            .where(
                OutgoingEvent.delivered_at.is_(None),
                OutgoingEvent.given_up_at.is_(None),
                OutgoingEvent.next_attempt_at <= moment,
            )
            .order_by(OutgoingEvent.next_attempt_at)
        )
    )


def deliver(session: Session, *, outgoing: OutgoingEvent, transport: PactTransport) -> bool:
    """Try to deliver one queued event; on failure schedule the next try (or give up)."""
    now = utcnow()
    host = (
        None
        if outgoing.host_id is None
        else session.get(RemoteHost, (outgoing.operator_id, outgoing.host_id))
    )
    counterparty = outgoing.target_url if host is None else host.name
    try:
        if host is None:
            raise TransportError(
                f"no credentials for {outgoing.target_url}: add that host as a remote host"
            )
        transport.post_event(remote.access(session, host), outgoing.target_url, outgoing.event)
    except TransportError as exc:
        outgoing.attempts += 1
        outgoing.last_error = exc.message
        if now - outgoing.created_at >= GIVE_UP_AFTER:
            outgoing.given_up_at = now
        else:
            outgoing.next_attempt_at = now + backoff(outgoing.attempts)
        exchange_log.record(
            session,
            operator_id=outgoing.operator_id,
            direction="out",
            action=str(outgoing.event.get("type", "event")).rsplit(".", 2)[-2],
            counterparty=counterparty,
            ok=False,
            detail=exc.message,
        )
        return False
    outgoing.delivered_at = now
    outgoing.last_error = None
    exchange_log.record(
        session,
        operator_id=outgoing.operator_id,
        direction="out",
        action=str(outgoing.event.get("type", "event")).rsplit(".", 2)[-2],
        counterparty=counterparty,
        ok=True,
    )
    return True


def outbox(session: Session, *, caller: uuid.UUID) -> list[OutgoingEvent]:
    return list(
        session.scalars(
            select(OutgoingEvent)
            .where(OutgoingEvent.operator_id == caller)
            .order_by(OutgoingEvent.created_at.desc())
        )
    )
