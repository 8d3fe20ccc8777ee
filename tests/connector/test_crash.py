"""Crash durability: SIGKILL the server during a burst of writes; after a restart every
acknowledged write is there and no CFP set is partial.

A real uvicorn process serves the database the `database` fixture prepared (a copy of the
migrated SQLite file, or the truncated PostgreSQL test database). Client threads fire
`PUT parts`, `PUT cfp` (4-row sets, create) and `PUT partsStructure` at it over loopback;
once every kind of write has been acknowledged and the burst has run for a while, the
server gets SIGKILL with requests in flight. A second server on the same database must then
return every write that was answered with a 2xx, as it was answered, and the database must
hold only whole CFP sets (0 or 4 rows per part).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from battrace.cli.seeds import APPLICATION_KEY
from battrace.store import Database
from battrace.traceability.models import CfpValue
from tests.support import DT, A, cfp_set, free_port, part, wait_until_up

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

KINDS = ("parts", "cfp", "partsStructure")
WORKERS_PER_KIND = 2
CFP_TARGETS_PER_WORKER = 50  # far more than a worker writes before the kill (max 50)
MAX_WRITES_PER_WORKER = 1000
MIN_ACKS_PER_KIND = 2  # the kill waits for this many acknowledged writes of every kind ...
KILL_AFTER = 0.075  # ... and for this many seconds of burst
BURST_TIMEOUT = 10.0
STARTUP_TIMEOUT = (
    60.0  # a busy 2-core machine starts a server slowly; a healthy one answers in ~1 s
)
SUPPORT = "crash"

Json = dict[str, Any]


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _wait_healthy(server: Server) -> None:
    wait_until_up(
        server.process, f"{server.base_url}{DT}/health", server.log_path, timeout=STARTUP_TIMEOUT
    )


@contextmanager
def running_server(database_url: str, workdir: Path, name: str) -> Iterator[Server]:
    """A `uvicorn` process serving battrace on a free loopback port; always killed at the end."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("BATTRACE_")}
    env["BATTRACE_DATABASE_URL"] = database_url
    log_path = workdir / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "battrace.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
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
            _wait_healthy(server)
            yield server
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _login_a(client: httpx.Client) -> dict[str, str]:
    response = client.post(
        "/auth/login",
        json={"operatorAccountId": A.email, "accountPassword": A.password},
        headers={"apiKey": APPLICATION_KEY},
    )
    assert response.status_code == 201, response.text
    return {"apiKey": APPLICATION_KEY, "Authorization": f"Bearer {response.json()['accessToken']}"}


def _put(client: httpx.Client, target: str, body: object) -> Json:
    response = client.put(f"{DT}?dataTarget={target}", json=body)
    assert response.status_code == 201, response.text
    result: Json = response.json()
    return result


def _put_plant(client: httpx.Client) -> str:
    response = client.put(
        "/api/v1/authInfo?dataTarget=plant",
        json={
            "openPlantId": "1234567890123099999",
            "operatorId": str(A.operator_id),
            "plantAddress": "xx県",
            "plantId": None,
            "plantName": "クラッシュ工場",
            "plantAttribute": {},
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["plantId"])


# ---------------------------------------------------------------------------- the burst


@dataclass
class Ack:
    kind: str
    sent: Any
    answer: Any


@dataclass
class Burst:
    """What the client threads saw. Only writes answered with a 2xx are acknowledged."""

    go: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: list[Ack] = field(default_factory=list)
    per_kind: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)  # connection errors: the server died
    failures: list[str] = field(default_factory=list)  # anything else is a bug

    def ack(self, kind: str, sent: object, answer: object) -> None:
        with self.lock:
            self.acks.append(Ack(kind, sent, answer))
            self.per_kind[kind] += 1

    def lose(self, kind: str, exc: Exception) -> None:
        with self.lock:
            self.lost.append(f"{kind}: {type(exc).__name__}: {exc}")

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    def snapshot(self) -> tuple[int, Counter[str], int]:
        with self.lock:
            return len(self.acks), Counter(self.per_kind), len(self.failures)


