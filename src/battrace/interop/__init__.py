"""PACT interop surface: a PACT host (v2.3 at `/2`, v3.0 at `/3`, OAuth2 at `/auth/token`)
and client for exchanging product footprints with other data spaces. Storage and rules live
in `battrace.pact`; this package speaks HTTP and nothing else. It imports no other surface.
"""

from __future__ import annotations

from fastapi import FastAPI

from battrace.interop.state import InteropState


def install(app: FastAPI, state: InteropState) -> None:
    """Mount the PACT host on `app`, with the session factory and secrets `state` names."""
    from battrace.interop import auth, host  # noqa: PLC0415

    app.state.pact = state
    app.include_router(auth.router)
    app.include_router(host.router)


async def run_retries(state: InteropState) -> None:
    """The background loop retrying queued events and failed pulls (`interop.delivery`)."""
    from battrace.interop.delivery import retry_forever  # noqa: PLC0415

    await retry_forever(state)
