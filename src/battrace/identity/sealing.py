"""Secrets battrace must use again, kept sealed at rest: the operators' private signing keys
and the client secrets of remote PACT hosts (AES-256-GCM).

A sealed value reads `sealed:v1:<key id>:<base64url(nonce + ciphertext)>`. The key comes
from the deployment's secret (`BATTRACE_SECRET_KEYS`: `id:secret` entries, the first seals,
every one opens), stretched with HKDF-SHA256, so rotation is: add a new first entry, re-seal
(`battrace secrets reseal`), drop the old entry. Each value is bound to where it is kept (the
associated data names table, owner and row), so a sealed value copied into another row does
not open. Without configured keys, a random key kept in the database (`server_secrets`, key
id `stored`) seals: that protects nothing against a reader of the database and is meant for
local use; it stays able to open what it sealed after keys are configured, until re-sealed.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from battrace.identity.models import ServerSecret
from battrace.identity.secrets import get_or_create_secret
from battrace.store.engine import Database

PREFIX = "sealed:v1:"
STORED_KID = "stored"
STORED_SECRET = "at-rest-sealing-key"  # the server_secrets row of the key kept in the database
MIN_SECRET_LENGTH = 32
_KID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_NONCE = 12
_SESSION_KEY = "battrace_sealer"


class SealingError(RuntimeError):
    """A sealed value cannot be opened (its key is not configured, or it was altered), or the
    configured keys are malformed: a deployment problem, not a user's."""


