"""Short-lived signed links to one certificate file (like presigned storage URLs): whoever
holds one may send or fetch that one file until it expires, and nothing else."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt
from starlette.requests import Request

from battrace import errors
from battrace.identity.secrets import derive_key
from battrace.state import AppState
from battrace.store.base import utcnow


def _link_key(state: AppState) -> str:
    """A key of its own for file links, derived from the token key: a link is never a token."""
    return derive_key(state.signer.secret, "battrace file links")


def signed_link(
    state: AppState, request: Request, *, action: str, owner: uuid.UUID, file_id: uuid.UUID
) -> str:
    """`<public url>/files/<file id>?token=…`, valid for `upload_url_ttl_seconds`."""
    expires = utcnow() + timedelta(seconds=state.settings.upload_url_ttl_seconds)
    token = jwt.encode(
        {"act": action, "own": str(owner), "fid": str(file_id), "exp": int(expires.timestamp())},
        _link_key(state),
        algorithm="HS256",
    )
    return f"{link_base(state, request)}/files/{file_id}?token={token}"


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def link_base(state: AppState, request: Request) -> str:
    """`BATTRACE_PUBLIC_URL`; without it, the URL the request came in on, but only when its
    `Host` names this server (a loopback name or the bind address): a link built from any
    Host a client sends would send the file to whoever the client named."""
    if state.settings.public_url:
        return state.settings.public_url.rstrip("/")
    host = request.url.hostname or ""
    if host not in LOOPBACK_NAMES and host != state.settings.host:
        raise errors.InvalidRequest(
            "Host: not a name of this server; links need BATTRACE_PUBLIC_URL to be set."
        )
    return str(request.base_url).rstrip("/")


def read_link(state: AppState, token: str | None, action: str, file_id: uuid.UUID) -> uuid.UUID:
    """The owner of the file a valid link for `action` on `file_id` names."""
    try:
        claims = jwt.decode(
            token or "",
            _link_key(state),
            algorithms=["HS256"],
            options={"require": ["exp", "act", "own", "fid"]},
        )
    except jwt.PyJWTError as exc:
        raise errors.AccessDenied("the link is invalid or has expired.") from exc
    if claims["act"] != action or claims["fid"] != str(file_id):
        raise errors.AccessDenied("the link is invalid or has expired.")
    return uuid.UUID(claims["own"])
