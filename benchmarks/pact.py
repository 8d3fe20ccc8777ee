"""PACT benchmark: ListFootprints over HTTPS at 16 clients, pulling N footprints (paged) from
a real `battrace serve`, and the cost of signing and verifying one footprint.

    .venv/bin/python benchmarks/pact.py                       # SQLite, 1,000 footprints
    .venv/bin/python benchmarks/pact.py --backend postgresql --footprints 10000 --workers 2

Targets (issue 17): ListFootprints >= 500 requests/s with p99 <= 100 ms on PostgreSQL with 2
workers; pulling 10,000 footprints within 30 s; signing and verifying <= 1 ms per value.
The footprints are written straight into the tables, shaped as `pact.publishing` leaves them
(one company, one client, N products); the pull goes through the domain's `remote.pull`
(fetch every page, check, verify every signature, store) into a second database.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from _common import free_port, postgres_database, process_tree_cpu, sqlite_database

from battrace.adapters.pact_https import HttpsTransport
from battrace.adapters.tls import make_self_signed
from battrace.cli.seeds import TUTORIAL_COMPANIES, seed_ouranos_tutorial
from battrace.identity import signing
from battrace.migrations import upgrade
from battrace.pact import clients, remote, selection
from battrace.pact.mapping import Envelope, Figures, to_v3, with_signature
from battrace.pact.models import FootprintStatus, PactFootprint, PactPublication
from battrace.store import Database

A, B = TUTORIAL_COMPANIES


def figures(index: int) -> Figures:
    return Figures(
        trace_id=str(uuid.uuid4()),
        product_name=f"cell-{index}",
        product_description=f"cell-{index}",
        company_name="B",
        company_ids=[f"urn:uuid:{B.operator_id}"],
        unit="kilogram",
        pre_emission=f"{1 + index % 7}.125",
        main_emission="4.5",
        own_emission="4.5",
        ter="2",
        ger="2.5",
        tir="3",
        reference_period_start="2025-01-01T00:00:00Z",
        reference_period_end="2026-01-01T00:00:00Z",
        geography_country="JP",
    )


def load(database: Database, count: int) -> tuple[str, str]:
    """Seed, one client of B, `count` footprints published to it; returns the credential."""
    with database.transaction() as session:
        seed_ouranos_tutorial(session)
        issued = clients.issue_client(session, caller=B.operator_id, counterparty_name="bench")
        signing.active_key(session, caller=B.operator_id)
        now = datetime.now(UTC)
        for index in range(count):
            made = figures(index)
            trace_id = uuid.UUID(made.trace_id)
            footprint = PactFootprint(
                operator_id=B.operator_id,
                trace_id=trace_id,
                id=uuid.uuid4(),
                version=0,
                preceding_id=None,
                status=FootprintStatus.ACTIVE,
                digest=f"{index:064x}",
                figures=made.as_json(),
                v2_servable=True,
                created_at=now,
                updated_at=now,
            )
            session.add(footprint)
            selection.index_footprint(session, footprint, made)
            session.add(
                PactPublication(
                    operator_id=B.operator_id, trace_id=trace_id, client_row_id=issued.client.id
                )
            )
        return issued.client.client_id, issued.secret


@contextlib.contextmanager
def serving(url: str, workers: int, cert: Path, key: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "BATTRACE_DATABASE_URL": url}
    with tempfile.NamedTemporaryFile(prefix="battrace-pact-", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "battrace",
                "serve",
                "--no-migrate",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--certfile",
                str(cert),
                "--keyfile",
                str(key),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"https://127.0.0.1:{port}"
    try:
        context = ssl.create_default_context(cafile=str(cert))
        deadline = time.monotonic() + 60
        while True:
            try:
                if (
                    httpx.get(
                        f"{base}/.well-known/openid-configuration", verify=context
                    ).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        time.sleep(1.0 if workers > 1 else 0)  # let every worker come up
        yield base, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log_path.unlink(missing_ok=True)


class Cpu:
    """CPU seconds of the server's processes and of this one (the clients) over a block, and
    the load average at its end: on a shared machine, wall-clock figures alone mislead."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def __enter__(self) -> Cpu:
        self._server = process_tree_cpu(self.server_pid) or 0.0
        self._own = time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server = (process_tree_cpu(self.server_pid) or 0.0) - self._server
        self.own = time.process_time() - self._own
        self.load = os.getloadavg()

    def report(self, units: int, unit: str) -> str:
        load = ", ".join(f"{value:.2f}" for value in self.load)
        return (
            f"server CPU {self.server:.2f} s ({self.server / units * 1000:.2f} ms per {unit}), "
            f"client CPU {self.own:.2f} s; load average {load}"
        )


