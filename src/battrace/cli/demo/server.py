"""Where the demo's calls go: a battrace server started in-process on a free loopback port,
or a running server named by its base URL (which must use the same database).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from battrace.cli.demo.client import ContractClient, ContractError
from battrace.cli.demo.data import DEMO_API_KEY
from battrace.settings import Settings

SERVER_START_SECONDS = 30.0


class DemoError(ContractError):
    """The demo could not go on: its server did not start, or a call found nothing."""


@contextmanager
def _in_process_server(settings: Settings) -> Iterator[str]:
    """Serve battrace on a free loopback port in a background thread; yield its base URL."""
    from battrace.app import create_app  # noqa: PLC0415 (only when serving)

    # The peer is ourselves on loopback: no proxy in front, and links must point here.
    local = settings.model_copy(update={"trusted_proxy_hops": 0, "public_url": None})
    app = create_app(local)
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive request waits ~40 ms for a delayed ACK.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    config = uvicorn.Config(
        app, log_level="warning", log_config=None, access_log=False, proxy_headers=False
    )
    server = uvicorn.Server(config)  # in a thread, uvicorn installs no signal handlers
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="battrace-demo", daemon=True
    )
    try:
        listener.bind(("127.0.0.1", 0))
        port = config.port = int(listener.getsockname()[1])  # for uvicorn's log lines
        thread.start()
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise DemoError("the in-process server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        if thread.is_alive():
            thread.join(timeout=SERVER_START_SECONDS)
        listener.close()
        app.state.battrace.db.dispose()  # done by the app's shutdown, unless it never started


@contextmanager
def connect(settings: Settings, base_url: str | None) -> Iterator[ContractClient]:
    """A client of the server at `base_url`, or of one started in-process for the call."""
    if base_url is not None:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            yield ContractClient(http, api_key=DEMO_API_KEY)
        return
    with (
        _in_process_server(settings) as url,
        httpx.Client(base_url=url, timeout=60, trust_env=False) as http,
    ):
        yield ContractClient(http, api_key=DEMO_API_KEY)
