"""Operators' signing keys and detached signatures over values that leave a company.

Each operator signs with its own Ed25519 key (JWS `EdDSA`). The payload is the value's
canonical form (RFC 8785), and the signature is a detached compact JWS (RFC 7515 appendix
F: `header..signature`), so the value travels unchanged and the signature beside it. Public
keys are published as a JWKS per operator; rotating makes a new key and retires the old one,
which stays in the JWKS so that earlier signatures still verify.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.identity import sealing
from battrace.identity.canonical import canonical_json
from battrace.identity.models import Operator, SigningKey
from battrace.store.base import utcnow

ALGORITHM = "EdDSA"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal_context(operator_id: uuid.UUID, kid: str) -> str:
    """Where a private key is kept (the sealed value opens only there)."""
    return f"signing_keys.private_key:{operator_id}:{kid}"


def _new_key(session: Session, operator_id: uuid.UUID) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    seed = private.private_bytes_raw()
    kid = f"{operator_id.hex[:8]}-{secrets.token_hex(6)}"
    return SigningKey(
        operator_id=operator_id,
        kid=kid,
        private_key=sealing.seal(session, _b64(seed), context=seal_context(operator_id, kid)),
        public_key=_b64(public),
        created_at=utcnow(),
    )


def reseal_keys(session: Session) -> int:
    """Seal every operator's private keys with the current sealing key; how many changed."""
    return sealing.reseal_rows(
        session,
        session.scalars(select(SigningKey)),
        "private_key",
        lambda key: seal_context(key.operator_id, key.kid),
    )


def active_key(session: Session, *, caller: uuid.UUID) -> SigningKey:
    """The caller's current signing key, made on first use."""
    key = session.scalar(
        select(SigningKey)
        .where(SigningKey.operator_id == caller, SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
        .limit(1)
    )
    if key is None:
        key = _new_key(session, caller)
        session.add(key)
        session.flush()
    return key


def rotate_key(session: Session, *, caller: uuid.UUID) -> SigningKey:
    """Retire the caller's current key (kept for verification) and start a new one."""
    now = utcnow()
    for key in session.scalars(
        select(SigningKey).where(SigningKey.operator_id == caller, SigningKey.retired_at.is_(None))
    ):
        key.retired_at = now
    key = _new_key(session, caller)
    session.add(key)
    session.flush()
    record_event(
        session,
        action=AuditAction.SIGNING_ROTATE,
        actor=caller,
        target_type="signing_key",
        target_id=key.kid,
    )
    return key


def jwks(session: Session, *, operator_id: uuid.UUID) -> dict[str, Any]:
    """The operator's public keys, current and retired, as a JWK Set (RFC 7517, OKP keys)."""
    keys = session.scalars(
        select(SigningKey)
        .where(SigningKey.operator_id == operator_id)
        .order_by(SigningKey.created_at)
    )
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": key.public_key,
                "kid": key.kid,
                "alg": ALGORITHM,
                "use": "sig",
            }
            for key in keys
        ]
    }


def sign_value(session: Session, *, caller: uuid.UUID, value: Any) -> str:  # noqa: ANN401
    """A detached compact JWS over the canonical form of `value`, by the caller's key."""
    return str(signer(session, caller=caller)(value))


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a signature: `verified`, or the reason it failed."""

    verified: bool
    kid: str | None
    reason: str

    @property
    def label(self) -> str:
        return "verified" if self.verified else "failed"


def verify_value(value: Any, signature: str, key_set: dict[str, Any]) -> Verification:  # noqa: ANN401
    """Check a detached JWS over `value` against a JWK Set. Pure: no database, no network."""
    header = _protected_header(signature)
    if header is None:
        return Verification(False, None, "the signature is not a JWS")
    kid = header.get("kid")
    if header.get("alg") != ALGORITHM:
        return Verification(False, kid, f"unexpected algorithm {header.get('alg')!r}")
    keys = [k for k in key_set.get("keys", []) if isinstance(k, dict) and k.get("kid") == kid]
    if not keys:
        return Verification(False, kid, f"no published key {kid!r}")
    try:
        public = Ed25519PublicKey.from_public_bytes(_unb64(str(keys[0].get("x", ""))))
    except ValueError:
        return Verification(False, kid, f"published key {kid!r} is not an Ed25519 key")
    try:
        jwt.api_jws.decode_complete(
            signature, public, algorithms=[ALGORITHM], detached_payload=canonical_json(value)
        )
    except jwt.exceptions.InvalidSignatureError:
        return Verification(False, kid, "the value does not match its signature (changed?)")
    except jwt.exceptions.PyJWTError as exc:
        return Verification(False, kid, f"the signature cannot be checked: {exc}")
    return Verification(True, kid, "verified")


def _protected_header(signature: str) -> dict[str, Any] | None:
    """The JWS header, read only to pick the key (`decode_complete` checks it again, with the
    signature); read here rather than with `jwt.get_unverified_header`, which would parse and
    check the whole JWS a second time for every value verified."""
    encoded, dot, _ = signature.partition(".")
    if not dot:
        return None
    try:
        header = json.loads(_unb64(encoded))
    except (ValueError, UnicodeDecodeError):
        return None
    return header if isinstance(header, dict) else None


def signer_name(session: Session, *, operator_id: uuid.UUID) -> str:
    operator = session.get(Operator, operator_id)
    return operator.name if operator is not None else str(operator_id)


def signer(session: Session, *, caller: uuid.UUID) -> Any:  # noqa: ANN401 (a callable)
    """A function signing values with the caller's current key (the key read once)."""
    key = active_key(session, caller=caller)
    seed = sealing.open_sealed(session, key.private_key, context=seal_context(caller, key.kid))
    private = Ed25519PrivateKey.from_private_bytes(_unb64(seed))
    kid = key.kid

    def sign(value: Any) -> str:  # noqa: ANN401
        return jwt.api_jws.encode(
            canonical_json(value),
            private,
            algorithm=ALGORITHM,
            headers={"kid": kid},
            is_payload_detached=True,
        )

    return sign
