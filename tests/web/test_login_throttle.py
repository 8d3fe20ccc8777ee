"""The web login shares the API's throttle (`AppState.login_failures`): one client's failures
across many accounts pause that client, and an account's failures through either surface
count against the account, whoever sends them."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from battrace.app import create_app
from battrace.cli.seeds import APPLICATION_KEY
from battrace.settings import Settings
from battrace.store import Database
from tests.web.support import A, B, WebUser

THROTTLED = "この接続元からのログインの失敗が多すぎる"


def _web(app: FastAPI, address: str) -> WebUser:
    user = WebUser(app)
    user.client = TestClient(app, client=(address, 50001), follow_redirects=True)
    user.get("/login")
    return user


def test_one_clients_failures_over_many_accounts_pause_that_client(
    settings: Settings, database: Database, seeded: Database
) -> None:
    # The account lockout (5 failures of one account) never comes into play here.
    throttled = settings.model_copy(update={"login_rate_failures": 3, "login_max_failures": 100})
    app = create_app(throttled, database=database)
    guesser, bystander = _web(app, "192.0.2.7"), _web(app, "192.0.2.8")
    for email in ("one@example.com", "two@example.com", B.email):
        failed = guesser.post("/login", {"email": email, "password": "nope-nope"})
        assert failed.status_code == 401
    # The fourth try is refused before any password is checked, even the right one.
    refused = guesser.post("/login", {"email": A.email, "password": A.password})
    assert refused.status_code == 429
    assert THROTTLED in refused.text
    assert "/logout" not in guesser.get("/login").text  # not logged in
    # Another client logs in, to an account the guesser tried too (one failure of three).
    bystander.login(B)


def test_api_failures_count_against_the_web_login(
    settings: Settings, database: Database, seeded: Database
) -> None:
    throttled = settings.model_copy(update={"login_rate_failures": 2, "login_max_failures": 100})
    app = create_app(throttled, database=database)
    with TestClient(app, client=("192.0.2.20", 1)) as api:
        for _ in range(2):
            failed = api.post(
                "/auth/login",
                json={"operatorAccountId": B.email, "accountPassword": "nope-nope"},
                headers={"apiKey": APPLICATION_KEY},
            )
            assert failed.status_code == 401
    browser = _web(app, "192.0.2.21")
    refused = browser.post("/login", {"email": B.email, "password": B.password})
    assert refused.status_code == 429 and THROTTLED in refused.text
    browser.login(A)  # the client itself is not throttled
    # Failures of one account from many clients add up too.
    for address in ("192.0.2.22", "192.0.2.23"):
        failed = _web(app, address).post("/login", {"email": A.email, "password": "nope-nope"})
        assert failed.status_code == 401
    refused = _web(app, "192.0.2.24").post("/login", {"email": A.email, "password": A.password})
    assert refused.status_code == 429 and THROTTLED in refused.text
