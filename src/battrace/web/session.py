"""The web session: a signed cookie carrying the CSRF token and, once logged in, the login it
rests on (an identity login row, so logout and a password change end it at once).

The cookie is an HS256 token under a key of its own, derived from the server's signing key:
a session cookie is never an API token and an API token is never a session. It is HttpOnly,
SameSite=Lax, Secure when the page was served over HTTPS, and expires with the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

import jwt

from battrace.store.base import utcnow

COOKIE = "battrace_session"
LANGUAGE_COOKIE = "battrace_lang"
CSRF_FIELD = "csrf_token"
ANONYMOUS_SECONDS = 24 * 3600
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class WebSession:
    csrf: str
    login_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    email: str = ""
    flash: str = ""  # a catalogue key shown once on the next page
    fresh: bool = False  # not read from the request: the response must set the cookie

    @property
    def logged_in(self) -> bool:
        return self.login_id is not None

    def with_flash(self, key: str) -> WebSession:
        return replace(self, flash=key, fresh=True)

    def without_flash(self) -> WebSession:
        return replace(self, flash="", fresh=True) if self.flash else self


def anonymous() -> WebSession:
    return WebSession(csrf=secrets.token_urlsafe(32), fresh=True)


def logged_in(
    *, login_id: uuid.UUID, operator_id: uuid.UUID, account_id: uuid.UUID, email: str
) -> WebSession:
    """A new session after login: a new CSRF token too, so nothing from before carries over."""
    return WebSession(
        csrf=secrets.token_urlsafe(32),
        login_id=login_id,
        operator_id=operator_id,
        account_id=account_id,
        email=email,
        fresh=True,
    )


def session_key(signing_secret: str) -> str:
    return hmac.new(signing_secret.encode(), b"battrace web sessions", hashlib.sha256).hexdigest()


def encode(session: WebSession, key: str, *, seconds: int) -> str:
    ttl = seconds if session.logged_in else ANONYMOUS_SECONDS
    claims: dict[str, object] = {
        "csrf": session.csrf,
        "exp": int((utcnow() + timedelta(seconds=ttl)).timestamp()),
    }
    if session.logged_in:
        claims |= {
            "sid": str(session.login_id),
            "op": str(session.operator_id),
            "sub": str(session.account_id),
            "email": session.email,
        }
    if session.flash:
        claims["flash"] = session.flash
    return jwt.encode(claims, key, algorithm=_ALGORITHM)


def decode(token: str | None, key: str) -> WebSession | None:
    """The session in a cookie, or None when it is missing, forged or expired."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=[_ALGORITHM], options={"require": ["exp"]})
        csrf = str(claims["csrf"])
        flash = str(claims.get("flash", ""))
        if "sid" not in claims:
            return WebSession(csrf=csrf, flash=flash)
        return WebSession(
            csrf=csrf,
            login_id=uuid.UUID(str(claims["sid"])),
            operator_id=uuid.UUID(str(claims["op"])),
            account_id=uuid.UUID(str(claims["sub"])),
            email=str(claims.get("email", "")),
            flash=flash,
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None


def csrf_matches(session: WebSession, sent: object) -> bool:
    return isinstance(sent, str) and hmac.compare_digest(session.csrf, sent)
