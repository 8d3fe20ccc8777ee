"""The user authentication system: tokens, refresh tokens, password change, lockout,
API keys with address allow-lists and operator binding, system-to-system checks."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from battrace.app import create_app
from battrace.identity import api_keys
from battrace.identity.models import Account, ApplicationAttribute
from battrace.settings import Settings
from battrace.store import Database
from tests.conftest import TEST_HASH_COST
from tests.support import DT, A, B, login

KEY = {"apiKey": "Sample-APIKey1"}


def login_tokens(
    client: TestClient, email: str = A.email, password: str = A.password
) -> dict[str, str]:
    response = client.post(
        "/auth/login", headers=KEY, json={"operatorAccountId": email, "accountPassword": password}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def bearer(token: str) -> dict[str, str]:
    return {**KEY, "Authorization": f"Bearer {token}"}


def test_refresh_gives_a_new_access_token(client: TestClient, seeded: Database) -> None:
    tokens = login_tokens(client)
    time.sleep(1.1)  # a new iat, so a new token
    refreshed = client.post(
        "/auth/refresh", headers=KEY, json={"refreshToken": tokens["refreshToken"]}
    )
    assert refreshed.status_code == 201
    assert set(refreshed.json()) == {"accessToken"}
    new = refreshed.json()["accessToken"]
    assert new != tokens["accessToken"]
    assert (
        client.get("/api/v1/authInfo?dataTarget=operator", headers=bearer(new)).status_code == 200
    )


def test_logout_revokes_the_refresh_token(client: TestClient, seeded: Database) -> None:
    tokens = login_tokens(client)
    assert (
        client.post(
            "/auth/logout", headers=KEY, json={"refreshToken": tokens["refreshToken"]}
        ).status_code
        == 201
    )
    refused = client.post(
        "/auth/refresh", headers=KEY, json={"refreshToken": tokens["refreshToken"]}
    )
    assert refused.status_code == 401
    assert refused.json()["message"] == "Invalid credentials"


def test_password_change(client: TestClient, seeded: Database) -> None:
    tokens = login_tokens(client)
    changed = client.post(
        "/auth/change", headers=bearer(tokens["accessToken"]), json={"newPassword": "New&pass123"}
    )
    assert changed.status_code == 201
    assert changed.json() == {}
    # every refresh token of the account is revoked; the old password no longer works
    assert (
        client.post(
            "/auth/refresh", headers=KEY, json={"refreshToken": tokens["refreshToken"]}
        ).status_code
        == 401
    )
    old = client.post(
        "/auth/login",
        headers=KEY,
        json={"operatorAccountId": A.email, "accountPassword": A.password},
    )
    assert old.status_code == 401
    login_tokens(client, A.email, "New&pass123")
    with seeded.session() as session:
        stored = session.scalar(select(Account.password_hash).where(Account.email == A.email))
    assert stored is not None and stored.startswith("$argon2id$")
    assert "New&pass123" not in stored


def test_change_needs_a_token(client: TestClient, seeded: Database) -> None:
    response = client.post("/auth/change", headers=KEY, json={"newPassword": "New&pass123"})
    assert response.status_code == 401
    assert response.json()["message"] == "Authentication required"


def test_repeated_failures_lock_the_account(
    client: TestClient, settings: Settings, seeded: Database
) -> None:
    for _ in range(settings.login_max_failures):
        bad = client.post(
            "/auth/login",
            headers=KEY,
            json={"operatorAccountId": A.email, "accountPassword": "wrong"},
        )
        assert bad.status_code == 401
    # now even the right password is refused, with the same answer
    locked = client.post(
        "/auth/login",
        headers=KEY,
        json={"operatorAccountId": A.email, "accountPassword": A.password},
    )
    assert locked.status_code == 401
    assert locked.json()["message"] == "Invalid credentials"
    # another account is not affected
    login_tokens(client, B.email, B.password)


def test_expired_and_forged_tokens(client: TestClient, app: FastAPI, seeded: Database) -> None:
    state = app.state.battrace
    claims = {
        "operator_id": str(A.operator_id),
        "sub": str(uuid.uuid4()),
        "email": A.email,
        "iss": "battrace",
        "iat": int(time.time()) - 7200,
        "exp": int(time.time()) - 3600,
    }
    expired = jwt.encode(claims, state.signer.secret, algorithm="HS256")
    forged = jwt.encode(
        {**claims, "exp": int(time.time()) + 3600},
        "not-the-key-but-just-as-long-as-the-real-one",
        algorithm="HS256",
    )
    unsigned = jwt.encode({**claims, "exp": int(time.time()) + 3600}, None, algorithm="none")
    for token in (expired, forged, unsigned):
        response = client.get(f"{DT}?dataTarget=parts", headers=bearer(token))
        assert response.status_code == 401
        assert response.json() == {
            "code": "[auth] Unauthorized",
            "message": "Invalid or expired token",
            "detail": response.json()["detail"],
        }


def test_system_token_introspection(client: TestClient, seeded: Database) -> None:
    token = login_tokens(client)["accessToken"]
    system = {"apiKey": "Sample-APIKey2"}
    ok = client.post("/api/v1/systemAuth/token", headers=system, json={"idToken": token})
    assert ok.status_code == 200
    assert ok.json() == {"operatorId": str(A.operator_id)}
    bad = client.post("/api/v1/systemAuth/token", headers=system, json={"idToken": "nope"})
    assert bad.status_code == 200
    assert bad.json() == {"operatorId": None}
    # an application key may not ask
    denied = client.post("/api/v1/systemAuth/token", headers=KEY, json={"idToken": token})
    assert denied.status_code == 403
    assert denied.json()["message"] == "Invalid key"
    blank = client.post("/api/v1/systemAuth/token", headers=system, json={"idToken": ""})
    assert blank.json()["message"] == "Validation failed, idToken: cannot be blank."
    wrong_type = client.post("/api/v1/systemAuth/token", headers=system, json={"idToken": 1})
    assert wrong_type.json()["message"] == (
        "Invalid request parameters, idToken: Unmarshal type error: expected=string, got=number."
    )


def test_system_api_key_check(client: TestClient, seeded: Database) -> None:
    system = {"apiKey": "Sample-APIKey2"}
    check = client.post(
        "/api/v1/systemAuth/apiKey",
        headers=system,
        json={"apiKey": "Sample-APIKey1", "ipAddress": "192.0.2.7"},
    )
    assert check.json() == {"isApiKeyValid": True, "isIpAddressValid": True}
    unknown = client.post(
        "/api/v1/systemAuth/apiKey",
        headers=system,
        json={"apiKey": "nope", "ipAddress": "192.0.2.7"},
    )
    assert unknown.json() == {"isApiKeyValid": False, "isIpAddressValid": False}
    empty = client.post("/api/v1/systemAuth/apiKey", headers=system, json={})
    assert (
        empty.json()["message"]
        == "Validation failed, apiKey: cannot be blank; ipAddress: cannot be blank."
    )


@pytest.mark.parametrize(
    ("cidrs", "address", "allowed"),
    [
        (["10.0.0.0/8"], "10.1.2.3", True),
        (["10.0.0.0/8"], "192.0.2.1", False),
        (["2001:db8::/32"], "2001:db8::1", True),
        (["2001:db8::/32"], "10.1.2.3", False),
        (["0.0.0.0/0"], "::1", False),
        (["0.0.0.0/0", "::/0"], "::1", True),
        ([], "203.0.113.9", True),
    ],
)
def test_api_key_address_allow_list(
    settings: Settings, seeded: Database, cidrs: list[str], address: str, allowed: bool
) -> None:
    with seeded.transaction() as session:
        _, key = api_keys.issue_api_key(
            session, application_name="t", attribute=ApplicationAttribute.APPLICATION, cidrs=cidrs
        )
    app = create_app(settings, database=seeded)
    with TestClient(app, client=(address, 40000)) as client:
        response = client.post(
            "/auth/login",
            headers={"apiKey": key},
            json={"operatorAccountId": A.email, "accountPassword": A.password},
        )
    if allowed:
        assert response.status_code == 201
    else:
        assert response.status_code == 403
        assert response.json()["message"] == "IP address not authorized for this API key"


def test_ip_check_can_be_switched_off(settings: Settings, seeded: Database) -> None:
    app = create_app(settings.model_copy(update={"ip_check": False}), database=seeded)
    with TestClient(app, client=("::1", 40000)) as client:
        with seeded.transaction() as session:
            _, key = api_keys.issue_api_key(
                session,
                application_name="t",
                attribute=ApplicationAttribute.APPLICATION,
                cidrs=["10.0.0.0/8"],
            )
        assert (
            client.post(
                "/auth/login",
                headers={"apiKey": key},
                json={"operatorAccountId": A.email, "accountPassword": A.password},
            ).status_code
            == 201
        )


def test_forwarded_address_behind_a_proxy(settings: Settings, seeded: Database) -> None:
    with seeded.transaction() as session:
        _, key = api_keys.issue_api_key(
            session,
            application_name="t",
            attribute=ApplicationAttribute.APPLICATION,
            cidrs=["10.0.0.0/8"],
        )
    app = create_app(settings.model_copy(update={"trusted_proxy_hops": 2}), database=seeded)
    body = {"operatorAccountId": A.email, "accountPassword": A.password}
    with TestClient(app, client=("127.0.0.1", 40000)) as client:
        ok = client.post(
            "/auth/login",
            json=body,
            headers={"apiKey": key, "X-Forwarded-For": "10.9.9.9, 172.16.0.1"},
        )
        assert ok.status_code == 201
        spoofed = client.post(
            "/auth/login",
            json=body,
            headers={"apiKey": key, "X-Forwarded-For": "10.0.0.1, 203.0.113.5, 172.16.0.1"},
        )
        assert spoofed.status_code == 403
        missing = client.post("/auth/login", json=body, headers={"apiKey": key})
        assert missing.status_code == 403


def test_key_bound_to_operators(client: TestClient, seeded: Database) -> None:
    """Sample-APIKey1 is bound to A and B: a third company's token is refused with it."""
    from battrace.identity import accounts, operators  # noqa: PLC0415

    with seeded.transaction() as session:
        other = operators.create_operator(
            session, name="C社", address="大阪", open_operator_id="3333333333333"
        )
        session.flush()
        accounts.create_account(
            session, operator_id=other.id, email="c@example.com", password="Cc&12345"
        )
        _, own_key = api_keys.issue_api_key(
            session,
            application_name="c",
            cidrs=["0.0.0.0/0"],
            attribute=ApplicationAttribute.APPLICATION,
        )
    headers = login(client, "c@example.com", "Cc&12345", key=own_key)
    assert client.get(f"{DT}?dataTarget=parts", headers=headers).status_code == 200
    refused = client.get(f"{DT}?dataTarget=parts", headers={**headers, "apiKey": "Sample-APIKey1"})
    assert refused.status_code == 403
    # nor can C log in or refresh through a key that does not serve it
    login_refused = client.post(
        "/auth/login",
        headers={"apiKey": "Sample-APIKey1"},
        json={"operatorAccountId": "c@example.com", "accountPassword": "Cc&12345"},
    )
    assert login_refused.status_code == 403
    assert login_refused.json()["message"] == "You do not have the necessary privileges"
    refresh = client.post(
        "/auth/login",
        headers={"apiKey": own_key},
        json={"operatorAccountId": "c@example.com", "accountPassword": "Cc&12345"},
    )
    refused_refresh = client.post(
        "/auth/refresh",
        headers={"apiKey": "Sample-APIKey1"},
        json={"refreshToken": refresh.json()["refreshToken"]},
    )
    assert refused_refresh.status_code == 403


def test_api_keys_are_stored_hashed(seeded: Database) -> None:
    from battrace.identity.models import ApiKey  # noqa: PLC0415

    with seeded.transaction() as session:
        _, key = api_keys.issue_api_key(
            session, application_name="h", attribute=ApplicationAttribute.APPLICATION
        )
    with seeded.session() as session:
        stored = [row.key_hash for row in session.scalars(select(ApiKey))]
    assert key not in stored
    assert "Sample-APIKey1" not in stored
    assert all(len(value) == 64 for value in stored)


def test_settings_cost_is_used(settings: Settings) -> None:
    assert settings.password_time_cost == TEST_HASH_COST["password_time_cost"]
