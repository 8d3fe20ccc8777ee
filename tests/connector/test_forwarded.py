"""Forwarding headers are trusted only as configured, through a real `battrace serve`.

uvicorn believes `X-Forwarded-For` from loopback by default; a client on the same host could
then claim any address and pass an API key's CIDR allow-list. `battrace serve` turns that off,
and the one place that reads the header is `connector.callers.client_address`, which trusts it
only for `BATTRACE_TRUSTED_PROXY_HOPS` proxies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from battrace.identity import api_keys
from battrace.identity.models import ApplicationAttribute
from battrace.store import Database
from tests.connector.test_crash import Server
from tests.support import DT, A, free_port, wait_until_up

pytestmark = pytest.mark.slow
STARTUP_TIMEOUT = 120.0  # `battrace serve` imports the whole app; the machine may be busy

OFFICE_KEY = "Hardening-Office-Key"  # allows 10.0.0.0/8 only
LOGIN = {"operatorAccountId": A.email, "accountPassword": A.password}


@contextmanager
def battrace_serve(database_url: str, workdir: Path, **env_extra: str) -> Iterator[Server]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("BATTRACE_")}
    env["BATTRACE_DATABASE_URL"] = database_url
    env.update(env_extra)
    log_path = workdir / f"serve-{port}.log"
    command = [sys.executable, "-m", "battrace", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-migrate"]
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        server = Server(process, f"http://127.0.0.1:{port}", log_path)
        try:
            wait_until_up(
                process, f"{server.base_url}{DT}/health", log_path, timeout=STARTUP_TIMEOUT
            )
            yield server
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


@pytest.fixture
def office_key(seeded: Database) -> str:
    with seeded.transaction() as session:
        api_keys.issue_api_key(
            session,
            application_name="office",
            attribute=ApplicationAttribute.APPLICATION,
            cidrs=["10.0.0.0/8"],
            key=OFFICE_KEY,
        )
    return OFFICE_KEY


def _login(server: Server, key: str, forwarded: str | None) -> httpx.Response:
    headers = {"apiKey": key}
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        return client.post("/auth/login", json=LOGIN, headers=headers)


def test_forwarded_for_is_ignored_without_trusted_proxies(
    seeded: Database, office_key: str, tmp_path: Path
) -> None:
    with battrace_serve(seeded.url, tmp_path) as server:
        plain = _login(server, office_key, None)
        assert plain.status_code == 403, plain.text
        assert plain.json()["message"] == "IP address not authorized for this API key"
        claimed = _login(server, office_key, "10.1.2.3")
        assert claimed.status_code == 403, claimed.text
        assert claimed.json()["message"] == "IP address not authorized for this API key"


def test_forwarded_for_is_read_for_the_configured_hops(
    seeded: Database, office_key: str, tmp_path: Path
) -> None:
    with battrace_serve(seeded.url, tmp_path, BATTRACE_TRUSTED_PROXY_HOPS="1") as server:
        through_proxy = _login(server, office_key, "192.0.2.9, 10.1.2.3")
        assert through_proxy.status_code == 201, through_proxy.text
        outside = _login(server, office_key, "10.1.2.3, 192.0.2.9")
        assert outside.status_code == 403, outside.text
