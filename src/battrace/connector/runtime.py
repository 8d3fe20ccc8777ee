"""What every contract endpoint shares: the app's state, authentication, transactions, and
the wrapper that turns any error into the contract's error body.

Authentication follows the reference pipeline in order: client address, `apiKey` header,
key lookup, address allow-list, `Authorization: Bearer`, token verification. API-key errors
are `[auth]` errors even on data endpoints, as in the reference.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from battrace import errors
from battrace.connector.errors import (
    AUTHENTICATION_REQUIRED,
    INVALID_KEY,
    INVALID_TOKEN,
    IP_NOT_AUTHORIZED,
    NO_PRIVILEGES,
    OUTER_SERVICE,
    UNEXPECTED,
    ContractError,
    RequestContext,
    Source,
    contract_error_response,
    domain_error_response,
)
from battrace.identity import api_keys
from battrace.identity.api_keys import ApiKeyGrant
from battrace.identity.tokens import TokenSigner
from battrace.settings import Settings
from battrace.store import version
from battrace.store.engine import Database
from battrace.traceability import certificates, disclosure, totals

log = logging.getLogger("battrace.connector")
T = TypeVar("T")


@dataclass
class AppState:
    """Everything the endpoints need, built once by `create_app`."""

    settings: Settings
    db: Database
    signer: TokenSigner
    file_store: certificates.FileStore
    grants: GrantCache = field(default_factory=lambda: GrantCache(0))
    cfp_rows: CfpRowCache = field(default_factory=lambda: CfpRowCache(0))
    pages: PageCache = field(default_factory=lambda: PageCache(0))

    def session(self, *, write: bool = False) -> Session:
        session = self.db.session(write=write)
        certificates.use_file_store(session, self.file_store)
        disclosure.use_default_policy(session, disclose=self.settings.disclose_by_default)
        totals.use_budget(session, self.settings.totals_settle_budget)
        return session

    def data_version(self) -> int:
        """The committed data version; read it before the data a cached answer holds."""
        return version.read(self.db)

    def read(self, work: Callable[[Session], T]) -> T:
        session = self.session()
        try:
            return work(session)
        finally:
            session.close()  # ends the transaction; loaded rows stay readable

    def write(self, work: Callable[[Session], T], *, attempts: int = 3) -> T:
        """Run `work` in one transaction and commit; a race is retried from the start."""
        for attempt in range(1, attempts + 1):
            session = self.session(write=True)
            try:
                result = work(session)
                version.bump(session)
                session.commit()
            except (IntegrityError, OperationalError) as exc:
                session.rollback()
                if attempt == attempts or not _is_retryable(exc):
                    raise
                log.info("retrying a write after %s", type(exc.orig).__name__)
            except BaseException:
                session.rollback()
                raise
            else:
                return result
            finally:
                session.close()
        raise AssertionError  # pragma: no cover (the loop returns or raises)


class GrantCache:
    """Known API keys' grants for a few seconds, so a request costs no key look-up.

    Only keys that exist are kept (random guesses cannot fill memory); a revoked or changed
    key takes effect within `ttl_seconds`. 0 turns the cache off.
    """

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, ApiKeyGrant]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], ApiKeyGrant | None]) -> ApiKeyGrant | None:
        if self.ttl <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        grant = load()
        if grant is not None:
            with self._lock:
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[key] = (now + self.ttl, grant)
        return grant


class VersionedCache:
    """Entries valid for one data version (`store/version.py`), kept per worker.

    Every committed API write raises the data version, so an entry of an older version is
    never served: callers read the version first (`AppState.data_version`), then the data,
    so an entry is never older than the version it is filed under. A write committed by
    another worker is seen by the next request here. `max_entries` 0 turns the cache off.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._version = -1
        self._entries: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def _lookup(self, seen_version: int, keys: list[Hashable]) -> dict[Hashable, Any]:
        with self._lock:
            if seen_version != self._version:
                self._entries.clear()
                self._version = seen_version
            return {key: self._entries.get(key) for key in keys}

    def _store(self, seen_version: int, values: dict[Hashable, Any]) -> None:
        with self._lock:
            if len(self._entries) + len(values) > self.max_entries:
                self._entries.clear()
            if self._version == seen_version:
                self._entries.update(values)


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
        caller: uuid.UUID,
        trace_ids: list[uuid.UUID],
        compute: Callable[[list[uuid.UUID]], dict[uuid.UUID, list[Any]]],
        seen_version: int | None = None,
    ) -> list[Any]:
        """`seen_version`: the data version the caller read before; read here if None."""
        if not self.enabled:
            computed = compute(trace_ids)
            return [row for trace_id in trace_ids for row in computed.get(trace_id, [])]
        if seen_version is None:
            seen_version = version.current(session)
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