def _writer(
    burst: Burst, base_url: str, headers: dict[str, str], kind: str, bodies: Iterable[object]
) -> None:
    """Send `bodies` one after another until the server goes away; never raises."""
    try:
        with httpx.Client(base_url=base_url, headers=headers, timeout=10.0) as client:
            burst.go.wait()
            for body in bodies:
                try:
                    response = client.put(f"{DT}?dataTarget={kind}", json=body)
                    answer = response.json() if response.status_code == 201 else None
                except httpx.TransportError as exc:
                    burst.lose(kind, exc)
                    return
                if answer is None:
                    burst.fail(f"{kind}: {response.status_code} {response.text}")
                    return
                burst.ack(kind, body, answer)
            burst.fail(f"{kind}: the writer ran out of writes before the kill")
    except Exception as exc:
        burst.fail(f"{kind}: {type(exc).__name__}: {exc}")


def _bodies(kind: str, worker: int, plant: str, targets: list[str]) -> Iterable[object]:
    operator = A.operator_id
    if kind == "parts":
        for i in range(MAX_WRITES_PER_WORKER):
            yield part(operator, plant, f"burst-part-{worker}-{i}", support=SUPPORT)
    elif kind == "cfp":
        for i, trace_id in enumerate(targets):
            yield cfp_set(
                trace_id, i + 0.5, 100 * worker + i + 0.25, pre_component=0.125, main_component=i
            )
    else:
        for i in range(MAX_WRITES_PER_WORKER):
            yield {
                "parentPartsModel": part(
                    operator, plant, f"burst-parent-{worker}-{i}", support=SUPPORT
                ),
                "childrenPartsModel": [
                    part(
                        operator,
                        plant,
                        f"burst-child-{worker}-{i}-{j}",
                        support=SUPPORT,
                        amount=j + 1,
                    )
                    for j in range(2)
                ],
            }


def _cfp_targets(client: httpx.Client, plant: str, worker: int) -> list[str]:
    """Terminated parts for one CFP writer, made in one go as the children of a structure."""
    children = [
        part(A.operator_id, plant, f"target-{worker}-{j}", terminated=True, amount=1)
        for j in range(CFP_TARGETS_PER_WORKER)
    ]
    structure = _put(
        client,
        "partsStructure",
        {
            "parentPartsModel": part(A.operator_id, plant, f"targets-{worker}"),
            "childrenPartsModel": children,
        },
    )
    return [child["traceId"] for child in structure["childrenPartsModel"]]


def _crash_during_burst(
    server: Server, plant: str, targets: list[list[str]], headers: dict[str, str]
) -> tuple[Burst, int, float]:
    """Run the burst, SIGKILL the server in the middle of it; (burst, acks at kill, when)."""
    burst = Burst()
    threads = []
    for kind in KINDS:
        for worker in range(WORKERS_PER_KIND):
            bodies = _bodies(kind, worker, plant, targets[worker] if kind == "cfp" else [])
            thread = threading.Thread(
                target=_writer, args=(burst, server.base_url, headers, kind, bodies), daemon=True
            )
            thread.start()
            threads.append(thread)
    time.sleep(0.05)  # let the writers open their clients
    started = time.monotonic()
    burst.go.set()
    try:
        while True:
            elapsed = time.monotonic() - started
            acked, per_kind, failed = burst.snapshot()
            if elapsed >= KILL_AFTER and all(per_kind[k] >= MIN_ACKS_PER_KIND for k in KINDS):
                break
            if failed or elapsed > BURST_TIMEOUT or not all(t.is_alive() for t in threads):
                pytest.fail(
                    f"burst did not get going: {dict(per_kind)} after {elapsed:.2f}s, "
                    f"failures {burst.failures}, lost {burst.lost}\n{server.output()}"
                )
            time.sleep(0.002)
        os.kill(server.process.pid, signal.SIGKILL)
        killed_at = time.monotonic() - started
    finally:
        if server.process.poll() is None:
            os.kill(server.process.pid, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=15)
    assert not any(t.is_alive() for t in threads), "a writer hung after the kill"
    assert server.process.wait(timeout=10) == -signal.SIGKILL
    return burst, acked, killed_at


# ----------------------------------------------------------------------------- checking


