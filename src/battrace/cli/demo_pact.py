"""`battrace pact demo`: a European pack maker on another platform pulls a Japanese cell
maker's footprint over PACT, and it rolls up into the pack's CFP.

Two battrace platforms run in this process, each with its own database and its own HTTPS
server (a self-signed certificate made for the run): the Japanese one, where the cell maker
(the tutorial's company B) publishes its cell's CFP to the PACT client it issued to the pack
maker; and the European one, where the pack maker (company A) needs 3 kg of that cell, adds
the cell maker's PACT host, pulls (paged, signature verified), uses the footprint as the
cell's answer and reads its pack's CFP. Everything goes through the real HTTP APIs.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from rich.console import Console

from battrace.adapters.pact_https import HttpsTransport
from battrace.adapters.tls import make_self_signed
from battrace.app import create_app
from battrace.cli.seeds import APPLICATION_KEY, TUTORIAL_COMPANIES, seed_ouranos_tutorial
from battrace.migrations import upgrade
from battrace.pact import clients, publishing, remote
from battrace.settings import Settings
from battrace.store import Database

DT = "/api/v1/datatransport"
JP_CELL, EU_PACK = TUTORIAL_COMPANIES[1], TUTORIAL_COMPANIES[0]
JP, EU = "cell maker (JP)", "pack maker (EU)"


@contextmanager
def _https_server(database: Database, cert: Path, key: Path) -> Iterator[str]:
    settings = Settings(database_url=database.url, password_time_cost=1, password_memory_kib=1024)
    app = create_app(settings, database=database)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    config = uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,
        access_log=False,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        port=port,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("a demo server did not start")
            time.sleep(0.01)
        yield f"https://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


@contextmanager
def _api(base: str, cert: Path, company: Any) -> Iterator[httpx.Client]:  # noqa: ANN401
    """A logged-in API client of `company` (a SeedCompany) on one platform."""
    with httpx.Client(base_url=base, verify=ssl.create_default_context(cafile=str(cert))) as http:
        _log_in(http, company)
        yield http


def _log_in(http: httpx.Client, company: Any) -> None:  # noqa: ANN401
    login = http.post(
        "/auth/login",
        headers={"apiKey": APPLICATION_KEY},
        json={"operatorAccountId": company.email, "accountPassword": company.password},
    )
    login.raise_for_status()
    http.headers.update(
        {"apiKey": APPLICATION_KEY, "Authorization": f"Bearer {login.json()['accessToken']}"}
    )


def _plant(http: httpx.Client, operator_id: uuid.UUID, open_plant_id: str) -> str:
    made = http.put(
        f"{DT}?dataTarget=plant".replace(DT, "/api/v1/authInfo"),
        json={
            "openPlantId": open_plant_id,
            "operatorId": str(operator_id),
            "plantAddress": "-",
            "plantId": None,
            "plantName": "plant",
            "plantAttribute": {},
        },
    )
    made.raise_for_status()
    return str(made.json()["plantId"])


def _part(operator_id: uuid.UUID, plant: str, name: str, **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        "amountRequired": extra.get("amount"),
        "amountRequiredUnit": "kilogram",
        "operatorId": str(operator_id),
        "partsName": name,
        "plantId": plant,
        "supportPartsName": None,
        "terminatedFlag": extra.get("terminated", False),
        "traceId": None,
        "partsLabelName": None,
        "partsAddInfo1": None,
        "partsAddInfo2": None,
        "partsAddInfo3": None,
    }


def _cfp(trace_id: str, pre: float, main: float) -> list[dict[str, Any]]:
    rows = []
    for cfp_type, value, dqr_type in (
        ("preProduction", pre, "preProcessing"),
        ("mainProduction", main, "mainProcessing"),
        ("preComponent", 0, "preProcessing"),
        ("mainComponent", 0, "mainProcessing"),
    ):
        rows.append(
            {
                "cfpId": None,
                "traceId": trace_id,
                "ghgEmission": value,
                "ghgDeclaredUnit": "kgCO2e/kilogram",
                "cfpType": cfp_type,
                "dqrType": dqr_type,
                "dqrValue": {"TeR": 2, "GeR": 2, "TiR": 1.5},
            }
        )
    return rows


def run_pact_demo(console: Console) -> Decimal:
    """Run the demo; returns the pack's CFP per kilogram (for tests)."""
    with tempfile.TemporaryDirectory(prefix="battrace-pact-demo-") as directory:
        root = Path(directory)
        cert, key = make_self_signed(root / "tls", hosts=("127.0.0.1",))
        japan, europe = (Database(f"sqlite:///{root / name}.db") for name in ("japan", "europe"))
        for database in (japan, europe):
            upgrade(database.engine)
            with database.transaction() as session:
                seed_ouranos_tutorial(session)
        try:
            return _run(console, japan, europe, cert, key)
        finally:
            japan.dispose()
            europe.dispose()


