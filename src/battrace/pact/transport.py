"""What the PACT domain needs from the network, as a protocol the surface implements.

Domain code never speaks HTTP: a pull or an event delivery receives a `PactTransport`
(`battrace.interop.remote` is the HTTPS one) and gets back plain JSON values or a
`TransportError` whose message says what went wrong in words a user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

Json = dict[str, Any]
# Retries: 5 s, 10 s, 20 s ... capped at an hour; events are given up after 72 h (the spec).
FIRST_RETRY = timedelta(seconds=5)
MAX_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=72)


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones in a row (exponential)."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_RETRY)


@dataclass(frozen=True)
class HostAccess:
    """How to reach and authenticate at one remote PACT host."""

    base_url: str
    auth_base_url: str | None
    client_id: str
    client_secret: str
    spec_version: int
    ca_file: str | None = None


class TransportError(Exception):
    """The remote host could not be reached, refused us, or answered something invalid."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PactTransport(Protocol):
    def fetch_footprints(self, host: HostAccess, *, page_size: int) -> list[Json]:
        """Every footprint the host lists for us, following `Link: rel="next"`."""
        ...

    def fetch_json(self, host: HostAccess, url: str) -> Json:
        """A JSON document (a JWKS) from the host, over the same TLS settings."""
        ...

    def post_event(self, host: HostAccess, url: str, event: Json) -> None:
        """Deliver a CloudEvent to a host's events endpoint, authenticated."""
        ...
