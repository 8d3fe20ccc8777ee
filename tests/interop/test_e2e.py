"""End to end: two real `battrace serve` processes talking PACT over HTTPS on loopback.

A Japanese cell maker (company B on the supplier's server) publishes its cell's CFP to the
PACT client it issued to a European pack maker (company A on the customer's server). The pack
maker adds the supplier's host, pulls (paged) over HTTPS, verifies the signature, answers its
bought-in part with the footprint, and the part rolls up into its product. It also sends a
RequestCreated, which the supplier's server answers asynchronously to the customer's own
`/3/events`. Then the failure paths: bad TLS, unreachable host, wrong secret, a tampered value.
"""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from battrace.adapters.pact_https import HttpsTransport
from battrace.adapters.tls import make_self_signed
from battrace.app import create_app
from battrace.cli.seeds import APPLICATION_KEY, seed_ouranos_tutorial
from battrace.migrations import upgrade
from battrace.pact import clients, events, publishing, remote
from battrace.pact.models import SentRequest
from battrace.pact.transport import HostAccess, TransportError
from battrace.settings import Settings
from battrace.store import Database
from tests.conftest import TEST_HASH_COST
from tests.interop.support import A, B
from tests.support import (
    DT,
    cfp_set,
    create_plant,
    free_port,
    login_a,
    login_b,
    part,
    wait_until_up,
)

pytestmark = pytest.mark.slow
STARTUP_TIMEOUT = 60.0


@contextmanager
def serving(database_url: str, workdir: Path, name: str, cert: Path, key: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATTRACE_")}
    env["BATTRACE_DATABASE_URL"] = database_url
    log = workdir / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "battrace",
        "serve",
        "--port",
        str(port),
        "--no-migrate",
        "--certfile",
        str(cert),
        "--keyfile",
        str(key),
    ]
    base = f"https://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(
                process,
                f"{base}/.well-known/openid-configuration",
                log,
                timeout=STARTUP_TIMEOUT,
                verify=ssl.create_default_context(cafile=str(cert)),
            )
            yield base
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def _build(database: Database, build: object) -> object:
    settings = Settings(database_url=database.url, **TEST_HASH_COST)
    with TestClient(create_app(settings, database=database), client=("127.0.0.1", 50000)) as client:
        return build(client)  # type: ignore[operator]


