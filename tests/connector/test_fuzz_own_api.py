"""Fuzzing battrace's own OpenAPI document (every route it serves, not only the contract's)
with schemathesis: no generated request, however malformed, gets a server error.

Marked `fuzz` so it can be run alone (`pytest -m fuzz`); the example budget per operation is
`BATTRACE_FUZZ_EXAMPLES` (CI's default keeps the run to a few minutes on 2 cores).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings

from battrace.store import Database
from tests.support import login_a

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("BATTRACE_FUZZ_EXAMPLES", "5"))
STEPS = int(os.environ.get("BATTRACE_FUZZ_STEPS", "4"))
BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def authorised(client: TestClient, seeded: Database) -> dict[str, str]:
    return login_a(client)


def _own_api(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_error(app: FastAPI, authorised: dict[str, str]) -> None:
    operations = [result.ok() for result in _own_api(app).get_all_operations()]
    assert len(operations) > 30  # the whole API is in the document, not only the contract

    for operation in operations:

        @BUDGET
        @given(case=operation.as_strategy())
        def no_server_error(case: Any) -> None:
            response = case.call(headers=authorised)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
            )

        no_server_error()


def test_no_server_error_in_sequences(app: FastAPI, authorised: dict[str, str]) -> None:
    class Sequences(_own_api(app).as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": authorised}

        def validate_response(self, response: Any, case: Any, **_: Any) -> None:
            assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"

    Sequences.run(settings=settings(BUDGET, max_examples=EXAMPLES * 4, stateful_step_count=STEPS))
