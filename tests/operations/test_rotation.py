"""Rotating credentials as docs/operations.md says: a revoked API key is refused, and after
`battrace rotate-jwt-secret` old access tokens are refused while refresh tokens still work."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from battrace.app import create_app
from battrace.cli import app as cli
from battrace.cli.seeds import APPLICATION_KEY
from battrace.settings import Settings
from battrace.store import Database
from tests.cli.test_commands import env
from tests.support import DT, A, login_a

runner = CliRunner()


def fresh_client(settings: Settings, database: Database) -> TestClient:
    """A server started after the change (a restarted worker)."""
    return TestClient(create_app(settings, database=database), client=("127.0.0.1", 50000))


def test_a_revoked_api_key_is_refused(
    client: TestClient, seeded: Database, settings: Settings
) -> None:
    login_a(client)
    done = runner.invoke(cli, ["apikey", "revoke", APPLICATION_KEY], env=env(seeded))
    assert done.exit_code == 0, done.output
    assert "revoked" in done.output
    again = runner.invoke(cli, ["apikey", "revoke", APPLICATION_KEY], env=env(seeded))
    assert again.exit_code == 1
    refused = fresh_client(settings, seeded).post(
        "/auth/login",
        json={"operatorAccountId": A.email, "accountPassword": A.password},
        headers={"apiKey": APPLICATION_KEY},
    )
    assert refused.status_code == 403


def test_rotating_the_jwt_secret_refuses_old_tokens_and_refresh_still_works(
    client: TestClient, seeded: Database, settings: Settings
) -> None:
    logged_in = client.post(
        "/auth/login",
        json={"operatorAccountId": A.email, "accountPassword": A.password},
        headers={"apiKey": APPLICATION_KEY},
    ).json()
    old = {"apiKey": APPLICATION_KEY, "Authorization": f"Bearer {logged_in['accessToken']}"}
    assert client.get(f"{DT}?dataTarget=parts", headers=old).status_code == 200

    done = runner.invoke(cli, ["rotate-jwt-secret"], env=env(seeded))
    assert done.exit_code == 0, done.output
    restarted = fresh_client(settings, seeded)
    assert restarted.get(f"{DT}?dataTarget=parts", headers=old).status_code == 401
    refreshed = restarted.post(
        "/auth/refresh",
        json={"refreshToken": logged_in["refreshToken"]},
        headers={"apiKey": APPLICATION_KEY},
    )
    assert refreshed.status_code == 201, refreshed.text
    new = {"apiKey": APPLICATION_KEY, "Authorization": f"Bearer {refreshed.json()['accessToken']}"}
    assert restarted.get(f"{DT}?dataTarget=parts", headers=new).status_code == 200