def list_load(
    base: str,
    server_pid: int,
    cert: Path,
    client_id: str,
    secret: str,
    clients_n: int,
    seconds: float,
) -> None:
    context = ssl.create_default_context(cafile=str(cert))
    token = httpx.post(
        f"{base}/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        verify=context,
    ).json()["access_token"]
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(verify=context, headers={"Authorization": f"Bearer {token}"}) as http:
            http.get(f"{base}/3/footprints?limit=10")  # warm-up: connection and TLS
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = http.get(f"{base}/3/footprints?limit=10")
                mine.append(time.perf_counter() - started)
                bad += response.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=run) for _ in range(clients_n)]
    began = time.monotonic()
    with Cpu(server_pid) as cpu:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99) - 1] if ordered else float("nan")
    print(
        f"ListFootprints (v3, limit=10, signed) at {clients_n} clients over HTTPS: "
        f"{len(latencies) / elapsed:,.0f} requests/s, "
        f"p50 {statistics.median(ordered) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, {errors} errors\n  {cpu.report(len(latencies), 'request')}"
    )


FILTERED = (  # each asked once, so no worker has the answer yet: what a filter costs
    "/3/footprints?limit=10&geography=jp&offset=500",
    "/3/footprints?limit=10&status=Active&validOn=2026-06-01T00:00:00Z&offset=900",
    "/3/footprints?limit=10&companyId=urn:unknown",
    "/2/footprints?limit=10&$filter=pcf/geographyCountry eq 'JP'"
    " and created ge '2020-01-01T00:00:00Z'",
)


def filtered(base: str, cert: Path, client_id: str, secret: str) -> None:
    context = ssl.create_default_context(cafile=str(cert))
    token = httpx.post(
        f"{base}/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        verify=context,
    ).json()["access_token"]
    with httpx.Client(verify=context, headers={"Authorization": f"Bearer {token}"}) as http:
        http.get(f"{base}/3/footprints?limit=1")  # connection and TLS
        for path in FILTERED:
            started = time.perf_counter()
            response = http.get(f"{base}{path}")
            elapsed = (time.perf_counter() - started) * 1000
            found = len(response.json()["data"]) if response.status_code == 200 else "-"
            print(
                f"filtered, first time: {path}: {response.status_code}, {found} footprints, "
                f"{elapsed:.1f} ms"
            )


def pull(
    base: str,
    server_pid: int,
    cert: Path,
    client_id: str,
    secret: str,
    url: str,
    page_size: int,
) -> None:
    database = Database(url)
    try:
        with database.transaction() as session:
            seed_ouranos_tutorial(session)
            host = remote.add_host(
                session,
                caller=A.operator_id,
                name="bench",
                base_url=base,
                client_id=client_id,
                client_secret=secret,
                ca_file=str(cert),
            )
            host_id = host.id
        transport = HttpsTransport()
        try:
            started = time.perf_counter()
            with Cpu(server_pid) as cpu, database.transaction() as session:
                result = remote.pull(
                    session,
                    caller=A.operator_id,
                    host_id=host_id,
                    transport=transport,
                    page_size=page_size,
                )
            elapsed = time.perf_counter() - started
        finally:
            transport.close()
        if not result.ok:
            raise SystemExit(f"pull failed: {result.error}")
        print(
            f"pull {result.stored:,} footprints (limit {page_size}, verified, stored): "
            f"{elapsed:.2f} s\n  {cpu.report(result.stored, 'footprint')}"
        )
    finally:
        database.dispose()


def sign_verify(url: str, rounds: int) -> None:
    database = Database(url)
    try:
        with database.transaction() as session:
            sign = signing.signer(session, caller=B.operator_id)
            key_set = signing.jwks(session, operator_id=B.operator_id)
    finally:
        database.dispose()
    moment = datetime.now(UTC)
    document = to_v3(Envelope(uuid.uuid4(), 0, None, "Active", moment, moment), figures(1))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        jws = sign(document)
    signed_ms = (time.perf_counter() - wall) / rounds * 1000
    signed_cpu = (time.process_time() - cpu) / rounds * 1000
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        if not signing.verify_value(document, jws, key_set).verified:
            raise SystemExit("verification failed")
    verified_ms = (time.perf_counter() - wall) / rounds * 1000
    verified_cpu = (time.process_time() - cpu) / rounds * 1000
    with_signature(dict(document), jws=jws, signer="B", jwks_url="https://x")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"sign one footprint: {signed_ms:.3f} ms (CPU {signed_cpu:.3f} ms); "
        f"verify: {verified_ms:.3f} ms (CPU {verified_cpu:.3f} ms); {rounds} rounds; "
        f"load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--footprints", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    database_of = sqlite_database if args.backend == "sqlite" else postgres_database
    with (
        tempfile.TemporaryDirectory() as directory,
        database_of() as host_url,
        database_of() as pull_url,
    ):
        cert, key = make_self_signed(Path(directory), hosts=("127.0.0.1",))
        for url in (host_url, pull_url):
            database = Database(url)
            upgrade(database.engine)
            database.dispose()
        database = Database(host_url)
        started = time.perf_counter()
        client_id, secret = load(database, args.footprints)
        database.dispose()
        loaded = time.perf_counter() - started
        print(
            f"{args.backend}: {args.footprints:,} footprints loaded in {loaded:.1f} s; "
            f"{args.workers} workers"
        )
        sign_verify(host_url, 1000)
        with serving(host_url, args.workers, cert, key) as (base, pid):
            list_load(base, pid, cert, client_id, secret, args.clients, args.seconds)
            filtered(base, cert, client_id, secret)
            pull(base, pid, cert, client_id, secret, pull_url, args.page_size)


if __name__ == "__main__":
    main()
