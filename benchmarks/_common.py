"""What every battrace benchmark needs: a throw-away database, a real server process on a
free loopback port, a closed-loop HTTP load generator, CPU accounting and latency figures.

Benchmarks import this module as `_common` (they run as scripts from `benchmarks/`). Nothing
here knows about a particular endpoint; the scenarios live in the benchmark scripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import httpx
from sqlalchemy import create_engine, make_url

DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HEALTH_PATH = "/api/v1/datatransport/health"


# ---------------------------------------------------------------------------- databases


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    """A URL of a new SQLite file in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="battrace-bench-") as directory:
        yield f"sqlite:///{Path(directory) / 'bench.db'}"


@contextlib.contextmanager
def postgres_database(admin_url: str = DEFAULT_POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A URL of a new PostgreSQL database `battrace_bench_<random>`, dropped afterwards.

    `admin_url` names an existing database to connect to (the test database) as a role that
    may create databases.
    """
    name = f"battrace_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


# ------------------------------------------------------------------------------ servers


def free_port() -> int:
    """A TCP port nobody listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A `battrace serve` process listening on a loopback port."""

    process: subprocess.Popen[bytes]
    base_url: str
    workers: int
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the server and its worker processes so far (Linux only)."""
        return process_tree_cpu(self.process.pid)


@contextlib.contextmanager
def battrace_server(
    database_url: str,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    startup_timeout: float = 60.0,
) -> Iterator[Server]:
    """Run `battrace serve` as a subprocess on a free loopback port until the block ends."""
    port = free_port()
    server_env = {
        **os.environ,
        "BATTRACE_DATABASE_URL": database_url,
        "BATTRACE_HOST": "127.0.0.1",
        "BATTRACE_PORT": str(port),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "battrace",
        "serve",
        "--no-migrate",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with tempfile.NamedTemporaryFile(prefix="battrace-serve-", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
    log_file: IO[bytes] = log_path.open("wb")
    process = subprocess.Popen(
        command,
        env=server_env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # our signals reach the server and its workers, nothing else
    )
    server = Server(process, f"http://127.0.0.1:{port}", workers, log_path)
    try:
        _wait_until_ready(server, startup_timeout)
        yield server
    finally:
        _stop(process)
        log_file.close()
        log_path.unlink(missing_ok=True)


def _wait_until_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                msg = f"server exited with {server.process.returncode}:\n{server.log_tail()}"
                raise RuntimeError(msg)
            with contextlib.suppress(httpx.TransportError):
                if client.get(HEALTH_PATH).status_code == 200:
                    if server.workers > 1:
                        _wait_for_workers(server, deadline)
                    return
            time.sleep(0.1)
    msg = f"server not ready after {timeout:.0f} s:\n{server.log_tail()}"
    raise RuntimeError(msg)


def _wait_for_workers(server: Server, deadline: float) -> None:
    """With several workers, the first answer comes before the others have started."""
    while time.monotonic() < deadline:
        if sum(1 for _ in _descendants(server.process.pid)) >= server.workers:
            time.sleep(1.0)  # their app factories run after the process appears
            return
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (uvicorn's graceful stop) to the server's own process group, then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# ---------------------------------------------------------------------------------- CPU

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _descendants(pid: int) -> Iterator[int]:
    children_file = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        for child in children_file.read_text().split():
            yield int(child)
            yield from _descendants(int(child))


def _own_cpu(pid: int) -> float:
    with contextlib.suppress(OSError):
        # Fields after the command name, which may contain spaces: utime is the 12th.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    return 0.0


def process_tree_cpu(pid: int) -> float | None:
    """CPU seconds used by a process and its live descendants, or None without /proc."""
    if not Path(f"/proc/{pid}/stat").exists():
        return None
    return _own_cpu(pid) + sum(_own_cpu(child) for child in _descendants(pid))


def system_cpu() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine since boot, or None without /proc."""
    with contextlib.suppress(OSError):
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        total = sum(values[:8])  # user..steal; guest time is already counted in user
        return (total - idle) / _TICKS, total / _TICKS
    return None


@dataclass(frozen=True)
class CpuShare:
    """Where the machine's CPU went during a measurement, in % of one core."""

    server: float
    loader: float
    other: float  # the database server and everything else
    idle: float


class CpuMeter:
    """Measures the CPU the server, this process and the rest used between start and stop."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._start: tuple[float | None, float, tuple[float, float] | None, float] | None = None

    def start(self) -> None:
        self._start = (
            self.server.cpu_seconds(),
            time.process_time(),
            system_cpu(),
            time.monotonic(),
        )

    def stop(self) -> tuple[CpuShare | None, float | None]:
        """The CPU shares since start(), and the server's CPU seconds."""
        assert self._start is not None  # noqa: S101 (start() comes first)
        server0, loader0, system0, wall0 = self._start
        server1, loader1, system1 = self.server.cpu_seconds(), time.process_time(), system_cpu()
        wall = time.monotonic() - wall0
        if None in (server0, server1, system0, system1) or wall <= 0:
            return None, None
        assert server0 is not None and server1 is not None  # noqa: S101
        assert system0 is not None and system1 is not None  # noqa: S101
        busy = system1[0] - system0[0]
        total = system1[1] - system0[1]
        server_cpu = server1 - server0
        loader_cpu = loader1 - loader0
        cores = os.cpu_count() or 1
        share = CpuShare(
            server=100 * server_cpu / wall,
            loader=100 * loader_cpu / wall,
            other=100 * max(busy - server_cpu - loader_cpu, 0.0) / wall,
            idle=100 * cores * max(total - busy, 0.0) / total if total > 0 else 0.0,
        )
        return share, server_cpu


# ------------------------------------------------------------------------ load generator


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client(Protocol):
    """One simulated client's connection: one request at a time, kept alive."""

    async def connect(self) -> None: ...

    async def request(self, method: str, path: str, body: object = None) -> Reply: ...

    async def aclose(self) -> None: ...


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    It costs the load generator about a tenth of the CPU per request that httpx does, which
    matters when the generator shares a 2-core machine with the server and the database.
    Enough HTTP for a battrace server: Content-Length or chunked bodies, reconnect when
    the server closed an idle keep-alive connection.
    """

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        url = httpx.URL(base_url)
        self.host, self.port = url.host, url.port or 80
        fixed = {"Host": f"{self.host}:{self.port}", "Accept": "*/*", **headers}
        self._headers = "".join(f"{name}: {value}\r\n" for name, value in fixed.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: object = None) -> Reply:
        payload = b"" if body is None else json.dumps(body).encode()
        extra = "" if body is None else "Content-Type: application/json\r\n"
        message = (
            f"{method} {path} HTTP/1.1\r\n{self._headers}{extra}"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        for attempt in (1, 2):
            if self._writer is None:
                await self.connect()
            try:
                return await self._exchange(message)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                await self.aclose()
                idle_close = isinstance(exc, asyncio.IncompleteReadError) and not exc.partial
                if attempt == 2 or not (idle_close or isinstance(exc, ConnectionResetError)):
                    raise
        raise AssertionError  # pragma: no cover (the loop returns or raises)

    async def _exchange(self, message: bytes) -> Reply:
        assert self._reader is not None and self._writer is not None  # noqa: S101
        self._writer.write(message)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            body = await self._reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = await self._reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            await self.aclose()
        return Reply(status, body)

    async def _read_chunked(self) -> bytes:
        assert self._reader is not None  # noqa: S101
        parts: list[bytes] = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    async def aclose(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


class HttpxClient:
    """The same interface over httpx.AsyncClient (one connection), for comparison."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(60.0),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    async def connect(self) -> None:
        await self._client.get(HEALTH_PATH)

    async def request(self, method: str, path: str, body: object = None) -> Reply:
        response = await self._client.request(method, path, json=body)
        return Reply(response.status_code, response.content)

    async def aclose(self) -> None:
        await self._client.aclose()


LOADERS: dict[str, Callable[[str, dict[str, str]], Client]] = {
    "raw": RawClient,
    "httpx": HttpxClient,
}


@dataclass(frozen=True)
class Outcome:
    """One request's result: ok, or why not (status and the start of the body)."""

    ok: bool
    error: str | None = None


def expect(reply: Reply, status: int) -> Outcome:
    """ok if the reply has the expected status, else an error saying what came instead."""
    if reply.status == status:
        return Outcome(ok=True)
    return Outcome(
        ok=False, error=f"HTTP {reply.status}: {reply.body[:200].decode(errors='replace')}"
    )


# One simulated client's next request; None when it has nothing left to send.
Step = Callable[[Client], Awaitable[Outcome | None]]


@dataclass
class Measurement:
    """Closed-loop figures of one cell: requests, errors and latencies in milliseconds."""

    concurrency: int
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    cpu: CpuShare | None = None
    server_cpu_seconds: float | None = None

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def server_cpu_ms_per_request(self) -> float:
        """Server CPU per answered request: less disturbed by other load than req/s."""
        if self.server_cpu_seconds is None or not self.requests:
            return float("nan")
        return 1000 * self.server_cpu_seconds / self.requests

    def percentile(self, q: float) -> float:
        return percentile(sorted(self.latencies_ms), q)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        cpu = self.cpu
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "errors": self.errors,
            "error_samples": self.error_samples,
            "elapsed_s": round(self.elapsed, 3),
            "requests_per_s": round(self.throughput, 1),
            "latency_ms": {
                "mean": round(sum(ordered) / len(ordered), 3) if ordered else None,
                "p50": round(percentile(ordered, 50), 3),
                "p90": round(percentile(ordered, 90), 3),
                "p99": round(percentile(ordered, 99), 3),
                "max": round(ordered[-1], 3) if ordered else None,
            },
            "server_cpu_ms_per_request": _rounded(self.server_cpu_ms_per_request, 3),
            "cpu_percent_of_one_core": None
            if cpu is None
            else {
                "server": round(cpu.server, 1),
                "loader": round(cpu.loader, 1),
                "other": round(cpu.other, 1),
                "idle": round(cpu.idle, 1),
            },
        }


def _rounded(value: float, digits: int) -> float | None:
    return None if math.isnan(value) else round(value, digits)


def percentile(ordered: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of an ascending list; NaN when it is empty."""
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


async def closed_loop(
    server: Server,
    headers: dict[str, str],
    make_client: Callable[[int], Step],
    *,
    concurrency: int,
    duration: float,
    max_requests: int,
    loader: str = "raw",
    measure_cpu: bool = True,
    keep_errors: int = 5,
) -> Measurement:
    """`concurrency` clients, each on its own keep-alive connection, send their next request
    as soon as the last one was answered, until `duration` seconds have passed,
    `max_requests` were sent, or they run out of work.

    Throughput is requests answered / time from the first request to the last answer.
    Connections are opened before the clock starts.
    """
    connections: list[Client] = []
    for _ in range(concurrency):
        connection = LOADERS[loader](server.base_url, headers)
        await connection.connect()
        connections.append(connection)
    result = Measurement(concurrency)
    sent = 0
    meter = CpuMeter(server)
    start = time.perf_counter()
    deadline = start + duration
    last_answer = start

    async def one_client(index: int) -> None:
        nonlocal sent, last_answer
        step = make_client(index)
        connection = connections[index]
        while sent < max_requests and time.perf_counter() < deadline:
            sent += 1
            began = time.perf_counter()
            try:
                outcome = await step(connection)
            except (OSError, asyncio.IncompleteReadError, httpx.HTTPError) as exc:
                outcome = Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")
            ended = time.perf_counter()
            if outcome is None:  # this client has no work left
                sent -= 1
                return
            last_answer = max(last_answer, ended)
            result.requests += 1
            result.latencies_ms.append((ended - began) * 1000)
            if not outcome.ok:
                result.errors += 1
                if len(result.error_samples) < keep_errors and outcome.error:
                    result.error_samples.append(outcome.error)

    try:
        meter.start()
        await asyncio.gather(*(one_client(i) for i in range(concurrency)))
        if measure_cpu:
            result.cpu, result.server_cpu_seconds = meter.stop()
    finally:
        for connection in connections:
            await connection.aclose()
    result.elapsed = last_answer - start
    return result


def machine_busy(seconds: float = 1.0) -> float | None:
    """How busy the machine is right now, in % of all cores (None without /proc)."""
    before = system_cpu()
    time.sleep(seconds)
    after = system_cpu()
    if before is None or after is None or after[1] <= before[1]:
        return None
    return 100 * (after[0] - before[0]) / (after[1] - before[1])
