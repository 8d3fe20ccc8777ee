"""Runtime settings, read once from the environment (prefix ``BATTRACE_``) by the app factory.

Nothing here is a module-level singleton: ``create_app(settings)`` and the CLI build a
``Settings`` and pass it down, so tests can run several differently configured apps at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_database_url() -> str:
    """The embedded default: a SQLite file in the working directory."""
    return f"sqlite:///{Path.cwd() / 'battrace.db'}"


class Settings(BaseSettings):
    """Everything an operator of a battrace server may tune."""

    model_config = SettingsConfigDict(env_prefix="BATTRACE_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    # Connections each server process keeps open, and how many more it may open under load
    # (per process: several workers multiply them; see docs/operations.md).
    database_pool_size: int = 20
    database_max_overflow: int = 20
    host: str = "127.0.0.1"
    port: int = 8000

    # Token signing. When unset, a random secret is created once and kept in the database,
    # so every worker process over the same database verifies the same tokens.
    jwt_secret: str | None = None
    # Keys sealing the secrets battrace keeps and must use again (operators' private signing
    # keys, remote PACT hosts' client secrets): `id:secret` entries, comma-separated, the
    # first seals, all open (`identity.sealing`; rotation in docs/operations.md). Unset: a
    # key kept in the database, for local use only.
    secret_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    access_token_ttl_seconds: int = 3600
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    token_issuer: str = "battrace"

    # API-key client address check (the contract's CIDR allow-list). Switchable, because
    # the reference seeds allow only IPv4 and local clients often arrive over ::1.
    ip_check: bool = True
    # How many reverse proxies in front of us append to X-Forwarded-For. 0 = use the peer.
    trusted_proxy_hops: int = 0

    # Seconds a known API key's grant is kept in memory (0 = look it up on every request).
    api_key_cache_seconds: float = 10.0

    # GET cfp results kept per worker, valid until the next write (0 = compute every time).
    cfp_cache_entries: int = 50_000
    # GET parts pages (about 40 kB each) kept per worker, valid until the next write (0 = off).
    parts_cache_entries: int = 1_000
    # Footprint pages' results (a product's roll-up, its charts, its HTML report) kept per
    # worker, valid until the next write (0 = off); one entry of a 20,000-part product holds
    # tens of MB, so keep this small.
    footprint_cache_entries: int = 16
    # PACT ListFootprints answers (a page of signed footprints, up to a few hundred kB) kept
    # per worker per (client, query), valid until the owner's next write (0 = off).
    pact_page_cache_entries: int = 256
    # The public resolver's answers (one passport in one format and language, a few kB each)
    # kept per worker until the passport, its model or its operator changes (0 = off).
    passport_cache_entries: int = 20_000

    # Browser clients served from other origins (the reference web client, for one).
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # CFP certificates: a directory, or None to keep file contents in the database.
    certificate_dir: Path | None = None
    certificate_max_bytes: int = 10 * 1024 * 1024
    upload_url_ttl_seconds: int = 900
    # Request bodies: JSON at most max_body_bytes, files (workbooks, documents, assurance
    # lists) at most upload_max_bytes; larger ones are refused with 413 before they are read.
    max_body_bytes: int = 4 * 1024 * 1024
    upload_max_bytes: int = 20 * 1024 * 1024
    # Base URL put in upload / download links; None = the URL the request came in on.
    public_url: str | None = None
    # The value `/keyId` answers (the reference BFF answers its KMS key id).
    key_id: str = "battrace-local"

    # Disclosure when a supplier has not decided for a customer yet. The reference dummy
    # discloses everything, and the reference tutorial depends on that; a production
    # deployment that wants "withheld until released" sets this to false.
    disclose_by_default: bool = True
    # Battery passport access (Art. 77(2)): which access groups each role reads, attribute
    # group overrides and the interests a grant may name, as JSON (`battrace.passport.access.
    # policy_from_json`); unset: the Regulation's reading.
    passport_access_policy: str | None = None
    # Stored part totals (`traceability.totals`): a write that affects more parts than this
    # drops their stored totals instead of recomputing them before it commits, and the server
    # stores them again in the background, looking for such work every refill seconds.
    totals_settle_budget: int = 5_000
    totals_refill_seconds: float = 2.0
    # PUT /dataReset (as in the reference) wipes the caller's own traceability data; for test
    # deployments only, so it is off unless configured (BATTRACE_DATA_RESET=true).
    data_reset: bool = False

    # argon2id cost (RFC 9106's second recommended option by default: t=3, m=64 MiB).
    password_time_cost: int = 3
    password_memory_kib: int = 65536

    # The server's log: JSON lines on stdout (one per request, see operations.access), at this
    # level (debug, info, warning, error).
    log_level: str = "info"

    # Login throttling: this many failures lock an account for lockout_seconds.
    login_max_failures: int = 5
    login_lockout_seconds: int = 300
    # Per process, per client address and per account: this many failed logins within the
    # window refuse further attempts (429) until the oldest ages out. 0 = no limit.
    login_rate_failures: int = 20
    login_rate_window_seconds: float = 60.0

    # How long a web application session lasts (its login row lives refresh_token_ttl_seconds).
    web_session_seconds: int = 8 * 3600

    @field_validator("cors_origins", "secret_keys", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
