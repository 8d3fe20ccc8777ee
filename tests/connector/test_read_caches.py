"""What GET keeps between requests never outlives a write: GET parts pages and GET cfp rows
are kept per worker under the data version, and a write through any worker (here a second
app on the same database) is seen by the next request to every worker. Cached answers are
byte for byte the answers computed afresh."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from battrace.app import create_app
from battrace.settings import Settings
from battrace.store import Database
from tests.support import DT, A, TutorialChain, part, tutorial_chain


@pytest.fixture
def chain(client: TestClient, seeded: Database) -> TutorialChain:
    return tutorial_chain(client)


def _names(client: TestClient, headers: dict[str, str], query: str = "") -> list[Any]:
    response = client.get(f"{DT}?dataTarget=parts{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [row["partsName"] for row in response.json()]


def test_parts_pages_follow_every_write_across_workers(
    client: TestClient, chain: TutorialChain, settings: Settings, seeded: Database
) -> None:
    first = client.get(f"{DT}?dataTarget=parts&limit=1", headers=chain.a)
    plant_id = first.json()[0]["plantId"]
    assert _names(client, chain.a) == ["部品A", "部品A1"]
    assert _names(client, chain.a) == ["部品A", "部品A1"]  # now from the worker's memory
    other_worker = create_app(settings, database=seeded)
    with TestClient(other_worker, client=("127.0.0.1", 2)) as second:
        assert _names(second, chain.a) == ["部品A", "部品A1"]
        added = second.put(
            f"{DT}?dataTarget=parts", headers=chain.a, json=part(A.operator_id, plant_id, "部品A0")
        )
        assert added.status_code == 201, added.text
        assert _names(client, chain.a) == ["部品A", "部品A0", "部品A1"]
        a0 = added.json()["traceId"]
        changed = part(A.operator_id, plant_id, "部品A0", terminated=True, trace_id=a0)
        assert (
            second.put(f"{DT}?dataTarget=parts", headers=chain.a, json=changed).status_code == 201
        )
        rows = client.get(f"{DT}?dataTarget=parts", headers=chain.a).json()
        assert [
            (r["traceId"], r["terminatedFlag"]) for r in rows if r["partsName"] == "部品A0"
        ] == [(a0, True)]
        deleted = second.delete(f"{DT}?dataTarget=parts&traceId={a0}", headers=chain.a)
        assert deleted.status_code == 204, deleted.text
        assert _names(client, chain.a) == ["部品A", "部品A1"]
    # Each operator has pages of its own: B's cached page is never A's, nor A's B's.
    assert _names(client, chain.b) == ["部品B"]
    assert _names(client, chain.a) == ["部品A", "部品A1"]


def test_a_cached_page_keeps_its_query_and_link(client: TestClient, chain: TutorialChain) -> None:
    """Pages differ by every parameter, and the Link header follows the request."""
    for _ in range(2):
        page = client.get(f"{DT}?dataTarget=parts&limit=1", headers=chain.a)
        assert [row["partsName"] for row in page.json()] == ["部品A"]
        assert page.headers["link"] == (
            f"<http://testserver/api/v1/datatransport?dataTarget=parts&after={chain.a_child}"
            '&limit=1>; rel="next"'
        )
        assert _names(client, chain.a, "&parentFlag=true") == ["部品A"]
        assert _names(client, chain.a, f"&after={chain.a_child}") == ["部品A1"]
        assert _names(client, chain.a, "&partsName=部品A1") == ["部品A1"]


def test_cached_answers_are_the_answers_computed_afresh(
    client: TestClient, chain: TutorialChain, settings: Settings, seeded: Database
) -> None:
    uncached = settings.model_copy(update={"parts_cache_entries": 0, "cfp_cache_entries": 0})
    queries = [
        "dataTarget=parts",
        "dataTarget=parts&limit=1",
        f"dataTarget=cfp&traceIds={chain.parent},{chain.a_child},{chain.parent}",
        f"dataTarget=cfp&traceIds={chain.a_child}",
    ]
    with TestClient(create_app(uncached, database=seeded), client=("127.0.0.1", 3)) as fresh:
        for query in queries:
            expected = fresh.get(f"{DT}?{query}", headers=chain.a)
            for _ in range(2):  # the first answer fills the cache, the second comes from it
                answer = client.get(f"{DT}?{query}", headers=chain.a)
                assert answer.status_code == expected.status_code == 200
                assert answer.content == expected.content
                assert answer.headers.get("link") == expected.headers.get("link")