def test_publish_pull_answer_roll_up_over_https(database: Database, tmp_path: Path) -> None:
    cert, key = make_self_signed(tmp_path / "tls", hosts=("127.0.0.1",))
    supplier_db = Database(f"sqlite:///{tmp_path / 'supplier.db'}")
    upgrade(supplier_db.engine)
    for db in (supplier_db, database):
        with db.transaction() as session:
            seed_ouranos_tutorial(session)

    # the supplier: B's cell, 2 + 4 kgCO2e per kilogram, published to the pack maker
    def supplier_side(client: TestClient) -> list[str]:
        b = login_b(client)
        plant = create_plant(client, b, B.operator_id, "1234567890124012345")
        made = []
        for name, pre in (("cell", 2.0), ("module", 7.0)):
            made_part = client.put(
                f"{DT}?dataTarget=parts",
                headers=b,
                json=part(B.operator_id, plant, name, terminated=True),
            ).json()
            rows = cfp_set(made_part["traceId"], pre, 4.0)
            assert client.put(f"{DT}?dataTarget=cfp", headers=b, json=rows).status_code == 201
            made.append(str(made_part["traceId"]))
        return made

    cell, module = _build(supplier_db, supplier_side)  # type: ignore[misc]
    with supplier_db.transaction() as session:
        issued = clients.issue_client(session, caller=B.operator_id, counterparty_name="EU Pack")
        for product in (cell, module):  # two, so a pull at limit 1 pages
            publishing.publish(
                session,
                caller=B.operator_id,
                trace_id=uuid.UUID(product),
                client_row_id=issued.client.id,
                options=publishing.PublishOptions(geography_country="JP"),
                disclose_by_default=True,
            )
        client_id, secret = issued.client.client_id, issued.secret

    # the customer: A's pack needs 3 kg of a bought-in cell, no Ouranos trade
    def customer_side(client: TestClient) -> tuple[str, str]:
        a = login_a(client)
        plant = create_plant(client, a, A.operator_id, "1234567890123012345")
        made = client.put(
            f"{DT}?dataTarget=partsStructure",
            headers=a,
            json={
                "parentPartsModel": part(A.operator_id, plant, "pack"),
                "childrenPartsModel": [part(A.operator_id, plant, "cell", amount=3)],
            },
        ).json()
        pack = made["parentPartsModel"]["traceId"]
        assert (
            client.put(f"{DT}?dataTarget=cfp", headers=a, json=cfp_set(pack, 1.0, 1.0)).status_code
            == 201
        )
        return str(pack), str(made["childrenPartsModel"][0]["traceId"])

    pack, bought = _build(database, customer_side)  # type: ignore[misc]
    with database.transaction() as session:  # the supplier's answers come back to us
        callback = clients.issue_client(session, caller=A.operator_id, counterparty_name="JP Cell")
    transport = HttpsTransport()
    try:
        with (
            serving(supplier_db.url, tmp_path, "supplier", cert, key) as supplier_url,
            serving(database.url, tmp_path, "customer", cert, key) as customer_url,
        ):
            with supplier_db.transaction() as session:  # where B answers A's requests
                remote.add_host(
                    session,
                    caller=B.operator_id,
                    name="EU Pack",
                    base_url=customer_url,
                    client_id=callback.client.client_id,
                    client_secret=callback.secret,
                    ca_file=str(cert),
                )
            with database.transaction() as session:
                host = remote.add_host(
                    session,
                    caller=A.operator_id,
                    name="JP Cell",
                    base_url=supplier_url,
                    client_id=client_id,
                    client_secret=secret,
                    ca_file=str(cert),
                )
                host_id = host.id
            with database.transaction() as session:
                result = remote.pull(
                    session, caller=A.operator_id, host_id=host_id, transport=transport, page_size=1
                )
            assert result.ok, result.error
            assert result.stored == 2
            with database.transaction() as session:
                pulled = remote.received_footprints(session, caller=A.operator_id)
                assert all(r.signature == "verified" for r in pulled)
                [received] = [r for r in pulled if r.product_name == "cell"]
                assert received.signature == "verified", received.signature_note
                assert received.signature_note.startswith("signed by B")
                answer = remote.answer_part(
                    session,
                    caller=A.operator_id,
                    trace_id=uuid.UUID(bought),
                    host_id=host_id,
                    pf_id=received.pf_id,
                )
                assert answer.verified
            # the roll-up: pack = own 1 + 1, plus 3 kg x (2 + 4) of the pulled cell
            with httpx.Client(
                verify=ssl.create_default_context(cafile=str(cert)), base_url=customer_url
            ) as api:
                login = api.post(
                    "/auth/login",
                    headers={"apiKey": APPLICATION_KEY},
                    json={"operatorAccountId": A.email, "accountPassword": A.password},
                )
                headers = {
                    "apiKey": APPLICATION_KEY,
                    "Authorization": f"Bearer {login.json()['accessToken']}",
                }
                rows = api.get(f"{DT}?dataTarget=cfp&traceIds={pack}", headers=headers).json()
            totals = {r["cfpType"]: Decimal(str(r["ghgEmission"])) for r in rows}
            assert totals["preComponentTotal"] == Decimal(6)  # 3 x 2 (battrace's stage split)
            assert totals["mainComponentTotal"] == Decimal(12)  # 3 x 4

            # the same supplier over v2.3: the same two footprints, paged, verified
            with database.transaction() as session:
                v2_host = remote.add_host(
                    session,
                    caller=A.operator_id,
                    name="JP Cell v2",
                    base_url=supplier_url,
                    client_id=client_id,
                    client_secret=secret,
                    spec_version=2,
                    ca_file=str(cert),
                )
            with database.transaction() as session:
                v2 = remote.pull(
                    session,
                    caller=A.operator_id,
                    host_id=v2_host.id,
                    transport=transport,
                    page_size=1,
                )
                assert v2.ok, v2.error
                pulled_v2 = remote.received_footprints(
                    session, caller=A.operator_id, host_id=v2_host.id
                )
                assert {r.spec_version for r in pulled_v2} == {"2.3.0"}
                assert all(r.signature == "verified" and r.version == 0 for r in pulled_v2)

            # RequestCreated, answered asynchronously to our own /3/events
            with database.transaction() as session:
                sent = events.send_request(
                    session,
                    caller=A.operator_id,
                    host_id=host_id,
                    criteria={"productId": [f"urn:uuid:{cell}"]},
                    own_base_url=customer_url,
                )
                sent_id = sent.event_id
            with database.transaction() as session:
                [outgoing] = events.due_events(session)
                assert events.deliver(session, outgoing=outgoing, transport=transport)
            deadline = time.monotonic() + 20
            while True:
                with database.transaction() as session:
                    done = session.get(SentRequest, (A.operator_id, sent_id))
                    if done is not None and done.answer is not None:
                        assert done.answer == "fulfilled", done.answer_detail
                        break
                assert time.monotonic() < deadline, "no asynchronous answer"
                time.sleep(0.2)

            # failures: untrusted certificate, wrong secret, unreachable host
            other_cert, _ = make_self_signed(tmp_path / "other", hosts=("127.0.0.1",))
            cases = {
                "TLS verification failed": {"ca_file": str(other_cert)},
                "authentication refused": {"client_secret": "wrong", "ca_file": str(cert)},
            }
            for expected, change in cases.items():
                access = HostAccess(
                    base_url=supplier_url,
                    auth_base_url=None,
                    client_id=client_id,
                    spec_version=3,
                    **{"client_secret": secret, "ca_file": None, **change},
                )
                probe = HttpsTransport()
                try:
                    with pytest.raises(TransportError, match=expected):
                        probe.fetch_footprints(access, page_size=10)
                finally:
                    probe.close()
            with database.transaction() as session:
                bad = remote.add_host(
                    session,
                    caller=A.operator_id,
                    name="gone",
                    base_url=f"https://127.0.0.1:{free_port()}",
                    client_id="x",
                    client_secret="y",
                    ca_file=str(cert),
                )
            with database.transaction() as session:
                failed = remote.pull(
                    session, caller=A.operator_id, host_id=bad.id, transport=transport
                )
            assert not failed.ok
            assert "unreachable" in (failed.error or "")
            with database.transaction() as session:
                again = remote.get_host(session, caller=A.operator_id, host_id=bad.id)
                assert again.attempts == 1 and again.next_attempt_at is not None
                assert len(remote.received_footprints(session, caller=A.operator_id)) == 4
    finally:
        transport.close()
        supplier_db.dispose()
