"""Helpers for driving the contract API in tests, as a client would."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from battrace.cli.demo import bodies, client
from battrace.cli.demo.client import ContractClient, bearer
from battrace.cli.seeds import APPLICATION_KEY, TUTORIAL_COMPANIES

DT = client.DT
A, B = TUTORIAL_COMPANIES
SERVER_START_SECONDS = 60.0  # a loaded 2-core machine starts a server slowly


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(
    process: subprocess.Popen[bytes],
    url: str,
    log: Path,
    *,
    timeout: float = SERVER_START_SECONDS,
    verify: Any = True,
) -> None:
    """Poll `url` until it answers 200; fail the test with the server's log (its last 4,000
    characters) if the process exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    with httpx.Client(verify=verify, timeout=1.0) as probe:
        while True:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-4000:]
                pytest.fail(f"server exited ({process.returncode}):\n{tail}")
            try:
                if probe.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-4000:]
                pytest.fail(f"server not up after {timeout}s:\n{tail}")
            time.sleep(0.05)


def login(
    client: TestClient, email: str, password: str, key: str = APPLICATION_KEY
) -> dict[str, str]:
    """Log in and return the headers a client sends on every call."""
    return bearer(key, ContractClient(client, api_key=key).login(email, password))


def login_a(client: TestClient) -> dict[str, str]:
    return login(client, A.email, A.password)


def login_b(client: TestClient) -> dict[str, str]:
    return login(client, B.email, B.password)


def create_plant(
    client: TestClient,
    headers: dict[str, str],
    operator_id: object,
    open_plant_id: str,
    name: str = "工場",
) -> str:
    response = client.put(
        "/api/v1/authInfo?dataTarget=plant",
        headers=headers,
        json=bodies.plant_body(operator_id, open_plant_id, name, "xx県"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["plantId"])


def part(
    operator_id: object,
    plant_id: str,
    name: str,
    *,
    support: str | None = None,
    terminated: bool = False,
    amount: Any = None,
    unit: str | None = "kilogram",
    trace_id: str | None = None,
) -> dict[str, Any]:
    return bodies.part_body(
        operator_id,
        plant_id,
        name,
        support=support,
        terminated=terminated,
        amount=amount,
        unit=unit,
        trace_id=trace_id,
    )


def cfp_set(
    trace_id: str,
    pre: Any,
    main: Any,
    *,
    pre_component: Any = 0,
    main_component: Any = 0,
    cfp_id: str | None = None,
    unit: str = "kgCO2e/kilogram",
    pre_dqr: tuple[Any, Any, Any] = (1, 2, 3),
    main_dqr: tuple[Any, Any, Any] = (2, 3, 4),
) -> list[dict[str, Any]]:
    return bodies.cfp_set(
        trace_id,
        pre_production=pre,
        main_production=main,
        pre_component=pre_component,
        main_component=main_component,
        unit=unit,
        pre_dqr=pre_dqr,
        main_dqr=main_dqr,
        cfp_id=cfp_id,
    )


def trade_request(
    me: object,
    trace_id: str,
    supplier: object,
    message: str = "お願いします。",
    due: str | None = "2024-12-31",
) -> dict[str, Any]:
    return bodies.trade_request_body(me, trace_id, supplier, message=message, due=due)


def get_all(client: TestClient, url: str, headers: dict[str, str]) -> list[Any]:
    """Every item of a list endpoint, following its `Link: <…>; rel="next"` headers."""
    return ContractClient(client, api_key=headers.get("apiKey", APPLICATION_KEY)).every_page(
        url, headers=headers
    )


@dataclass
class TutorialChain:
    """The tutorial's chain: A's parent 部品A needs 5 kg of 部品A1, which A asked B for;
    B linked its terminated 部品B and answered 1.5 / 10 kgCO2e/kg."""

    a: dict[str, str]
    b: dict[str, str]
    parent: str
    a_child: str
    b_part: str
    trade_id: str
    status_id: str


def tutorial_chain(client: TestClient, *, parent_cfp: bool = False) -> TutorialChain:
    """Build the chain through the API; `parent_cfp` also gives 部品A its own 3 / 20."""
    a, b = login_a(client), login_b(client)
    plant_a = create_plant(client, a, A.operator_id, "1234567890123012345")
    plant_b = create_plant(client, b, B.operator_id, "1234567890124012345")
    structure = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a,
        json={
            "parentPartsModel": part(A.operator_id, plant_a, "部品A"),
            "childrenPartsModel": [part(A.operator_id, plant_a, "部品A1", amount=5)],
        },
    ).json()
    parent = structure["parentPartsModel"]["traceId"]
    a_child = structure["childrenPartsModel"][0]["traceId"]
    if parent_cfp:
        own = client.put(f"{DT}?dataTarget=cfp", headers=a, json=cfp_set(parent, 3.0, 20.0))
        assert own.status_code == 201, own.text
    request = client.put(
        f"{DT}?dataTarget=tradeRequest",
        headers=a,
        json=trade_request(A.operator_id, a_child, B.operator_id),
    ).json()
    b_part = client.put(
        f"{DT}?dataTarget=parts",
        headers=b,
        json=part(B.operator_id, plant_b, "部品B", terminated=True),
    ).json()["traceId"]
    trade_id = request["tradeModel"]["tradeId"]
    client.put(f"{DT}?dataTarget=tradeResponse&tradeId={trade_id}&traceId={b_part}", headers=b)
    answer = client.put(f"{DT}?dataTarget=cfp", headers=b, json=cfp_set(b_part, 1.5, 10))
    assert answer.status_code == 201, answer.text
    return TutorialChain(
        a, b, parent, a_child, b_part, trade_id, request["statusModel"]["statusId"]
    )
