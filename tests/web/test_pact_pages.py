"""The PACT pages: issue a client (secret shown once), publish, unpublish, revoke; add a
remote host (HTTPS only), a failed pull shown clearly, and the exchange log; no page shows
another company's PACT data."""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from battrace.pact.models import PactClient, RemoteHost
from battrace.store import Database
from tests.support import tutorial_chain
from tests.web.support import A, B, WebUser


def test_publishing_pages(app: FastAPI, client: TestClient, seeded: Database) -> None:
    chain = tutorial_chain(client, parent_cfp=True)
    user = WebUser(app)
    user.login(A)
    page = user.get("/pact")
    assert page.status_code == 200
    assert 'id="pact-issue-first"' in page.text  # says what to do first
    issued = user.post("/pact/clients", {"counterparty": "EU Pack GmbH"})
    assert issued.status_code == 200
    secret = re.search(r'<code id="pact-secret">([^<]+)</code>', issued.text)
    assert secret is not None
    client_id, _, shown = html.unescape(secret.group(1)).partition(" / ")
    assert client_id.startswith("pact-") and len(shown) > 30
    assert shown not in user.get("/pact").text  # shown once
    with seeded.transaction() as session:
        row = session.query(PactClient).one()
    form = user.get("/pact").text  # the product is picked from a list, not typed as a traceId
    assert f'<option value="{chain.parent}">部品A</option>' in form
    assert 'id="pact-issue-first"' not in form
    published = user.post(
        "/pact/publish", {"traceId": chain.parent, "client": str(row.id), "country": "jp"}
    )
    assert published.status_code == 200
    assert chain.parent in published.text
    bad = user.post("/pact/publish", {"traceId": "nope", "client": str(row.id)})
    assert bad.status_code == 400
    # B sees none of A's PACT data
    other = WebUser(app)
    other.login(B)
    assert "EU Pack GmbH" not in other.get("/pact").text
    assert (
        user.post("/pact/unpublish", {"traceId": chain.parent, "client": str(row.id)}).status_code
        == 200
    )
    assert user.post("/pact/clients/revoke", {"client": str(row.id)}).status_code == 200
    with seeded.transaction() as session:
        assert session.query(PactClient).one().revoked_at is not None


def test_remote_host_pages(app: FastAPI, seeded: Database) -> None:
    user = WebUser(app)
    user.login(A)
    refused = user.post(
        "/pact/hosts",
        {
            "name": "JP Cell",
            "baseUrl": "http://plain.example",
            "clientId": "x",
            "clientSecret": "y",
            "spec": "3",
        },
    )
    assert refused.status_code == 400
    assert "https://" in html.unescape(refused.text)
    added = user.post(
        "/pact/hosts",
        {
            "name": "JP Cell",
            "baseUrl": "https://127.0.0.1:1",
            "clientId": "x",
            "clientSecret": "y",
            "spec": "3",
        },
    )
    assert added.status_code == 200
    assert "JP Cell" in added.text
    with seeded.transaction() as session:
        host = session.query(RemoteHost).one()
    pulled = user.post("/pact/hosts/pull", {"host": str(host.id)})
    assert pulled.status_code == 200
    text = html.unescape(pulled.text)
    assert "host unreachable" in text  # the failure, shown clearly
    assert "failed" in text  # and in the exchange log
    with seeded.transaction() as session:
        assert session.query(RemoteHost).one().attempts == 1
