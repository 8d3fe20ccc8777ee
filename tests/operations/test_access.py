"""The request log and metrics: one JSON line per request, with what an operator needs and
nothing a caller sent as a secret; Prometheus figures that move with the traffic."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from battrace.cli.seeds import APPLICATION_KEY
from battrace.operations.logs import JsonFormatter
from battrace.store import Database
from tests.support import DT, A, login_a

ACCESS = "battrace.access"


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == ACCESS]


def test_one_json_line_per_request_with_operator_route_status_and_no_secrets(
    client: TestClient, seeded: Database, caplog: pytest.LogCaptureFixture
) -> None:
    headers = login_a(client)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=ACCESS):
        answered = client.get(f"{DT}?dataTarget=parts&limit=10", headers=headers)
        refused = client.get(f"{DT}?dataTarget=parts", headers={"apiKey": "not-a-key"})
        client.get("/api/v1/no/such/path?email=someone@example.com")
    assert answered.status_code == 200
    assert refused.status_code == 403
    lines = access_lines(caplog)
    assert len(lines) == 3
    first, second, third = lines
    assert first["request_id"] == answered.headers["X-Request-ID"]
    assert first["request_id"] == answered.headers["X-Track"]  # the contract's tracking header
    assert first["operator"] == str(A.operator_id)
    assert first["route"] == "/api/v1/datatransport?dataTarget=parts"
    assert first["method"] == "GET"
    assert first["status"] == 200
    assert isinstance(first["duration_ms"], float)
    assert first["duration_ms"] > 0
    assert second["operator"] is None  # refused before anyone was identified
    assert second["status"] == 403
    assert third["route"] == "unmatched"
    assert third["status"] == 403  # an unknown API endpoint asks for the API key first
    text = "\n".join(json.dumps(line) for line in lines)
    token = headers["Authorization"].removeprefix("Bearer ")
    for secret in (token, APPLICATION_KEY, "not-a-key", A.email, A.password, "127.0.0.1"):
        assert secret not in text
    assert "someone@example.com" not in text


def test_request_id_from_a_proxy_is_kept_and_a_malformed_one_replaced(
    client: TestClient, seeded: Database
) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-abc123.4"})
    assert kept.headers["X-Request-ID"] == "proxy-abc123.4"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\r\nInjected: yes"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])


def test_an_unknown_data_target_is_not_a_route_label(
    client: TestClient, seeded: Database, caplog: pytest.LogCaptureFixture
) -> None:
    headers = login_a(client)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=ACCESS):
        client.get(f"{DT}?dataTarget=evil{'x' * 40}", headers=headers)
    (line,) = access_lines(caplog)
    assert line["route"] == "/api/v1/datatransport"


def sample(exposition: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in exposition.splitlines():
        if line.startswith("#"):
            continue
        metric, _, value = line.rpartition(" ")
        metric_name, _, metric_labels = metric.partition("{")
        found = ",".join(sorted(metric_labels.rstrip("}").split(","))) if metric_labels else ""
        if metric_name == name and found == wanted:
            return float(value)
    raise AssertionError(f"{name}{{{wanted}}} not in /metrics")


def test_metrics_count_requests_latencies_errors_and_the_pool(
    client: TestClient, seeded: Database
) -> None:
    headers = login_a(client)
    route = "/api/v1/datatransport?dataTarget=parts"
    before = client.get("/metrics")
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    for _ in range(3):
        assert client.get(f"{DT}?dataTarget=parts&limit=5", headers=headers).status_code == 200
    after = client.get("/metrics").text
    counted = sample(after, "battrace_http_requests_total", method="GET", route=route, status="200")
    assert counted == 3
    observed = sample(
        after, "battrace_http_request_duration_seconds_count", method="GET", route=route
    )
    assert observed == 3
    assert (
        sample(after, "battrace_http_requests_total", method="GET", route="/metrics", status="200")
        == 1
    )
    assert sample(after, "battrace_db_pool_size") >= 1
    assert sample(after, "battrace_db_pool_checkedout") >= 0
    assert "battrace_totals_refilled_parts_total" in after
    assert "battrace_http_server_errors_total" not in after.replace(
        "# HELP battrace_http_server_errors_total", ""
    ).replace("# TYPE battrace_http_server_errors_total", "")
