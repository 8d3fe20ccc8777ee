"""`/metrics` of `battrace serve --workers 2` reports the requests of both workers.

Each worker process counts the requests it answers; a scrape reaches one of them. Without
shared figures a scrape would report only that worker's share, and two scrapes in a row could
disagree. With Prometheus' multiprocess mode every scrape reports the sum.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from battrace.migrations import upgrade
from battrace.store import Database
from tests.support import free_port, wait_until_up

pytestmark = pytest.mark.slow
STARTUP_TIMEOUT = 120.0  # two workers import the whole app; the machine may be busy
REQUESTS = 40
COUNT = re.compile(
    r'^battrace_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$', re.M
)


def _healthz_count(base_url: str) -> float:
    # A fresh connection each time, so the scrapes spread over the workers too.
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200
    found = COUNT.search(answer.text)
    return float(found.group(1)) if found else 0.0


def test_every_scrape_reports_the_requests_of_all_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'battrace.db'}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("BATTRACE_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env["BATTRACE_DATABASE_URL"] = url
    command = [sys.executable, "-m", "battrace", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-migrate", "--workers", "2"]
    log_path = tmp_path / "serve.log"
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(process, f"{base_url}/healthz", log_path, timeout=STARTUP_TIMEOUT)
        pids = _both_workers(base_url)
        for _ in range(REQUESTS):
            with httpx.Client(base_url=base_url, timeout=10.0) as client:
                assert client.get("/healthz").status_code == 200
        # The waiting above answered some /healthz too; every later scrape agrees on the sum.
        counts = {_healthz_count(base_url) for _ in range(10)}
        assert len(counts) == 1, counts
        (count,) = counts
        assert count >= REQUESTS
        exposition = httpx.get(f"{base_url}/metrics", timeout=10.0).text
        pool_pids = set(re.findall(r'^battrace_db_pool_size\{pid="(\d+)"\}', exposition, re.M))
        assert pool_pids == pids, (pool_pids, pids)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _both_workers(base_url: str) -> set[str]:
    """Ask until both workers have answered a scrape (their pool gauges carry their pids)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        with httpx.Client(base_url=base_url, timeout=5.0) as client:
            text = client.get("/metrics").text
        pids = set(re.findall(r'^battrace_db_pool_size\{pid="(\d+)"\}', text, re.M))
        if len(pids) == 2:
            return pids
        if time.monotonic() > deadline:
            pytest.fail(f"two workers not seen after {STARTUP_TIMEOUT}s: {pids}")
        time.sleep(0.1)
