"""Access tokens end with logout and a password change; parallel wrong passwords all count
toward the lockout; one client's failures are throttled (production-hardening items 2, 4)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import select

from battrace.app import create_app
from battrace.cli.seeds import APPLICATION_KEY
from battrace.identity.models import Account
from battrace.settings import Settings
from battrace.store import Database
from tests.support import A, B, login

ME = "/api/v1/authInfo?dataTarget=operator"


def _login_raw(client: TestClient, email: str, password: str) -> dict[str, str]:
    response = client.post(
        "/auth/login",
        json={"operatorAccountId": email, "accountPassword": password},
        headers={"apiKey": APPLICATION_KEY},
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return dict(response.json())


def _bearer(access: str) -> dict[str, str]:
    return {"apiKey": APPLICATION_KEY, "Authorization": f"Bearer {access}"}


def test_logout_revokes_the_access_token(client: TestClient, seeded: Database) -> None:
    tokens = _login_raw(client, A.email, A.password)
    other = login(client, B.email, B.password)
    assert client.get(ME, headers=_bearer(tokens["accessToken"])).status_code == 200
    out = client.post(
        "/auth/logout",
        json={"refreshToken": tokens["refreshToken"]},
        headers={"apiKey": APPLICATION_KEY},
    )
    assert out.status_code == 201, out.text
    after = client.get(ME, headers=_bearer(tokens["accessToken"]))
    assert after.status_code == 401
    assert after.json()["message"] == "Invalid or expired token"
    # the system introspection agrees, and another account's token is untouched
    assert client.get(ME, headers=other).status_code == 200
    # logging in again gives a token that works
    again = _login_raw(client, A.email, A.password)
    assert client.get(ME, headers=_bearer(again["accessToken"])).status_code == 200


def test_password_change_revokes_the_access_tokens(client: TestClient, seeded: Database) -> None:
    first = _login_raw(client, A.email, A.password)["accessToken"]
    second = _login_raw(client, A.email, A.password)["accessToken"]
    changed = client.post(
        "/auth/change", json={"newPassword": "N3w-Passw0rd!x"}, headers=_bearer(first)
    )
    assert changed.status_code == 201, changed.text
    for token in (first, second):
        assert client.get(ME, headers=_bearer(token)).status_code == 401
    fresh = _login_raw(client, A.email, "N3w-Passw0rd!x")["accessToken"]
    assert client.get(ME, headers=_bearer(fresh)).status_code == 200


def test_revocation_reaches_another_worker(
    client: TestClient, settings: Settings, database: Database, seeded: Database
) -> None:
    """A second process over the same database (its cache off) refuses the token at once."""
    tokens = _login_raw(client, A.email, A.password)
    uncached = settings.model_copy(update={"api_key_cache_seconds": 0})
    with TestClient(create_app(uncached, database=database), client=("127.0.0.1", 5)) as other:
        assert other.get(ME, headers=_bearer(tokens["accessToken"])).status_code == 200
        client.post(
            "/auth/logout",
            json={"refreshToken": tokens["refreshToken"]},
            headers={"apiKey": APPLICATION_KEY},
        )
        assert other.get(ME, headers=_bearer(tokens["accessToken"])).status_code == 401


def _in_parallel(count: int, attempt: Callable[[], int]) -> list[int]:
    start = threading.Barrier(count)

    def run() -> int:
        start.wait()
        return attempt()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: run(), range(count)))


def test_parallel_wrong_passwords_all_count(client: TestClient, seeded: Database) -> None:
    def wrong() -> int:
        return client.post(
            "/auth/login",
            json={"operatorAccountId": A.email, "accountPassword": "wrong-password"},
            headers={"apiKey": APPLICATION_KEY},
        ).status_code

    assert _in_parallel(12, wrong) == [401] * 12
    with seeded.transaction(write=False) as session:
        account = session.scalars(select(Account).where(Account.email == A.email)).one()
        assert account.locked_until is not None  # no lost update kept it below the limit
    right = client.post(
        "/auth/login",
        json={"operatorAccountId": A.email, "accountPassword": A.password},
        headers={"apiKey": APPLICATION_KEY},
    )
    assert right.status_code == 401


def test_one_clients_failures_are_throttled(
    settings: Settings, database: Database, seeded: Database
) -> None:
    throttled = settings.model_copy(update={"login_rate_failures": 3, "login_max_failures": 100})
    app = create_app(throttled, database=database)
    with (
        TestClient(app, client=("192.0.2.7", 1)) as guesser,
        TestClient(app, client=("192.0.2.8", 1)) as bystander,
    ):
        for _ in range(3):
            failed = guesser.post(
                "/auth/login",
                json={"operatorAccountId": B.email, "accountPassword": "nope-nope"},
                headers={"apiKey": APPLICATION_KEY},
            )
            assert failed.status_code == 401
        refused = guesser.post(
            "/auth/login",
            json={"operatorAccountId": A.email, "accountPassword": A.password},
            headers={"apiKey": APPLICATION_KEY},
        )
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "[auth] TooManyRequests"
        # another client logs in to another account; B's account is throttled for everyone
        assert login(bystander, A.email, A.password)
        assert (
            bystander.post(
                "/auth/login",
                json={"operatorAccountId": B.email, "accountPassword": B.password},
                headers={"apiKey": APPLICATION_KEY},
            ).status_code
            == 429
        )
