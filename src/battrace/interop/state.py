"""What the PACT surface needs from the process, handed over by the app assembly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.orm import Session
from starlette.requests import Request

from battrace.pact.hosting import SignatureCache
from battrace.pact.transport import PactTransport
from battrace.state import PageCache


@dataclass
class InteropState:
    session: Callable[..., Session]  # session(write=...) configured like the contract API's
    token_secret: str
    token_ttl_seconds: int
    transport: PactTransport
    public_url: str | None = None  # base URL for links and event sources; None = the request's
    signatures: SignatureCache = field(default_factory=SignatureCache)
    # ListFootprints answers per (client, query), valid for the owner's data version while
    # the client is live (`pact.clients.LIVE_VERSION`, read with `read_scalar`, one
    # statement outside a session: `Database.read_scalar`); no cache without it.
    pages: PageCache = field(default_factory=lambda: PageCache(0))
    read_scalar: Callable[[Executable, Mapping[str, Any]], Any] | None = None
    retry_seconds: float = 30.0  # how often queued events and failed pulls are retried


def interop_state(request: Request) -> InteropState:
    state: InteropState = request.app.state.pact
    return state


def base_url(request: Request) -> str:
    """This host's absolute base URL as the client reached it (scheme, host and port)."""
    state = interop_state(request)
    if state.public_url:
        return state.public_url.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


def jwks_url(request: Request, operator_id: object) -> str:
    return f"{base_url(request)}/pact/operators/{operator_id}/jwks.json"