def _check_acknowledged(client: httpx.Client, acks: list[Ack]) -> None:
    """Every acknowledged write reads back exactly as it was answered."""
    for ack in acks:
        if ack.kind == "parts":
            trace_id = ack.answer["traceId"]
            assert ack.answer["partsName"] == ack.sent["partsName"]
            response = client.get(f"{DT}?dataTarget=parts&traceId={trace_id}")
            assert response.status_code == 200, response.text
            assert response.json() == [ack.answer], f"acknowledged part {trace_id} lost"
        elif ack.kind == "cfp":
            trace_id = ack.sent[0]["traceId"]
            response = client.get(f"{DT}?dataTarget=cfp&traceIds={trace_id}")
            assert response.status_code == 200, response.text
            rows = {row["cfpType"]: row for row in response.json()}
            assert len(response.json()) == 4, f"acknowledged CFP set {trace_id}: {rows}"
            assert rows == {row["cfpType"]: row for row in ack.answer}
            for sent in ack.sent:
                assert rows[sent["cfpType"]]["ghgEmission"] == sent["ghgEmission"]
                assert rows[sent["cfpType"]]["dqrValue"] == sent["dqrValue"]
        else:
            parent = ack.answer["parentPartsModel"]["traceId"]
            response = client.get(f"{DT}?dataTarget=partsStructure&traceId={parent}")
            assert response.status_code == 200, f"acknowledged structure {parent} lost"
            stored = response.json()
            assert stored["parentPartsModel"] == ack.answer["parentPartsModel"]
            assert len(_children(stored)) == len(ack.sent["childrenPartsModel"])
            assert _children(stored) == _children(ack.answer), f"structure {parent} incomplete"


def _children(structure: Json) -> list[Json]:
    return sorted(structure["childrenPartsModel"], key=lambda child: child["traceId"])


def _check_database(database: Database, backend: str, acked_cfp: set[str]) -> int:
    """No trace id has a partial CFP set. Returns how many CFP sets are stored."""
    with database.engine.connect() as connection:
        counts = {
            str(trace_id): count
            for trace_id, count in connection.execute(
                select(CfpValue.trace_id, func.count()).group_by(CfpValue.trace_id)
            )
        }
        if backend == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    partial = {trace_id: count for trace_id, count in counts.items() if count != 4}
    assert not partial, f"partial CFP sets after the crash: {partial}"
    assert acked_cfp <= counts.keys()
    return len(counts)


# --------------------------------------------------------------------------------- test


def test_sigkill_during_write_burst_loses_no_acknowledged_write(
    seeded: Database, backend: str, tmp_path: Path
) -> None:
    url = seeded.url
    seeded.dispose()  # the servers own the database until the final check
    clock = time.monotonic()

    with running_server(url, tmp_path, "first") as server:
        startup = time.monotonic() - clock
        with httpx.Client(base_url=server.base_url, timeout=10.0) as client:
            headers = _login_a(client)
            client.headers.update(headers)
            plant = _put_plant(client)
            targets = [_cfp_targets(client, plant, w) for w in range(WORKERS_PER_KIND)]
        setup = time.monotonic() - clock - startup
        burst, acked_at_kill, killed_at = _crash_during_burst(server, plant, targets, headers)

    # The crash really landed in the middle of the burst.
    assert not burst.failures, burst.failures
    assert acked_at_kill >= MIN_ACKS_PER_KIND * len(KINDS)
    assert len(burst.lost) == WORKERS_PER_KIND * len(KINDS), (
        f"every writer must end on a connection error: {burst.lost}"
    )

    clock = time.monotonic()
    with running_server(url, tmp_path, "restarted") as server:
        with httpx.Client(base_url=server.base_url, timeout=10.0) as client:
            client.headers.update(_login_a(client))
            _check_acknowledged(client, burst.acks)
        acked_cfp = {ack.sent[0]["traceId"] for ack in burst.acks if ack.kind == "cfp"}
        stored_sets = _check_database(seeded, backend, acked_cfp)
    log.info(
        "%s: startup %.2fs, setup %.2fs, kill %.0f ms into the burst with %d acknowledged "
        "(%s, %d in total), %d requests cut off, %d CFP sets stored; restart + checks %.2fs",
        backend,
        startup,
        setup,
        killed_at * 1000,
        acked_at_kill,
        dict(burst.per_kind),
        len(burst.acks),
        len(burst.lost),
        stored_sets,
        time.monotonic() - clock,
    )