def _is_retryable(exc: IntegrityError | OperationalError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    text = str(exc.orig).lower()
    return any(word in text for word in ("deadlock", "serializ", "locked", "could not obtain"))


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.battrace
    return state


@dataclass(frozen=True)
class Caller:
    """The verified operator behind a request."""

    operator_id: uuid.UUID
    account_id: uuid.UUID
    grant: ApiKeyGrant


def client_address(request: Request, settings: Settings) -> str | None:
    hops = settings.trusted_proxy_hops
    if hops > 0:
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
        raise ContractError(403, Source.AUTH, IP_NOT_AUTHORIZED)
    return request.client.host if request.client else None


def check_api_key(request: Request, state: AppState, *, header: str = "apikey") -> ApiKeyGrant:
    """The grant of the request's API key. Raises ContractError 403 as the reference does."""
    address = client_address(request, state.settings)
    key = request.headers.get(header)
    if not key:
        raise ContractError(403, Source.AUTH, NO_PRIVILEGES)
    grant = state.grants.get(key, lambda: state.read(lambda s: api_keys.find_grant(s, key)))
    if grant is None:
        raise ContractError(403, Source.AUTH, INVALID_KEY)
    if state.settings.ip_check and not grant.allows_address(address):
        raise ContractError(403, Source.AUTH, IP_NOT_AUTHORIZED)
    return grant


def bearer_token(request: Request) -> str:
    value = request.headers.get("authorization", "")
    if not value.startswith("Bearer ") or len(value) <= len("Bearer "):
        raise ContractError(401, Source.AUTH, AUTHENTICATION_REQUIRED)
    return value[len("Bearer ") :]


def authenticate(
    request: Request, state: AppState, context: RequestContext, *, header: str = "apikey"
) -> Caller:
    """API key, then bearer token. Sets the operator id that error details report."""
    grant = check_api_key(request, state, header=header)
    claims = state.signer.verify(bearer_token(request))
    if claims is None:
        raise ContractError(401, Source.AUTH, INVALID_TOKEN)
    if not grant.allows_operator(claims.operator_id):
        raise ContractError(403, Source.AUTH, NO_PRIVILEGES)
    context.operator_id = str(claims.operator_id)
    request.state.operator_id = claims.operator_id  # for the request log (operations.access)
    return Caller(claims.operator_id, claims.account_id, grant)


Endpoint = Callable[[Request, RequestContext, bytes], Response]


async def answer(
    request: Request,
    context: RequestContext,
    source: Source,
    endpoint: Endpoint,
    *,
    track: bool = False,
) -> Response:
    """Run a (blocking) endpoint in a worker thread; turn every failure into the contract's
    error body."""
    try:
        body = await request.body()
        response = await run_in_threadpool(endpoint, request, context, body)
    except ContractError as exc:
        response = contract_error_response(exc.status, exc.source, exc.message, context, exc.detail)
    except errors.BattraceError as exc:
        response = domain_error_response(exc, source, context)
    except OperationalError:
        log.exception("database unavailable")
        response = contract_error_response(503, source, OUTER_SERVICE, context)
    except Exception:
        log.exception("unexpected error")
        response = contract_error_response(500, source, UNEXPECTED, context)
    if track and response.status_code < 400:
        # The reference sets X-Track on every data success (empty in its dummy); battrace
        # puts a request id there, which its logs carry too.
        response.headers["X-Track"] = getattr(request.state, "request_id", None) or str(
            uuid.uuid4()
        )
    return response
