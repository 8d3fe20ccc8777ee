"""The `battrace` command line: migrations, seeds, operators and API keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from battrace.app import create_app
from battrace.cli import app as cli
from battrace.identity.models import Operator
from battrace.settings import Settings
from battrace.store import Database
from tests.conftest import TEST_HASH_COST

runner = CliRunner()


def env(database: Database) -> dict[str, str]:
    return {
        "BATTRACE_DATABASE_URL": database.url,
        "BATTRACE_PASSWORD_TIME_COST": str(TEST_HASH_COST["password_time_cost"]),
        "BATTRACE_PASSWORD_MEMORY_KIB": str(TEST_HASH_COST["password_memory_kib"]),
    }


def test_upgrade_seed_operator_and_key(database: Database, settings: Settings) -> None:
    result = runner.invoke(cli, ["db", "upgrade"], env=env(database))
    assert result.exit_code == 0, result.output
    assert re.search(r"revision \d{4}", result.output)

    result = runner.invoke(cli, ["seed", "ouranos-tutorial"], env=env(database))
    assert result.exit_code == 0, result.output
    assert "Sample-APIKey1" in result.output
    again = runner.invoke(cli, ["seed", "ouranos-tutorial"], env=env(database))
    assert "already seeded" in again.output

    result = runner.invoke(
        cli,
        [
            "operator",
            "add",
            "--name",
            "D社",
            "--address",
            "名古屋",
            "--open-id",
            "4444444444444",
            "--email",
            "d@example.com",
            "--password",
            "Dd&123456",
        ],
        env=env(database),
    )
    assert result.exit_code == 0, result.output
    operator_id = re.search(r"operatorId (\S+)", result.output)
    assert operator_id is not None

    result = runner.invoke(
        cli,
        [
            "apikey",
            "issue",
            "--name",
            "D app",
            "--cidr",
            "127.0.0.0/8",
            "--operator",
            operator_id[1],
        ],
        env=env(database),
    )
    assert result.exit_code == 0, result.output
    key = re.search(r"shown once\): (\S+)", result.output)
    assert key is not None and key[1].startswith("btk_")

    # The new company logs in with the new key and reads itself.
    with TestClient(create_app(settings, database=database), client=("127.0.0.1", 1)) as client:
        login = client.post(
            "/auth/login",
            headers={"apiKey": key[1]},
            json={"operatorAccountId": "d@example.com", "accountPassword": "Dd&123456"},
        )
        assert login.status_code == 201, login.text
        me = client.get(
            "/api/v1/authInfo?dataTarget=operator",
            headers={"apiKey": key[1], "Authorization": f"Bearer {login.json()['accessToken']}"},
        )
        assert me.json()["operatorName"] == "D社"
    with database.session() as session:
        assert (
            session.scalar(
                select(Operator.name).where(Operator.open_operator_id == "4444444444444")
            )
            == "D社"
        )


def test_operator_add_refuses_a_taken_id(seeded: Database) -> None:
    result = runner.invoke(
        cli,
        [
            "operator",
            "add",
            "--name",
            "X",
            "--address",
            "Y",
            "--open-id",
            "1234567890123",
            "--email",
            "x@example.com",
            "--password",
            "Xx&123456",
        ],
        env=env(seeded),
    )
    assert result.exit_code == 1
    assert "openOperatorId: 1234567890123 is already exists." in result.output


def test_footprint_report(client_for_cli: tuple[Database, str], tmp_path: Path) -> None:
    database, trace_id = client_for_cli
    out = str(tmp_path / "report.html")
    result = runner.invoke(
        cli,
        [
            "footprint",
            "report",
            "--trace-id",
            trace_id,
            "--as",
            "1234567890123",
            "--format",
            "html",
            "--out",
            out,
        ],
        env=env(database),
    )
    assert result.exit_code == 0, result.output
    assert Path(out).read_text(encoding="utf-8").count("<svg") >= 3
    as_json = runner.invoke(
        cli,
        [
            "footprint",
            "report",
            "--trace-id",
            trace_id,
            "--as",
            "1234567890123",
            "--format",
            "json",
        ],
        env=env(database),
    )
    assert '"total": 23' in as_json.output
    table = runner.invoke(
        cli,
        ["footprint", "report", "--trace-id", trace_id, "--as", "1234567890123"],
        env=env(database),
    )  # a table for a terminal by default, figures rounded with separators
    assert table.exit_code == 0, table.output
    assert "23.000" in table.output and "{" not in table.output
    for bad in (["--trace-id", "nope"], ["--trace-id", trace_id, "--format", "xml"]):
        refused = runner.invoke(
            cli, ["footprint", "report", "--as", "1234567890123", *bad], env=env(database)
        )
        assert refused.exit_code != 0
        assert "Traceback" not in refused.output and len(refused.output.strip().splitlines()) == 1
    dd = runner.invoke(
        cli, ["dd", "report", "--as", "1234567890123", "--trace-id", "nope"], env=env(database)
    )
    assert dd.exit_code == 1 and "--trace-id" in dd.output and "Traceback" not in dd.output
    foreign = runner.invoke(
        cli,
        ["footprint", "report", "--trace-id", trace_id, "--as", "1234567890124"],
        env=env(database),
    )
    assert foreign.exit_code == 1
    assert "was not found" in foreign.output


@pytest.fixture
def client_for_cli(seeded: Database, settings: Settings) -> tuple[Database, str]:
    """A's terminated product with its own CFP (3 + 20 kgCO2e per kg)."""
    from tests.support import DT, A, cfp_set, create_plant, login_a, part  # noqa: PLC0415

    with TestClient(create_app(settings, database=seeded), client=("127.0.0.1", 1)) as client:
        a = login_a(client)
        plant = create_plant(client, a, A.operator_id, "1234567890123012345")
        trace = client.put(
            f"{DT}?dataTarget=parts",
            headers=a,
            json=part(A.operator_id, plant, "製品", terminated=True),
        ).json()["traceId"]
        client.put(f"{DT}?dataTarget=cfp", headers=a, json=cfp_set(trace, 3, 20))
    return seeded, trace


def test_footprint_what_if_and_assign_factor(client_for_cli: tuple[Database, str]) -> None:
    database, trace_id = client_for_cli
    what_if = runner.invoke(
        cli,
        [
            "footprint",
            "what-if",
            "--trace-id",
            trace_id,
            "--replace",
            trace_id,
            "--pre",
            "1",
            "--main",
            "2",
            "--as",
            "1234567890123",
        ],
        env=env(database),
    )
    assert what_if.exit_code == 0, what_if.output
    assert "製品: total 23 -> 3 (change -20)" in what_if.output
    missing = runner.invoke(
        cli,
        [
            "footprint",
            "assign-factor",
            "--trace-id",
            trace_id,
            "--factor-id",
            "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "--as",
            "1234567890123",
        ],
        env=env(database),
    )
    assert missing.exit_code == 1
    assert "factorId" in missing.output