def derive_key(secret: str, kid: str) -> bytes:
    """The AES-256 key of one key-ring entry (HKDF-SHA256; the key id is the info)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"battrace at-rest sealing", info=kid.encode()
    ).derive(secret.encode())


@dataclass(frozen=True)
class KeyRing:
    """Keys by id; `current` seals, every key opens."""

    current: str
    keys: Mapping[str, bytes]

    @classmethod
    def from_entries(cls, entries: Sequence[str]) -> KeyRing | None:
        """The ring of `id:secret` entries (None when there are none); SealingError when an
        entry is malformed, a secret short or an id repeated."""
        keys: dict[str, bytes] = {}
        for entry in entries:
            kid, separator, secret = entry.strip().partition(":")
            if not separator or not _KID.match(kid):
                raise SealingError(
                    "BATTRACE_SECRET_KEYS: each entry is <id>:<secret>, the id of letters, "
                    "digits, '_', '.' or '-' (at most 32)."
                )
            if kid == STORED_KID or kid in keys:
                raise SealingError(f"BATTRACE_SECRET_KEYS: key id {kid!r} is reserved or repeated.")
            if len(secret) < MIN_SECRET_LENGTH:
                raise SealingError(
                    f"BATTRACE_SECRET_KEYS: the secret of {kid!r} is shorter than "
                    f"{MIN_SECRET_LENGTH} characters."
                )
            keys[kid] = derive_key(secret, kid)
        if not keys:
            return None
        return cls(current=next(iter(keys)), keys=keys)

    def seal(self, plain: str, *, context: str) -> str:
        nonce = secrets.token_bytes(_NONCE)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plain.encode(), context.encode())
        encoded = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return f"{PREFIX}{self.current}:{encoded}"

    def open(self, sealed: str, *, context: str) -> str:
        kid, body = _parts(sealed)
        key = self.keys.get(kid)
        if key is None:
            raise SealingError(
                f"a value is sealed with key {kid!r}, which is not configured "
                "(BATTRACE_SECRET_KEYS must keep it until `battrace secrets reseal` has run)."
            )
        try:
            plain = AESGCM(key).decrypt(body[:_NONCE], body[_NONCE:], context.encode())
        except InvalidTag:
            raise SealingError(
                f"a value sealed with key {kid!r} does not open: the key's secret differs from "
                "the one that sealed it, or the value was altered or moved."
            ) from None
        return plain.decode()


def new_entry() -> str:
    """A fresh `id:secret` entry for BATTRACE_SECRET_KEYS."""
    return f"k{secrets.token_hex(4)}:{secrets.token_urlsafe(32)}"


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def key_id(sealed: str) -> str:
    return _parts(sealed)[0]


def _parts(sealed: str) -> tuple[str, bytes]:
    if not is_sealed(sealed):
        raise SealingError("a secret kept at rest is not sealed (run the migrations).")
    kid, _, encoded = sealed[len(PREFIX) :].partition(":")
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise SealingError(f"a value sealed with key {kid!r} is damaged.") from None
    if len(body) <= _NONCE:
        raise SealingError(f"a value sealed with key {kid!r} is damaged.")
    return kid, body


def stored_ring(secret: str) -> KeyRing:
    return KeyRing(current=STORED_KID, keys={STORED_KID: derive_key(secret, STORED_KID)})


class Sealer:
    """Seals and opens for one process: the configured ring, and the key kept in the database
    (read on first need, then kept; made when something is sealed without configured keys)."""

    def __init__(self, ring: KeyRing | None) -> None:
        self.ring = ring
        self._stored: KeyRing | None = None
        self._lock = threading.Lock()

    @property
    def current_kid(self) -> str:
        return STORED_KID if self.ring is None else self.ring.current

    def _stored_ring(self, session: Session, *, create: bool) -> KeyRing | None:
        with self._lock:
            if self._stored is not None:
                return self._stored
        if create:
            secret: str | None = get_or_create_secret(session, STORED_SECRET)
        else:
            row = session.get(ServerSecret, STORED_SECRET)
            secret = None if row is None else row.value
        if secret is None:
            return None
        ring = stored_ring(secret)
        with self._lock:
            self._stored = ring
        return ring

    def seal(self, session: Session, plain: str, *, context: str) -> str:
        ring = self.ring or self._stored_ring(session, create=True)
        assert ring is not None  # noqa: S101 (create=True always gives one)
        return ring.seal(plain, context=context)

    def open(self, session: Session, sealed: str, *, context: str) -> str:
        if key_id(sealed) == STORED_KID:
            ring = self._stored_ring(session, create=False)
            if ring is None:
                raise SealingError("a value is sealed with the stored key, which is missing.")
            return ring.open(sealed, context=context)
        if self.ring is None:
            raise SealingError(
                f"a value is sealed with key {key_id(sealed)!r}, but BATTRACE_SECRET_KEYS is unset."
            )
        return self.ring.open(sealed, context=context)

    def reseal(self, session: Session, sealed: str, *, context: str) -> str:
        """The value sealed with the current key (unchanged when it already is)."""
        if key_id(sealed) == self.current_kid:
            return sealed
        return self.seal(session, self.open(session, sealed, context=context), context=context)


def install(database: Database, sealer: Sealer) -> None:
    """Every session of `database` seals and opens with `sealer` (the server and the CLI
    install the configured keys)."""
    database.session_info[_SESSION_KEY] = sealer


def sealer_from(entries: Sequence[str]) -> Sealer:
    return Sealer(KeyRing.from_entries(entries))


def sealer_of(session: Session) -> Sealer:
    """The session's sealer; a session of no server (tests, tools) gets the stored key only."""
    sealer = session.info.get(_SESSION_KEY)
    if not isinstance(sealer, Sealer):
        sealer = Sealer(None)
        session.info[_SESSION_KEY] = sealer
    return sealer


Row = TypeVar("Row")


def reseal_rows(
    session: Session, rows: Iterable[Row], attribute: str, context_of: Callable[[Row], str]
) -> int:
    """Seal `attribute` of every row with the current sealing key (each under its own
    context); how many changed."""
    sealer = sealer_of(session)
    changed = 0
    for row in rows:
        sealed: str = getattr(row, attribute)
        resealed = sealer.reseal(session, sealed, context=context_of(row))
        if resealed != sealed:
            setattr(row, attribute, resealed)
            changed += 1
    session.flush()
    return changed


def seal(session: Session, plain: str, *, context: str) -> str:
    return sealer_of(session).seal(session, plain, context=context)


def open_sealed(session: Session, sealed: str, *, context: str) -> str:
    return sealer_of(session).open(session, sealed, context=context)
