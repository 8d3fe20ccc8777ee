"""Delivering queued PACT events (asynchronous answers, requests) and retrying failed pulls,
each attempt in its own short transaction so that one failure never undoes another's work."""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from battrace.interop.state import InteropState
from battrace.pact import events, remote
from battrace.pact.models import OutgoingEvent

log = logging.getLogger("battrace.interop")


def deliver_due(state: InteropState) -> int:
    """Try every event whose time has come; returns how many were delivered."""
    session = state.session(write=True)
    try:
        due = [(e.operator_id, e.id) for e in events.due_events(session)]
    finally:
        session.close()
    delivered = 0
    for key in due:
        session = state.session(write=True)
        try:
            outgoing = session.get(OutgoingEvent, key)
            if outgoing is not None and outgoing.delivered_at is None:
                delivered += events.deliver(session, outgoing=outgoing, transport=state.transport)
            session.commit()
        except Exception:
            session.rollback()
            log.exception("delivering PACT event %s failed", key[1])
        finally:
            session.close()
    return delivered


def retry_pulls(state: InteropState) -> int:
    """Pull again from every host whose back-off has passed; returns successful pulls."""
    session = state.session(write=False)
    try:
        due = [(h.operator_id, h.id) for h in remote.due_hosts(session)]
    finally:
        session.close()
    pulled = 0
    for operator_id, host_id in due:
        session = state.session(write=True)
        try:
            result = remote.pull(
                session, caller=operator_id, host_id=host_id, transport=state.transport
            )
            session.commit()
            pulled += result.ok
        finally:
            session.close()
    return pulled


async def retry_forever(state: InteropState) -> None:
    """Every `retry_seconds`: deliver the queued events that are due and pull again from the
    hosts whose back-off has passed. Runs for the life of the server process."""
    while True:
        await asyncio.sleep(state.retry_seconds)
        try:
            await run_in_threadpool(deliver_due, state)
            await run_in_threadpool(retry_pulls, state)
        except Exception:  # the next round tries again
            log.exception("PACT retries failed")
