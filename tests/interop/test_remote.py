"""Pulling from a remote host, with a transport double standing in for the network (the
faults a real host cannot be made to produce on demand): nothing is half-stored, failures
set the back-off and the log, a tampered value fails verification visibly, answers keep
their provenance."""

from __future__ import annotations

import copy
import uuid
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from battrace.identity import signing
from battrace.pact import exchange_log, remote
from battrace.pact.mapping import Envelope, Figures, to_v3, with_signature
from battrace.pact.provenance import contributions
from battrace.pact.transport import HostAccess, TransportError, backoff
from battrace.store import Database
from battrace.store.base import utcnow
from tests.interop.support import A, B
from tests.support import DT, create_plant, login_a, part, tutorial_chain

BASE = "https://supplier.example"
JWKS = f"{BASE}/pact/operators/{B.operator_id}/jwks.json"


class Network:
    """What the supplier's host answers: pages of footprints and its JWKS, or a fault."""

    def __init__(self, pages: list[list[dict[str, Any]]], key_set: dict[str, Any]) -> None:
        self.pages = pages
        self.key_set = key_set
        self.fault: str | None = None

    def fetch_footprints(self, host: HostAccess, *, page_size: int) -> list[dict[str, Any]]:
        if self.fault:
            raise TransportError(self.fault)
        return [doc for page in self.pages for doc in page]

    def fetch_json(self, host: HostAccess, url: str) -> dict[str, Any]:
        assert url == JWKS
        return self.key_set

    def post_event(self, host: HostAccess, url: str, event: dict[str, Any]) -> None:
        raise TransportError("not used")


def _signed(database: Database, pre: str, main: str) -> dict[str, Any]:
    moment = utcnow()
    figures = Figures(
        trace_id=str(uuid.uuid4()),
        product_name="cell",
        product_description="cell",
        company_name="B社",
        company_ids=[f"urn:uuid:{B.operator_id}"],
        unit="kilogram",
        pre_emission=pre,
        main_emission=main,
        own_emission=main,
        ter="2",
        ger="2",
        tir="2",
        reference_period_start="2025-01-01T00:00:00Z",
        reference_period_end="2026-01-01T00:00:00Z",
    )
    document = to_v3(Envelope(uuid.uuid4(), 0, None, "Active", moment, moment), figures)
    with database.transaction() as session:
        jws = signing.sign_value(session, caller=B.operator_id, value=document)
    with_signature(document, jws=jws, signer="B社", jwks_url=JWKS)
    return document


@pytest.fixture
def setup(seeded: Database) -> tuple[Network, uuid.UUID]:
    first, second = _signed(seeded, "2", "4"), _signed(seeded, "1", "1")
    with seeded.transaction() as session:
        key_set = signing.jwks(session, operator_id=B.operator_id)
        host = remote.add_host(
            session,
            caller=A.operator_id,
            name="JP Cell",
            base_url=BASE,
            client_id="c",
            client_secret="s",
        )
        host_id = host.id
    return Network([[first], [second]], key_set), host_id


def _pull(database: Database, network: Network, host_id: uuid.UUID) -> remote.PullResult:
    with database.transaction() as session:
        return remote.pull(session, caller=A.operator_id, host_id=host_id, transport=network)


def test_a_bad_page_stores_nothing_and_backs_off(
    seeded: Database, setup: tuple[Network, uuid.UUID]
) -> None:
    network, host_id = setup
    broken = copy.deepcopy(network.pages[1][0])
    broken["pcf"]["pcfExcludingBiogenicUptake"] = "lots"
    network.pages[1] = [broken]
    result = _pull(seeded, network, host_id)
    assert not result.ok
    assert "invalid body" in (result.error or "") and "is not a decimal" in (result.error or "")
    with seeded.transaction() as session:
        assert remote.received_footprints(session, caller=A.operator_id) == []
        host = remote.get_host(session, caller=A.operator_id, host_id=host_id)
        assert host.attempts == 1 and host.last_error == result.error
        [entry] = exchange_log.entries(session, caller=A.operator_id)
        assert entry.outcome == "failed"
        # the back-off grows and the host is due only when it has passed
        assert remote.due_hosts(session) == []
        assert [h.id for h in remote.due_hosts(session, now=utcnow() + backoff(1))] == [host_id]
    network.fault = "host unreachable: https://supplier.example"
    assert not _pull(seeded, network, host_id).ok
    with seeded.transaction() as session:
        assert remote.get_host(session, caller=A.operator_id, host_id=host_id).attempts == 2
    assert backoff(2) == 2 * backoff(1)
    network.fault = None
    network.pages[1] = [_signed(seeded, "1", "1")]
    assert _pull(seeded, network, host_id).ok
    with seeded.transaction() as session:
        assert len(remote.received_footprints(session, caller=A.operator_id)) == 2
        host = remote.get_host(session, caller=A.operator_id, host_id=host_id)
        assert host.attempts == 0 and host.last_error is None


