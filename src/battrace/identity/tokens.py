"""Signed JWT access tokens (HS256) and opaque refresh tokens.

Access tokens carry the claims the Ouranos clients read (`operator_id`, `exp`) plus `iat`,
`sub` (the account id), `email` and `iss`. They are verified from the key alone, so API
workers keep no session state. Refresh tokens are random strings stored only as SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import jwt

from battrace.ids import OperatorId
from battrace.store.base import utcnow

ALGORITHM = "HS256"
VERIFIED_TOKENS_KEPT = 10_000


@dataclass(frozen=True)
class TokenClaims:
    operator_id: OperatorId
    account_id: uuid.UUID
    email: str
    issued_at: datetime
    expires_at: datetime
    generation: int = 0  # the account's token generation at issue (see accounts)


@dataclass(frozen=True)
class TokenSigner:
    """Issues and verifies access tokens.

    A verified token's claims are remembered until the token expires: a client sends the
    same token with every request, and checking its signature again would prove nothing new
    (only the clock moves, and expiry is checked on every use). Only tokens that passed
    verification are kept, so forged tokens cannot fill the memory.
    """

    secret: str
    issuer: str
    ttl_seconds: int
    _verified: dict[str, TokenClaims] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def issue(
        self, *, operator_id: uuid.UUID, account_id: uuid.UUID, email: str, generation: int = 0
    ) -> str:
        now = utcnow().replace(microsecond=0)
        payload = {
            "operator_id": str(operator_id),
            "gen": generation,
            "email": email,
            "sub": str(account_id),
            "iss": self.issuer,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self.ttl_seconds)).timestamp()),
        }
        return jwt.encode(payload, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> TokenClaims | None:
        """The token's claims, or None if it is malformed, forged, expired or incomplete."""
        known = self._verified.get(token)
        if known is not None:
            # PyJWT's rule: expired once `exp` is not after now.
            if known.expires_at.timestamp() > time.time():
                return known
            self._verified.pop(token, None)
        claims = self._decode(token)
        if claims is not None:
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                self._verified.clear()
            self._verified[token] = claims
        return claims

    def _decode(self, token: str) -> TokenClaims | None:
        try:
            payload = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "operator_id"]},
            )
            return TokenClaims(
                operator_id=OperatorId(uuid.UUID(str(payload["operator_id"]))),
                account_id=uuid.UUID(str(payload["sub"])),
                email=str(payload.get("email", "")),
                issued_at=datetime.fromtimestamp(int(payload["iat"]), tz=utcnow().tzinfo),
                expires_at=datetime.fromtimestamp(int(payload["exp"]), tz=utcnow().tzinfo),
                generation=int(payload.get("gen", 0)),
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            return None


def new_opaque_token(prefix: str) -> str:
    return f"{prefix}{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
