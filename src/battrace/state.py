"""The per-process state of a battrace server: settings, the database, the token signer,
the certificate file store, and the short-lived caches; built once by `battrace.app`.

Every surface reads it from the ASGI app (`state_of(request)`). A unit of work is one
transaction: `reading()` / `writing()` (context managers; a lost write race raises
`RaceLost`) or `read(work)` / `write(work)` (the latter retries a lost race).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from starlette.requests import Request

from battrace.identity import accounts, api_keys, passwords, sealing
from battrace.identity.api_keys import ApiKeyGrant
from battrace.identity.secrets import JWT_SECRET, get_or_create_secret
from battrace.identity.tokens import TokenClaims, TokenSigner
from battrace.ids import OperatorId, TraceId
from battrace.settings import Settings
from battrace.store import version
from battrace.store.engine import Database
from battrace.traceability import certificates, totals_hook

log = logging.getLogger("battrace")
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
ATTEMPTS = 3  # runs of a unit of work that keeps losing write races


def build_state(settings: Settings, database: Database | None = None) -> AppState:
    """The state of one server process (`database`: an engine the caller owns, for tests)."""
    passwords.configure(
        time_cost=settings.password_time_cost, memory_kib=settings.password_memory_kib
    )
    db = database or Database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
    sealing.install(db, sealing.sealer_from(settings.secret_keys))
    secret = settings.jwt_secret
    if secret is None:
        with db.transaction() as session:
            secret = get_or_create_secret(session, JWT_SECRET)
    signer = TokenSigner(secret, settings.token_issuer, settings.access_token_ttl_seconds)
    store: certificates.FileStore = (
        certificates.DirectoryFileStore(settings.certificate_dir)
        if settings.certificate_dir is not None
        else certificates.DatabaseFileStore()
    )
    return AppState(
        settings=settings,
        db=db,
        signer=signer,
        file_store=store,
        grants=GrantCache(settings.api_key_cache_seconds),
        generations=TtlCache(settings.api_key_cache_seconds),
        login_failures=FailureThrottle(
            settings.login_rate_failures, settings.login_rate_window_seconds
        ),
        cfp_rows=CfpRowCache(settings.cfp_cache_entries),
        pages=PageCache(settings.parts_cache_entries),
        footprints=PageCache(settings.footprint_cache_entries),
        passport_pages=StampedCache(settings.passport_cache_entries),
    )


@dataclass
class AppState:
    """Everything the surfaces need, built once by `build_state`."""

    settings: Settings
    db: Database
    signer: TokenSigner
    file_store: certificates.FileStore
    grants: GrantCache = field(default_factory=lambda: GrantCache(0))
    generations: TtlCache[uuid.UUID, int] = field(default_factory=lambda: TtlCache(0))
    login_failures: FailureThrottle = field(default_factory=lambda: FailureThrottle(0, 0))
    cfp_rows: CfpRowCache = field(default_factory=lambda: CfpRowCache(0))
    pages: PageCache = field(default_factory=lambda: PageCache(0))
    footprints: PageCache = field(default_factory=lambda: PageCache(0))
    passport_pages: StampedCache = field(default_factory=lambda: StampedCache(0))

    def session(self, *, write: bool = False) -> Session:
        return self.db.session(write=write)

    def data_version(self, operator: uuid.UUID) -> int:
        """The operator's committed data version (`store.version`); read it before the data
        a cached answer for that operator holds."""
        return version.read(self.db, operator)

    def read(self, work: Callable[[Session], T]) -> T:
        with self.reading() as session:
            return work(session)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session; closing it ends the transaction (loaded rows stay readable)."""
        session = self.session()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction, committed (with the data version raised) when the block
        ends. A race with another writer raises `RaceLost`: whoever owns the whole unit of
        work runs it again from the start (`write`, or the API's route wrapper)."""
        session = self.session(write=True)
        try:
            yield session
            # The settlement first (it names the operators whose totals it changes), then the
            # version rows, last: their locks are held only for the commit.
            totals_hook.settle_if_touched(
                session,
                disclose_by_default=self.settings.disclose_by_default,
                budget=self.settings.totals_settle_budget,
            )
            version.bump(session)
            session.commit()
        except (IntegrityError, OperationalError) as exc:
            session.rollback()
            if _is_retryable(exc):
                raise RaceLost(exc) from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def write(self, work: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
        """Run `work` in one transaction and commit; a race is retried from the start."""
        for attempt in range(1, attempts + 1):
            try:
                with self.writing() as session:
                    return work(session)
            except RaceLost as lost:
                if attempt == attempts:
                    raise lost.cause from None
                lost.log()
        raise AssertionError  # pragma: no cover (the loop returns or raises)


class RaceLost(Exception):
    """A write lost a race (a unique key, a deadlock, a lock timeout); the whole unit of
    work may be run again. `cause` is the database's error."""

    def __init__(self, cause: IntegrityError | OperationalError) -> None:
        super().__init__(str(cause))
        self.cause = cause

    def log(self) -> None:
        log.info("retrying a write after %s", type(self.cause.orig).__name__)


class TtlCache(Generic[K, V]):
    """Values found in the database kept for a few seconds, so a request costs no look-up:
    API keys' grants, accounts' token generations.

    Only values that exist are kept (random guesses cannot fill memory); a change made by
    another process takes effect within `ttl_seconds` (this process `forget`s what it
    changes). 0 turns the cache off.
    """

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def forget(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def get(self, key: K, load: Callable[[], V | None]) -> V | None:
        if self.ttl <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        found = load()
        if found is not None:
            with self._lock:
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[key] = (now + self.ttl, found)
        return found


GrantCache = TtlCache[str, ApiKeyGrant]


def peer_address(request: Request, trusted_proxy_hops: int) -> str | None:
    """The client's address: the peer's, or, behind `trusted_proxy_hops` proxies, the address
    the outermost trusted one reports (X-Forwarded-For); None when they report fewer hops."""
    if trusted_proxy_hops > 0:
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [p for p in forwarded if p]
        return forwarded[-trusted_proxy_hops] if len(forwarded) >= trusted_proxy_hops else None
    return request.client.host if request.client else None


def login_throttle_keys(client: str | None, email: str) -> tuple[Hashable, Hashable]:
    """The keys a login failure counts under in `AppState.login_failures`: the client and the
    account, the same for the API and the web."""
    return ("client", client), ("account", email.casefold())


class FailureThrottle:
    """Failed logins per key (a client address, an account) within a sliding window: once a
    key has `limit` failures in the last `window_seconds`, `allows` says no until the oldest
    ages out. In memory, per process: the account lockout in the database is the bound that
    holds across workers; this one stops one client hammering the password check."""

    def __init__(self, limit: int, window_seconds: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._failures: dict[Hashable, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: Hashable, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, ()) if t > now - self.window]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def allows(self, *keys: Hashable) -> bool:
        if self.limit <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            return all(len(self._recent(key, now)) < self.limit for key in keys)

    def failed(self, *keys: Hashable) -> None:
        if self.limit <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= self.max_keys:
                self._failures.clear()
            for key in keys:
                self._failures[key] = [*self._recent(key, now), now]


class VersionedCache:
    """Entries valid for one data version (`store/version.py`), kept per worker.

    Each entry is filed under the version of the operator it was computed for (the caller),
    and served only to a request that read the same version: callers read the version first
    (`AppState.data_version`), then the data, so an entry is never older than its version.
    A write committed by another worker is seen by the next request here. `max_entries` 0
    turns the cache off.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[int, Any]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def _lookup(self, seen_version: int, keys: list[Hashable]) -> dict[Hashable, Any]:
        found: dict[Hashable, Any] = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                found[key] = entry[1] if entry is not None and entry[0] == seen_version else None
        return found

    def _store(self, seen_version: int, values: dict[Hashable, Any]) -> None:
        with self._lock:
            if len(self._entries) + len(values) > self.max_entries:
                self._entries.clear()
            for key, value in values.items():
                self._entries[key] = (seen_version, value)


class CfpRowCache(VersionedCache):
    """GET cfp's rows per (caller, traceId), valid for one data version.

    A product's rows depend on its whole upstream chain, so they are costly to compute and
    cheap to keep. What `compute` gives per trace id is kept as it is (GET cfp keeps each
    product's rows as JSON).
    """

    def rows(
        self,
        session: Session,
        *,
        caller: OperatorId,
        trace_ids: list[TraceId],
        compute: Callable[[list[TraceId]], dict[TraceId, list[Any]]],
        seen_version: int | None = None,
    ) -> list[Any]:
        """`seen_version`: the data version the caller read before; read here if None."""
        if not self.enabled:
            computed = compute(trace_ids)
            return [row for trace_id in trace_ids for row in computed.get(trace_id, [])]
        if seen_version is None:
            seen_version = version.current(session, caller)
        cached = self._lookup(seen_version, [(caller, t) for t in trace_ids])
        found = {t: cached[(caller, t)] for t in trace_ids}
        missing = [t for t, rows in found.items() if rows is None]
        if missing:
            computed = compute(missing)
            for trace_id in missing:
                found[trace_id] = computed.get(trace_id, [])
            self._store(seen_version, {(caller, t): found[t] for t in missing})
        return [row for trace_id in trace_ids for row in found[trace_id] or []]


class PageCache(VersionedCache):
    """Whole GET answers (JSON and the next page's cursor) per (caller, query)."""

    def page(self, seen_version: int, key: Hashable, compute: Callable[[], T]) -> T:
        found: T | None = self._lookup(seen_version, [key])[key]
        if found is None:
            found = compute()
            self._store(seen_version, {key: found})
        return found


class StampedCache:
    """Answers kept per worker, each under the stamp (a tuple of version numbers) of what it
    was made from; served only to a request that read the same stamp just before. When full,
    the oldest entries make room (a resolver's visitors spread over many passports, so
    clearing everything at once would keep the cache cold). `max_entries` 0 turns it off."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[Hashable, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, stamp: Hashable) -> Any:  # noqa: ANN401 (what was put)
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == stamp else None

    def put(self, key: Hashable, stamp: Hashable, answer: object) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries.pop(key, None)
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = (stamp, answer)


def _is_retryable(exc: IntegrityError | OperationalError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    text = str(exc.orig).lower()
    return any(word in text for word in ("deadlock", "serializ", "locked", "could not obtain"))


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.battrace
    return state


def find_grant(state: AppState, key: str) -> ApiKeyGrant | None:
    """The grant of an API key, through the per-process cache."""
    return state.grants.get(key, lambda: state.read(lambda s: api_keys.find_grant(s, key)))


def verify_access_token(state: AppState, token: str) -> TokenClaims | None:
    """The claims of a valid access token: signed by us, not expired, and not revoked (its
    generation is the account's current one; logout and a password change raise that)."""
    claims = state.signer.verify(token)
    if claims is None:
        return None
    current = state.generations.get(
        claims.account_id,
        lambda: state.read(lambda s: accounts.token_generation(s, claims.account_id)),
    )
    if current is None or claims.generation < current:
        return None
    return claims
