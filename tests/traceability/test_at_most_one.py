"""Every "at most one" rule holds under concurrent writers, because the database enforces it
(partial unique indexes, migration 0013), not a read before the write (hardening item 6)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from battrace.diligence.models import DdRequest, DdResponse
from battrace.ids import new_id
from battrace.store import Database
from battrace.traceability.models import CfpResponseStatus, Trade
from tests.support import DT, A, B, trade_request, tutorial_chain

WRITERS = 8


def _race(attempt: Callable[[], int]) -> Counter[int]:
    start = threading.Barrier(WRITERS)

    def run(_: int) -> int:
        start.wait()
        return attempt()

    with ThreadPoolExecutor(WRITERS) as pool:
        return Counter(pool.map(run, range(WRITERS)))


def test_one_open_trade_request_per_part(client: TestClient, seeded: Database) -> None:
    chain = tutorial_chain(client)
    body = trade_request(A.operator_id, chain.parent, B.operator_id)

    def send() -> int:
        return client.put(f"{DT}?dataTarget=tradeRequest", headers=chain.a, json=body).status_code

    assert _race(send) == Counter({201: 1, 400: WRITERS - 1})
    with seeded.transaction(write=False) as session:
        open_trades = session.scalar(
            select(func.count())
            .select_from(Trade)
            .where(
                Trade.downstream_trace_id == uuid.UUID(chain.parent),
                Trade.cfp_response_status.in_(
                    (CfpResponseStatus.NOT_COMPLETED, CfpResponseStatus.COMPLETED)
                ),
            )
        )
    assert open_trades == 1


def test_one_open_dd_request_per_trade(client: TestClient, seeded: Database) -> None:
    chain = tutorial_chain(client)

    def ask() -> int:
        return client.post(
            "/api/v1/diligence/requests",
            headers=chain.a,
            json={"tradeId": chain.trade_id, "materials": ["cobalt"]},
        ).status_code

    statuses = _race(ask)
    assert statuses[201] == 1 and sum(statuses.values()) == WRITERS, statuses
    assert not any(status >= 500 for status in statuses), statuses
    with seeded.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(DdRequest)) == 1


def test_the_database_refuses_a_second_open_trade(client: TestClient, seeded: Database) -> None:
    chain = tutorial_chain(client)
    with pytest.raises(IntegrityError), seeded.transaction() as session:
        first = session.get(Trade, uuid.UUID(chain.trade_id))
        assert first is not None
        session.add(
            Trade(
                id=new_id(),
                status_id=new_id(),
                downstream_operator_id=first.downstream_operator_id,
                upstream_operator_id=first.upstream_operator_id,
                downstream_trace_id=first.downstream_trace_id,
                upstream_trace_id=None,
                request_type="CFP",
                cfp_response_status=CfpResponseStatus.NOT_COMPLETED,
                trade_tree_status=first.trade_tree_status,
                completed_count=0,
                completed_count_modified_at=first.created_at,
                trades_count=1,
                trades_count_modified_at=first.created_at,
            )
        )
        session.flush()


def test_the_database_refuses_a_second_draft(client: TestClient, seeded: Database) -> None:
    chain = tutorial_chain(client)
    asked = client.post(
        "/api/v1/diligence/requests",
        headers=chain.a,
        json={"tradeId": chain.trade_id, "materials": ["cobalt"]},
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["requestId"]
    with pytest.raises(IntegrityError), seeded.transaction() as session:
        for _ in range(2):
            session.add(
                DdResponse(
                    id=new_id(),
                    request_id=uuid.UUID(request_id),
                    operator_id=B.operator_id,
                    answers=[],
                )
            )
            session.flush()