def _run(console: Console, japan: Database, europe: Database, cert: Path, key: Path) -> Decimal:
    def say(who: str, text: str) -> None:
        console.print(f"  {who:<16} {text}", highlight=False)

    with _https_server(japan, cert, key) as jp_url, _https_server(europe, cert, key) as eu_url:
        say("", f"Japanese platform {jp_url}, European platform {eu_url} (HTTPS, self-signed)")
        with _api(jp_url, cert, JP_CELL) as jp:
            plant = _plant(jp, JP_CELL.operator_id, f"{JP_CELL.open_operator_id}000001")
            cell = jp.put(
                f"{DT}?dataTarget=parts",
                json=_part(JP_CELL.operator_id, plant, "NMC811 cell", terminated=True),
            ).json()["traceId"]
            jp.put(f"{DT}?dataTarget=cfp", json=_cfp(cell, 9.5, 3.25)).raise_for_status()
        say(JP, "registers its cell's CFP: 9.5 + 3.25 kgCO2e/kg")
        with japan.transaction() as session:
            issued = clients.issue_client(
                session, caller=JP_CELL.operator_id, counterparty_name="EU pack maker"
            )
            footprint = publishing.publish(
                session,
                caller=JP_CELL.operator_id,
                trace_id=uuid.UUID(cell),
                client_row_id=issued.client.id,
                options=publishing.PublishOptions(geography_country="JP"),
                disclose_by_default=Settings().disclose_by_default,
            )
            client_id, secret, pf_id = issued.client.client_id, issued.secret, footprint.id
        say(JP, f"issues PACT client {client_id} and publishes footprint {pf_id}")
        with _api(eu_url, cert, EU_PACK) as eu:
            plant = _plant(eu, EU_PACK.operator_id, f"{EU_PACK.open_operator_id}000001")
            made = eu.put(
                f"{DT}?dataTarget=partsStructure",
                json={
                    "parentPartsModel": _part(EU_PACK.operator_id, plant, "battery pack"),
                    "childrenPartsModel": [
                        _part(EU_PACK.operator_id, plant, "cell (bought in)", amount=3)
                    ],
                },
            ).json()
            pack = made["parentPartsModel"]["traceId"]
            bought = made["childrenPartsModel"][0]["traceId"]
            eu.put(f"{DT}?dataTarget=cfp", json=_cfp(pack, 0.5, 1.5)).raise_for_status()
            say(EU, "a pack needs 3 kg of a bought-in cell; own 0.5 + 1.5 kgCO2e/kg")
            transport = HttpsTransport()
            try:
                with europe.transaction() as session:
                    host = remote.add_host(
                        session,
                        caller=EU_PACK.operator_id,
                        name="JP cell maker",
                        base_url=jp_url,
                        client_id=client_id,
                        client_secret=secret,
                        ca_file=str(cert),
                    )
                    host_id = host.id
                with europe.transaction() as session:
                    result = remote.pull(
                        session,
                        caller=EU_PACK.operator_id,
                        host_id=host_id,
                        transport=transport,
                        page_size=10,
                    )
                if not result.ok:
                    raise RuntimeError(f"pull failed: {result.error}")
            finally:
                transport.close()
            with europe.transaction() as session:
                [received] = remote.received_footprints(session, caller=EU_PACK.operator_id)
                say(EU, f"pulled {result.stored} footprint (v3): {received.signature_note}")
                remote.answer_part(
                    session,
                    caller=EU_PACK.operator_id,
                    trace_id=uuid.UUID(bought),
                    host_id=host_id,
                    pf_id=received.pf_id,
                )
            rows = eu.get(f"{DT}?dataTarget=cfp&traceIds={pack}").json()
        total = sum(
            (Decimal(str(r["ghgEmission"])) for r in rows if str(r["cfpType"]).endswith("Total")),
            Decimal(0),
        )
        say(EU, f"answered the cell; the pack rolls up to {total} kgCO2e/kg")
        say("", "(0.5 + 1.5 own, plus 3 kg x (9.5 + 3.25) from the pulled footprint)")
        return total
