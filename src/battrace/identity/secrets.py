"""Server-wide secrets kept in the database, created on first use (the token signing key)."""

from __future__ import annotations

import hashlib
import hmac
import secrets as _random

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from battrace.identity.models import ServerSecret

JWT_SECRET = "jwt-signing-key"


def get_or_create_secret(session: Session, name: str) -> str:
    """The secret called `name`; made once, and the first writer wins a race between workers."""
    row = session.get(ServerSecret, name)
    if row is not None:
        return row.value
    value = _random.token_urlsafe(48)
    try:
        with session.begin_nested():
            session.add(ServerSecret(name=name, value=value))
    except IntegrityError:
        row = session.get(ServerSecret, name)
        if row is None:
            raise
        return row.value
    return value


def derive_key(secret: str, purpose: str) -> str:
    """A key of its own for one `purpose`, derived from `secret` (HMAC-SHA256, hex): what it
    signs never verifies as what `secret` or another purpose's key signs, and rotating
    `secret` rotates it too. `purpose` names the use ("battrace file links")."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def replace_secret(session: Session, name: str) -> None:
    """Give the secret called `name` a new random value (rotation): servers started after the
    commit use it; what the old value signed stops verifying there."""
    row = session.get(ServerSecret, name)
    value = _random.token_urlsafe(48)
    if row is None:
        session.add(ServerSecret(name=name, value=value))
    else:
        row.value = value
