"""How `battrace serve` runs uvicorn: one process or several workers on one port, the
workers sharing their metrics."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from battrace.settings import Settings


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """Several workers share their Prometheus figures through an empty directory of their own
    (`PROMETHEUS_MULTIPROC_DIR`, inherited by the spawned workers), removed when serving ends.
    A directory the environment already names is used as it is (it must be empty at start)."""
    if workers <= 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    directory = tempfile.mkdtemp(prefix="battrace-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    try:
        yield
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(directory, ignore_errors=True)


def run_uvicorn(
    settings: Settings,
    host: str | None,
    port: int | None,
    workers: int,
    certfile: str | None,
    keyfile: str | None,
) -> None:
    import uvicorn  # noqa: PLC0415

    from battrace.cli.nodelay import http_protocol  # noqa: PLC0415
    from battrace.operations.logs import logging_config  # noqa: PLC0415

    uvicorn.run(
        "battrace.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="warning",  # uvicorn's own chatter; battrace's lines follow log_config
        log_config=logging_config(settings.log_level),
        http=http_protocol(),  # httptools when installed; uvloop too (loop="auto")
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        # uvicorn would believe X-Forwarded-For from loopback; battrace reads it in one place,
        # for BATTRACE_TRUSTED_PROXY_HOPS proxies only (connector.callers.client_address).
        proxy_headers=False,
    )
