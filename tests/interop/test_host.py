"""The PACT host over HTTPS, v2.3 and v3.0: authentication, listing, paging, filters,
GetFootprint, events, and each negative path of the conformance checklist."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import jwt
import pytest
from fastapi.testclient import TestClient

from battrace.pact import clients, events, publishing
from battrace.pact.models import IncomingRequest, OutgoingEvent
from battrace.store import Database
from tests.interop.schemas import assert_valid
from tests.interop.support import HTTPS, A, basic, bearer, publish_chain
from tests.support import DT, cfp_set, create_plant, login_a, part

VERSIONS = (2, 3)


@pytest.fixture
def published(client: TestClient, seeded: Database) -> object:
    return publish_chain(client, seeded)


# ------------------------------------------------------------------ authentication


def test_token_and_discovery(client: TestClient, published: object) -> None:
    assert isinstance(published, type(published))
    discovery = client.get(f"{HTTPS}/.well-known/openid-configuration")
    assert discovery.status_code == 200
    assert discovery.json()["token_endpoint"] == f"{HTTPS}/auth/token"
    response = client.post(
        f"{HTTPS}/auth/token",
        data={"grant_type": "client_credentials", "scope": "footprint:list"},
        headers=basic(published.client_id, published.secret),  # type: ignore[attr-defined]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("headers", "data", "status", "error"),
    [
        (None, {"grant_type": "client_credentials"}, 401, "invalid_client"),
        ("wrong", {"grant_type": "client_credentials"}, 401, "invalid_client"),
        ("right", {"grant_type": "password"}, 400, "unsupported_grant_type"),
        ("right", {}, 400, "invalid_request"),
    ],
)
def test_token_errors_follow_rfc_6749(
    client: TestClient,
    published: object,
    headers: str | None,
    data: dict[str, str],
    status: int,
    error: str,
) -> None:
    p = published
    auth = {}
    if headers == "right":
        auth = basic(p.client_id, p.secret)  # type: ignore[attr-defined]
    elif headers == "wrong":
        auth = basic(p.client_id, "not-the-secret")  # type: ignore[attr-defined]
    response = client.post(f"{HTTPS}/auth/token", data=data, headers=auth)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]


@pytest.mark.parametrize("version", VERSIONS)
def test_plain_http_is_refused(client: TestClient, published: object, version: int) -> None:
    p = published
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]
    for method, path in (
        ("GET", f"/{version}/footprints"),
        ("GET", f"/{version}/footprints/{uuid.uuid4()}"),
        ("POST", f"/{version}/events"),
    ):
        response = client.request(method, f"http://testserver{path}", headers=headers)
        assert response.status_code == 400, path
        assert response.json()["code"] == "BadRequest"
    token = client.post(
        "http://testserver/auth/token",
        data={"grant_type": "client_credentials"},
        headers=basic(p.client_id, p.secret),  # type: ignore[attr-defined]
    )
    assert token.status_code == 400
    assert token.json()["error"] == "invalid_request"


@pytest.mark.parametrize(("version", "status"), [(2, 400), (3, 401)])
def test_invalid_or_missing_token(
    client: TestClient, published: object, version: int, status: int
) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = client.get(f"{HTTPS}/{version}/footprints", headers=headers)
        assert response.status_code == status
        assert response.json()["code"] == "BadRequest"


@pytest.mark.parametrize("version", VERSIONS)
def test_expired_token(client: TestClient, app: object, published: object, version: int) -> None:

    state = app.state.pact  # type: ignore[attr-defined]
    expired = jwt.encode(
        {
            "iss": "battrace-pact",
            "aud": "pact",
            "sub": published.client_row_id,  # type: ignore[attr-defined]
            "op": str(A.operator_id),
            "exp": 1000,
            "iat": 900,
        },
        state.token_secret,
        algorithm="HS256",
    )
    response = client.get(
        f"{HTTPS}/{version}/footprints", headers={"Authorization": f"Bearer {expired}"}
    )
    assert response.status_code == 401
    assert response.json() == {"code": "TokenExpired", "message": "The access token has expired."}


# ------------------------------------------------------------------ list, get, page


@pytest.mark.parametrize("version", VERSIONS)
def test_list_and_get_serve_valid_signed_footprints(
    client: TestClient, published: object, version: int
) -> None:
    p = published
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]
    listed = client.get(f"{HTTPS}/{version}/footprints", headers=headers)
    assert listed.status_code == 200, listed.text
    data = listed.json()["data"]
    assert len(data) == 1
    footprint = data[0]
    assert_valid(version, footprint)
    assert footprint["productIds"] == [f"urn:uuid:{p.parent}"]  # type: ignore[attr-defined]
    pcf = footprint["pcf"]
    # 部品A: own 3 / 20 plus 5 kg of B's 1.5 / 10 = 10.5 / 70
    total = pcf["pCfExcludingBiogenic"] if version == 2 else pcf["pcfExcludingBiogenicUptake"]
    assert total == "80.5"
    assert footprint["extensions"][-1]["data"]["jws"].count(".") == 2
    one = client.get(f"{HTTPS}/{version}/footprints/{footprint['id']}", headers=headers)
    assert one.status_code == 200
    assert one.json()["data"] == footprint
    assert_valid(version, one.json()["data"])


@pytest.mark.parametrize(("version", "code"), [(2, "NoSuchFootprint"), (3, "NotFound")])
def test_unknown_and_unpublished_footprints_are_not_found(
    client: TestClient, published: object, version: int, code: str
) -> None:
    p = published
    mine = client.get(
        f"{HTTPS}/{version}/footprints", headers=bearer(client, p.client_id, p.secret)
    ).json()["data"]  # type: ignore[attr-defined]
    other = bearer(client, p.other_client_id, p.other_secret)  # type: ignore[attr-defined]
    assert client.get(f"{HTTPS}/{version}/footprints", headers=other).json() == {"data": []}
    for pf_id in (str(uuid.uuid4()), mine[0]["id"], "not-a-uuid"):
        response = client.get(f"{HTTPS}/{version}/footprints/{pf_id}", headers=other)
        assert response.status_code == 404
        assert response.json()["code"] == code


def _publish_many(client: TestClient, database: Database, client_row_id: str, count: int) -> None:

    a = login_a(client)
    plant = create_plant(client, a, A.operator_id, "1234567890123099999")
    for index in range(count):
        made = client.put(
            f"{DT}?dataTarget=parts",
            headers=a,
            json=part(A.operator_id, plant, f"cell-{index}", terminated=True),
        ).json()
        assert (
            client.put(
                f"{DT}?dataTarget=cfp", headers=a, json=cfp_set(made["traceId"], 1 + index, 2)
            ).status_code
            == 201
        )
        with database.transaction() as session:
            publishing.publish(
                session,
                caller=A.operator_id,
                trace_id=uuid.UUID(made["traceId"]),
                client_row_id=uuid.UUID(client_row_id),
                options=publishing.PublishOptions(geography_country="JP" if index % 2 else "DE"),
                disclose_by_default=True,
            )


@pytest.mark.parametrize("version", VERSIONS)
def test_paging_with_absolute_next_links(
    client: TestClient, seeded: Database, published: object, version: int
) -> None:
    p = published
    _publish_many(client, seeded, p.client_row_id, 4)  # type: ignore[attr-defined]
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]
    url = f"{HTTPS}/{version}/footprints?limit=2"
    seen: list[str] = []
    pages = 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        seen.extend(f["id"] for f in response.json()["data"])
        link = response.headers.get("link")
        if link:
            assert link.startswith(f"<{HTTPS}/{version}/footprints?") and link.endswith(
                '>; rel="next"'
            )
            url = link[1 : link.index(">")]
            # the same link answers the same page again
            assert (
                client.get(url, headers=headers).json() == client.get(url, headers=headers).json()
            )
        else:
            url = ""
        pages += 1
    assert len(seen) == len(set(seen)) == 5
    assert pages == 3
    for bad in ("0", "-1", "x"):
        response = client.get(f"{HTTPS}/{version}/footprints?limit={bad}", headers=headers)
        assert response.status_code == 400
        assert response.json()["code"] == "BadRequest"


def test_v3_filters_or_within_and_across(
    client: TestClient, seeded: Database, published: object
) -> None:
    p = published
    _publish_many(client, seeded, p.client_row_id, 4)  # type: ignore[attr-defined]
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]

    def ids(query: str) -> set[str]:
        response = client.get(f"{HTTPS}/3/footprints?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {f["productIds"][0] for f in response.json()["data"]}

    everything = ids("")
    assert len(everything) == 5
    assert len(ids("geography=jp")) == 2  # case-insensitive
    assert len(ids("geography=JP&geography=DE")) == 4  # OR
    parent = f"urn:uuid:{p.parent}"  # type: ignore[attr-defined]
    assert ids(f"productId={parent}") == {parent}
    assert ids(f"productId={parent}&geography=JP") == set()  # AND
    assert ids(f"companyId=urn:uuid:{A.operator_id}") == everything
    assert ids("status=Active") == everything
    assert ids("status=Deprecated") == set()
    assert ids("status=bogus") == set()
    assert ids("productId=urn:unknown") == set()
    assert ids("classification=urn:x") == set()
    assert ids("validOn=2026-06-01T00:00:00.000Z") == everything
    assert ids("validOn=2040-01-01T00:00:00Z") == set()
    assert ids("validBefore=2040-01-01T00:00:00Z") == everything
    assert ids("validAfter=2000-01-01T00:00:00Z") == everything
    bad = client.get(f"{HTTPS}/3/footprints?validOn=yesterday", headers=headers)
    assert bad.status_code == 400


def test_v2_filter(client: TestClient, seeded: Database, published: object) -> None:
    p = published
    _publish_many(client, seeded, p.client_row_id, 2)  # type: ignore[attr-defined]
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]

    def count(expression: str) -> int:
        response = client.get(
            f"{HTTPS}/2/footprints", params={"$filter": expression}, headers=headers
        )
        assert response.status_code == 200, response.text
        return len(response.json()["data"])

    parent = f"urn:uuid:{p.parent}"  # type: ignore[attr-defined]
    assert count(f"productIds/any(productId:(productId eq '{parent}'))") == 1
    assert count("pcf/geographyCountry eq 'JP'") == 1
    assert count("pcf/geographyCountry eq 'JP' and productCategoryCpc eq '4642'") == 1
    assert count("created ge '2000-01-01T00:00:00Z'") == 3
    assert count("created lt '2000-01-01T00:00:00Z'") == 0
    unsupported = client.get(
        f"{HTTPS}/2/footprints", params={"$filter": "contains(x, 'y')"}, headers=headers
    )
    assert unsupported.status_code == 400
    assert unsupported.json()["code"] == "NotImplemented"


def test_a_changed_cfp_deprecates_the_footprint(
    client: TestClient, seeded: Database, published: object
) -> None:
    p = published
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]
    first = client.get(f"{HTTPS}/3/footprints", headers=headers).json()["data"][0]
    a = login_a(client)
    rows = client.get(f"{DT}?dataTarget=cfp&traceIds={p.parent}", headers=a).json()  # type: ignore[attr-defined]
    cfp_id = rows[0]["cfpId"]
    changed = client.put(
        f"{DT}?dataTarget=cfp", headers=a, json=cfp_set(p.parent, 4.0, 20.0, cfp_id=cfp_id)
    )  # type: ignore[attr-defined]
    assert changed.status_code == 201, changed.text
    with seeded.transaction() as session:
        made = publishing.refresh(session, caller=A.operator_id, disclose_by_default=True)
    assert len(made) == 1
    with seeded.transaction() as session:
        assert (
            publishing.refresh(session, caller=A.operator_id, disclose_by_default=True) == []
        )  # nothing changed since
    listed = {
        f["id"]: f for f in client.get(f"{HTTPS}/3/footprints", headers=headers).json()["data"]
    }
    assert listed[first["id"]]["status"] == "Deprecated"
    new = listed[str(made[0].id)]
    assert new["status"] == "Active"
    assert new["precedingPfIds"] == [first["id"]]
    assert new["pcf"]["pcfExcludingBiogenicUptake"] == "81.5"
    v2 = client.get(f"{HTTPS}/2/footprints/{new['id']}", headers=headers).json()["data"]
    assert v2["version"] == 1
    assert_valid(2, v2)
    old = client.get(f"{HTTPS}/2/footprints/{first['id']}", headers=headers).json()["data"]
    assert old["status"] == "Deprecated"
    assert_valid(2, old)


# ------------------------------------------------------------------ events


def _event(
    version: int, kind: str, data: dict[str, object], source: str = "https://buyer.example"
) -> dict[str, object]:
    return {
        "type": events.TYPES[version][kind],
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "time": datetime.now(UTC).isoformat(),
        "data": data,
    }


CE = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}


@pytest.mark.parametrize("version", VERSIONS)
def test_request_created_is_answered_into_the_outbox(
    client: TestClient, seeded: Database, published: object, version: int
) -> None:
    p = published
    headers = {**bearer(client, p.client_id, p.secret), **CE}  # type: ignore[attr-defined]
    parent = f"urn:uuid:{p.parent}"  # type: ignore[attr-defined]
    data = (
        {"pf": {"productIds": [parent]}, "comment": ""} if version == 2 else {"productId": [parent]}
    )
    created = _event(version, "created", data)
    response = client.post(f"{HTTPS}/{version}/events", json=created, headers=headers)
    assert response.status_code == 200, response.text
    assert response.content == b""
    missing = {"pf": {"productIds": ["urn:x"]}} if version == 2 else {"productId": ["urn:x"]}
    assert (
        client.post(
            f"{HTTPS}/{version}/events", json=_event(version, "created", missing), headers=headers
        ).status_code
        == 200
    )
    with seeded.transaction() as session:
        answers = {
            o.event["data"]["requestEventId"]: o  # type: ignore[index]
            for o in session.query(OutgoingEvent).all()
        }
        assert session.get(IncomingRequest, (A.operator_id, created["id"])).answer == "fulfilled"
    fulfilled = answers[created["id"]]
    assert fulfilled.target_url == f"https://buyer.example/{version}/events"
    assert fulfilled.event["type"] == events.TYPES[version]["fulfilled"]
    pfs = fulfilled.event["data"]["pfs"]  # type: ignore[index]
    assert [pf["productIds"] for pf in pfs] == [[parent]]
    assert_valid(version, fulfilled.event, "RequestFulfilledEvent")
    rejected = next(o for k, o in answers.items() if k != created["id"])
    assert rejected.event["type"] == events.TYPES[version]["rejected"]
    assert rejected.event["data"]["error"]["code"] == (
        "NoSuchFootprint" if version == 2 else "NotFound"
    )  # type: ignore[index]
    # no credentials for buyer.example: the delivery fails visibly and is retried later
    assert fulfilled.delivered_at is None


@pytest.mark.parametrize("version", VERSIONS)
def test_bad_events_are_refused(client: TestClient, published: object, version: int) -> None:
    p = published
    headers = {**bearer(client, p.client_id, p.secret), **CE}  # type: ignore[attr-defined]
    cases = [
        _event(version, "published", {"pfIds": ["not-a-uuid"]}),
        _event(version, "published", {"pfIds": []}),
        {"type": events.TYPES[version]["created"], "specversion": "1.0"},
        _event(version, "created", {"productId": ["x"]}, source="http://plain.example"),
        {
            **_event(version, "published", {"pfIds": [str(uuid.uuid4())]}),
            "type": "org.example.Other",
        },
    ]
    for body in cases:
        response = client.post(f"{HTTPS}/{version}/events", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json()["code"] == "BadRequest"
    ok = client.post(
        f"{HTTPS}/{version}/events",
        json=_event(version, "published", {"pfIds": [str(uuid.uuid4())]}),
        headers=headers,
    )
    assert ok.status_code == 200
    unauthenticated = client.post(f"{HTTPS}/{version}/events", json=cases[0], headers=CE)
    assert unauthenticated.status_code == (400 if version == 2 else 401)


def test_revoked_client_is_refused(client: TestClient, seeded: Database, published: object) -> None:

    p = published
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]
    with seeded.transaction() as session:
        clients.revoke_client(
            session, caller=A.operator_id, client_row_id=uuid.UUID(p.client_row_id)
        )  # type: ignore[attr-defined]
    assert client.get(f"{HTTPS}/3/footprints", headers=headers).status_code == 401
    token = client.post(
        f"{HTTPS}/auth/token",
        data={"grant_type": "client_credentials"},
        headers=basic(p.client_id, p.secret),
    )  # type: ignore[attr-defined]
    assert token.status_code == 401


def test_jwks_is_public(client: TestClient, seeded: Database, published: object) -> None:
    p = published
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]
    footprint = client.get(f"{HTTPS}/3/footprints", headers=headers).json()["data"][0]
    url = footprint["extensions"][-1]["data"]["jwks"]
    assert url == f"{HTTPS}/pact/operators/{A.operator_id}/jwks.json"
    keys = client.get(url).json()["keys"]
    assert keys and keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519"


def test_cached_pages_follow_writes_and_revocation(
    client: TestClient, seeded: Database, published: object
) -> None:
    """A worker keeps ListFootprints answers, but a write through the server's write path
    (which raises the owner's data version) is seen by the next request, and a revocation
    stops the client at once however it was written."""
    from battrace.store import version  # noqa: PLC0415

    p = published
    headers = bearer(client, p.client_id, p.secret)  # type: ignore[attr-defined]
    url = f"{HTTPS}/3/footprints?limit=10"
    first = client.get(url, headers=headers).json()["data"]
    assert client.get(url, headers=headers).json()["data"] == first  # served again
    with seeded.transaction() as session:
        publishing.unpublish(
            session,
            caller=A.operator_id,
            trace_id=uuid.UUID(p.parent),  # type: ignore[attr-defined]
            client_row_id=uuid.UUID(p.client_row_id),  # type: ignore[attr-defined]
        )
        version.bump(session)
    assert first and client.get(url, headers=headers).json()["data"] == []
    with seeded.transaction() as session:  # no version raised: the client check still holds
        clients.revoke_client(
            session,
            caller=A.operator_id,
            client_row_id=uuid.UUID(p.client_row_id),  # type: ignore[attr-defined]
        )
    assert client.get(url, headers=headers).status_code == 401