def test_a_tampered_value_fails_verification_visibly(
    seeded: Database, setup: tuple[Network, uuid.UUID]
) -> None:
    network, host_id = setup
    network.pages[0][0]["pcf"]["pcfExcludingBiogenicUptake"] = "0.5"  # changed after signing
    network.pages[1][0]["extensions"][-1]["data"]["jwks"] = "https://elsewhere.example/jwks.json"
    assert _pull(seeded, network, host_id).ok
    with seeded.transaction() as session:
        received = {
            r.document["pcf"]["pcfExcludingBiogenicUptake"]: r
            for r in remote.received_footprints(session, caller=A.operator_id)
        }
    assert received["0.5"].signature == "failed"
    assert "does not match its signature" in (received["0.5"].signature_note or "")
    assert received["2"].signature == "failed"
    assert "not published by the host" in (received["2"].signature_note or "")


def test_answer_keeps_provenance_and_rolls_up(
    client: TestClient, seeded: Database, setup: tuple[Network, uuid.UUID]
) -> None:
    network, host_id = setup
    assert _pull(seeded, network, host_id).ok
    a = login_a(client)
    plant = create_plant(client, a, A.operator_id, "1234567890123012345")
    made = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a,
        json={
            "parentPartsModel": part(A.operator_id, plant, "pack"),
            "childrenPartsModel": [
                part(A.operator_id, plant, "cell", amount=2),
                part(A.operator_id, plant, "box", amount=1, unit="unit"),
            ],
        },
    ).json()
    pack = made["parentPartsModel"]["traceId"]
    cell, box = (c["traceId"] for c in made["childrenPartsModel"])
    with seeded.transaction() as session:
        [pf] = [
            r
            for r in remote.received_footprints(session, caller=A.operator_id)
            if r.document["pcf"]["pcfExcludingBiogenicUptake"] == "6"
        ]
        answer = remote.answer_part(
            session, caller=A.operator_id, trace_id=uuid.UUID(cell), host_id=host_id, pf_id=pf.pf_id
        )
        assert answer.verified and answer.pf_id == pf.pf_id
        with pytest.raises(Exception, match="declared per 'kilogram'"):
            remote.answer_part(
                session,
                caller=A.operator_id,
                trace_id=uuid.UUID(box),
                host_id=host_id,
                pf_id=pf.pf_id,
            )
        with pytest.raises(Exception, match="has a structure"):
            remote.answer_part(
                session,
                caller=A.operator_id,
                trace_id=uuid.UUID(pack),
                host_id=host_id,
                pf_id=pf.pf_id,
            )
        [recorded] = remote.answers(session, caller=A.operator_id)
        assert recorded.trace_id == uuid.UUID(cell) and recorded.verified
    rows = client.get(f"{DT}?dataTarget=cfp&traceIds={cell}", headers=a).json()
    values = {r["cfpType"]: Decimal(str(r["ghgEmission"])) for r in rows}
    assert values == {
        "preProduction": 0,
        "preComponent": 2,
        "mainProduction": 0,
        "mainComponent": 4,
    }
    # answering again (a newer footprint) updates the same CFP set
    with seeded.transaction() as session:
        remote.answer_part(
            session, caller=A.operator_id, trace_id=uuid.UUID(cell), host_id=host_id, pf_id=pf.pf_id
        )


def test_provenance_and_an_open_trade_takes_precedence(
    client: TestClient, seeded: Database, setup: tuple[Network, uuid.UUID]
) -> None:
    network, host_id = setup
    network.pages[1][0]["pcf"]["pcfExcludingBiogenicUptake"] = "9"  # tampered: not verified
    assert _pull(seeded, network, host_id).ok
    chain = tutorial_chain(client)  # 部品A1 is answered by B on an Ouranos trade
    with seeded.transaction() as session:
        by_value = {
            r.document["pcf"]["pcfExcludingBiogenicUptake"]: r
            for r in remote.received_footprints(session, caller=A.operator_id)
        }
        with pytest.raises(Exception, match="open request"):
            remote.answer_part(
                session,
                caller=A.operator_id,
                trace_id=uuid.UUID(chain.a_child),
                host_id=host_id,
                pf_id=by_value["6"].pf_id,
            )
    a = login_a(client)
    plant = create_plant(client, a, A.operator_id, "1234567890123012399")
    extra = client.put(
        f"{DT}?dataTarget=parts", headers=a, json=part(A.operator_id, plant, "spacer")
    ).json()
    structure = client.get(
        f"{DT}?dataTarget=partsStructure&traceId={chain.parent}", headers=a
    ).json()
    children = [
        {**c, "amountRequired": c["amountRequired"]} for c in structure["childrenPartsModel"]
    ] + [{**extra, "amountRequired": 1}]
    saved = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a,
        json={
            "parentPartsModel": structure["parentPartsModel"],
            "childrenPartsModel": children,
        },
    )
    assert saved.status_code == 201, saved.text
    with seeded.transaction() as session:
        remote.answer_part(
            session,
            caller=A.operator_id,
            trace_id=uuid.UUID(extra["traceId"]),
            host_id=host_id,
            pf_id=by_value["9"].pf_id,
        )
    with seeded.transaction() as session:
        found = {
            c.part_name: c
            for c in contributions(session, caller=A.operator_id, trace_id=uuid.UUID(chain.parent))
        }
    assert set(found) == {"部品A1", "spacer"}
    assert found["部品A1"].source == "trade" and found["部品A1"].verified
    assert found["spacer"].source == "pact" and not found["spacer"].verified
    assert found["spacer"].origin == "JP Cell"
