"""A DD workbook is parsed before the write transaction opens (`PUT .../workbook`): while a
large workbook is being read, no write transaction of the request is open, and another
company's small write completes meanwhile (on SQLite a write transaction holds the
database's one write lock, so this write would wait for the whole parse)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from battrace.diligence import workbooks
from battrace.state import AppState
from battrace.store import Database
from tests.diligence.chain import DD, REFINER, Chain, ask, build_chain
from tests.diligence.test_workbook_answers import EMRT
from tests.diligence.workbooks import build
from tests.support import create_plant


@pytest.fixture
def chain(client: TestClient, database: Database) -> Chain:
    return build_chain(client, database)


def test_a_workbook_is_parsed_with_no_write_transaction_open(
    client: TestClient, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = ask(client, chain.pack, ["cobalt", "nickel"])["requestId"]
    open_writes = 0
    original_writing = AppState.writing

    @contextmanager
    def counted_writing(self: AppState) -> Iterator[Session]:
        nonlocal open_writes
        open_writes += 1
        try:
            with original_writing(self) as session:
                yield session
        finally:
            open_writes -= 1

    seen: dict[str, Any] = {}
    original_parse = workbooks.parse_workbook

    def parse_while_another_company_writes(content: bytes) -> workbooks.ParsedWorkbook:
        seen["open writes while parsing"] = open_writes
        other = TestClient(client.app, client=("127.0.0.1", 50009))
        done: list[str] = []

        def small_write() -> None:
            plant = create_plant(
                other,
                chain.refiner.headers,
                REFINER.operator_id,
                f"{REFINER.open_operator_id}000099",
            )
            done.append(plant)

        started = time.monotonic()
        writer = threading.Thread(target=small_write)
        writer.start()
        writer.join(timeout=10)
        seen["other write done while parsing"] = bool(done)
        seen["other write seconds"] = time.monotonic() - started
        parsed = original_parse(content)
        writer.join()  # (if it waited for a lock, let it finish before the test ends)
        return parsed

    monkeypatch.setattr(AppState, "writing", counted_writing)
    monkeypatch.setattr(workbooks, "parse_workbook", parse_while_another_company_writes)
    response = client.put(
        f"{DD}/requests/{rid}/workbook",
        content=build(EMRT),
        headers={**chain.cell.headers, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["workbook"]["kind"] == "EMRT"
    assert seen["open writes while parsing"] == 0
    assert seen["other write done while parsing"], seen
