"""The traceability-system endpoints the reference web client calls (digest 9.4):
certificates, disclosure, notifications and reply messages, end to end over HTTP."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from battrace.settings import Settings
from battrace.store import Database
from tests.support import DT, A, B, TutorialChain, cfp_set, login_a, tutorial_chain

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


Chain = TutorialChain


@pytest.fixture
def chain(client: TestClient, seeded: Database) -> Chain:
    """A asks B for the CFP of A1; B links its terminated part and answers."""
    return tutorial_chain(client)


def trace_headers(headers: dict[str, str]) -> dict[str, str]:
    """The reference BFF sends the key of the traceability endpoints as x-api-key."""
    return {"x-api-key": headers["apiKey"], "Authorization": headers["Authorization"]}


def upload_slot(
    client: TestClient, headers: dict[str, str], name: str = "x.pdf", extension: str = "pdf"
) -> Response:
    """Ask B's upload URL for one file."""
    return client.post(
        "/fileUploadUrl",
        headers=trace_headers(headers),
        json={
            "operatorId": str(B.operator_id),
            "fileInfo": [{"fileName": name, "extension": extension}],
        },
    )


def upload(
    client: TestClient,
    headers: dict[str, str],
    operator: object,
    trace: str,
    content: bytes = PDF,
    name: str = "B01_CFP.pdf",
) -> dict[str, object]:
    slots = client.post(
        "/fileUploadUrl",
        headers=trace_headers(headers),
        json={"operatorId": str(operator), "fileInfo": [{"fileName": name, "extension": "PDF"}]},
    )
    assert slots.status_code == 200, slots.text
    [slot] = slots.json()
    assert slot["URL"].startswith("http")
    sent = client.put(slot["URL"], content=content, headers={"Content-Type": "application/pdf"})
    assert sent.status_code == 200, sent.text
    attached = client.post(
        "/cfpCertificationInfo",
        headers=trace_headers(headers),
        json={
            "operatorId": str(operator),
            "traceId": trace,
            "cfpCertificationDescription": "第三者検証",
            "cfpCertificationFileInfo": [{"fileId": slot["fileId"], "fileName": name}],
        },
    )
    assert attached.status_code == 200, attached.text
    return attached.json()


def test_certificate_upload_and_download(
    client: TestClient, chain: Chain, settings: Settings
) -> None:
    certificate = upload(client, chain.b, B.operator_id, chain.b_part)
    [file_info] = certificate["cfpCertificationFileInfo"]  # type: ignore[misc]
    assert file_info["operatorId"] == str(B.operator_id)

    # The owner sees its certificate and downloads the very bytes it sent.
    own = client.get(f"{DT}?dataTarget=cfpCertification&traceId={chain.b_part}", headers=chain.b)
    assert own.json()[0]["cfpCertificationFileInfo"] == [file_info]
    link = client.get(
        "/fileDownloadUrl",
        headers=trace_headers(chain.b),
        params={
            "operatorId": str(B.operator_id),
            "fileOperatorId": str(B.operator_id),
            "fileId": file_info["fileId"],
            "downloadType": "OWN",
            "cfpCertificationId": certificate["cfpCertificationId"],
        },
    )
    assert link.status_code == 200, link.text
    downloaded = client.get(link.json()["URL"])
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).digest() == hashlib.sha256(PDF).digest()
    assert downloaded.headers["content-type"] == "application/pdf"

    # The customer sees it through its own part, and downloads it through the trade.
    theirs = client.get(
        f"{DT}?dataTarget=cfpCertification&traceId={chain.a_child}", headers=chain.a
    ).json()
    assert theirs == [
        {
            "cfpCertificationId": certificate["cfpCertificationId"],
            "traceId": chain.a_child,
            "cfpCertificationDescription": "第三者検証",
            "cfpCertificationFileInfo": [file_info],
        }
    ]
    other = client.get(
        "/fileDownloadUrl",
        headers=trace_headers(chain.a),
        params={
            "operatorId": str(A.operator_id),
            "fileOperatorId": str(B.operator_id),
            "fileId": file_info["fileId"],
            "downloadType": "OTHER",
            "cfpCertificationId": chain.trade_id,
        },
    )
    assert other.status_code == 200, other.text
    assert client.get(other.json()["URL"]).content == PDF

    # Files live under the configured directory; deleting removes the row and the file.
    assert settings.certificate_dir is not None
    stored = [p for p in Path(settings.certificate_dir).rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [PDF]
    gone = client.delete(
        "/cfpCertifications",
        headers=trace_headers(chain.b),
        params={
            "operatorId": str(B.operator_id),
            "traceId": chain.b_part,
            "fileId": file_info["fileId"],
        },
    )
    assert gone.json() == {"traceId": chain.b_part, "fileId": file_info["fileId"]}
    assert (
        client.get(
            f"{DT}?dataTarget=cfpCertification&traceId={chain.b_part}", headers=chain.b
        ).json()
        == []
    )
    assert [p for p in Path(settings.certificate_dir).rglob("*") if p.is_file()] == []
    assert client.get(link.json()["URL"]).status_code == 404


@pytest.mark.parametrize(
    ("extension", "content", "status"),
    [("exe", PDF, 400), ("pdf", b"MZ\x90\x00not a pdf", 400), ("pdf", b"", 400)],
)
def test_upload_limits(
    client: TestClient, chain: Chain, extension: str, content: bytes, status: int
) -> None:
    slots = upload_slot(client, chain.b, "x", extension)
    if slots.status_code != 200:
        assert slots.status_code == status
        assert slots.json()["errors"][0]["errorDescription"].startswith("extension")
        return
    sent = client.put(slots.json()[0]["URL"], content=content)
    assert sent.status_code == status
    assert "errors" in sent.json()


def test_upload_size_limit(client: TestClient, chain: Chain, settings: Settings) -> None:
    slots = upload_slot(client, chain.b, "big", "pdf")
    too_big = b"%PDF" + b"0" * settings.certificate_max_bytes
    sent = client.put(slots.json()[0]["URL"], content=too_big)
    assert sent.status_code == 413
    # The slot is still empty, so it cannot be attached.
    attached = client.post(
        "/cfpCertificationInfo",
        headers=trace_headers(chain.b),
        json={
            "operatorId": str(B.operator_id),
            "traceId": chain.b_part,
            "cfpCertificationFileInfo": [{"fileId": slots.json()[0]["fileId"], "fileName": "big"}],
        },
    )
    assert attached.status_code == 400


def test_tampered_link_is_refused(client: TestClient, chain: Chain) -> None:
    slots = upload_slot(client, chain.b, "x", "pdf")
    url = slots.json()[0]["URL"]
    assert client.put(url[:-3] + "abc", content=PDF).status_code == 403
    assert client.put(url.split("?")[0], content=PDF).status_code == 403


def test_disclosure_and_its_listing(client: TestClient, chain: Chain) -> None:
    headers = trace_headers(chain.b)
    response = client.post(
        "/cfpAcl",
        headers=headers,
        json={
            "operatorId": str(B.operator_id),
            "releasedToOperatorId": str(A.operator_id),
            "traceId": chain.b_part,
            "acl": [
                {"aclItemGroup": "TOTALCFP", "releasedFlag": False},
                {"aclItemGroup": "TOTALDQR", "releasedFlag": True},
            ],
        },
    )
    assert response.json() == {"traceId": chain.b_part}
    listed = client.get(
        "/cfpAcl",
        headers=headers,
        params={"operatorId": str(B.operator_id), "traceId": chain.b_part},
    ).json()
    assert listed == [
        {
            "releasedFromOperatorId": str(B.operator_id),
            "releasedToOperatorId": str(A.operator_id),
            "traceId": chain.b_part,
            "acl": [
                {"aclItemGroup": "TOTALCFP", "releasedFlag": False},
                {"aclItemGroup": "TOTALDQR", "releasedFlag": True},
            ],
        }
    ]
    rows = client.get(f"{DT}?dataTarget=cfp&traceIds={chain.a_child}", headers=chain.a).json()
    assert [row["ghgEmission"] for row in rows] == [None, None]
    assert rows[0]["dqrValue"] == {"TeR": 1, "GeR": 2, "TiR": 3}
    client.post(
        "/cfpCertificationAcl",
        headers=headers,
        json={
            "operatorId": str(B.operator_id),
            "releasedToOperatorId": str(A.operator_id),
            "traceId": chain.b_part,
            "releasedFlag": False,
        },
    )
    assert (
        client.get(
            "/cfpCertificationAcl",
            headers=headers,
            params={"operatorId": str(B.operator_id), "traceId": chain.b_part},
        ).json()[0]["releasedFlag"]
        is False
    )


def test_notifications_follow_the_trade(client: TestClient, chain: Chain) -> None:
    def kinds(headers: dict[str, str], operator: object) -> list[str]:
        body = client.get(
            "/notifications", headers=trace_headers(headers), params={"operatorId": str(operator)}
        ).json()
        assert body["next"] is None
        return [item["notificationType"] for item in body["notifications"]]

    assert kinds(chain.b, B.operator_id) == ["REQUEST_NEW"]
    assert kinds(chain.a, A.operator_id) == ["CFP_RESPONSED"]
    reply = client.post(
        "/replyMessages",
        headers=trace_headers(chain.b),
        json={
            "operatorId": str(B.operator_id),
            "requestId": chain.status_id,
            "replyMessage": "回答しました",
        },
    )
    assert reply.json() == {"requestId": chain.status_id}
    assert kinds(chain.a, A.operator_id) == ["REPLY_MESSAGE_REGISTERED", "CFP_RESPONSED"]
    status = client.get(
        f"{DT}?dataTarget=status&statusTarget=REQUEST&traceId={chain.a_child}", headers=chain.a
    ).json()[0]
    assert status["replyMessage"] == "回答しました"
    # An update of the CFP tells the customer again.
    cfp_id = client.get(f"{DT}?dataTarget=cfp&traceIds={chain.b_part}", headers=chain.b).json()[0][
        "cfpId"
    ]
    client.put(
        f"{DT}?dataTarget=cfp", headers=chain.b, json=cfp_set(chain.b_part, 2, 10, cfp_id=cfp_id)
    )
    assert kinds(chain.a, A.operator_id)[0] == "CFP_UPDATED"
    notification = client.get(
        "/notifications", headers=trace_headers(chain.a), params={"operatorId": str(A.operator_id)}
    ).json()["notifications"][0]
    assert notification["tradeRelation"] == {
        "tradeId": chain.trade_id,
        "requestId": chain.status_id,
        "downstreamOperatorId": str(A.operator_id),
        "upstreamOperatorId": str(B.operator_id),
        "downstreamTraceId": chain.a_child,
        "upstreamTraceId": chain.b_part,
    }
    # a time window in the future holds nothing
    later = client.get(
        "/notifications",
        headers=trace_headers(chain.a),
        params={"operatorId": str(A.operator_id), "notifiedAtFrom": "2999-01-01T00:00:00.000Z"},
    ).json()
    assert later == {"notifications": [], "next": None}


def test_key_id(client: TestClient, chain: Chain) -> None:
    assert client.get("/keyId").text == "battrace-local"


def test_cors_for_a_browser_client(settings: Settings, seeded: Database) -> None:
    from battrace.app import create_app  # noqa: PLC0415

    origin = "http://localhost:3000"
    app = create_app(settings.model_copy(update={"cors_origins": [origin]}), database=seeded)
    with TestClient(app, client=("127.0.0.1", 1)) as client:
        preflight = client.options(
            f"{DT}?dataTarget=parts",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "apikey,authorization,content-type,x-requested-with",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        headers = login_a(client)
        listed = client.get(f"{DT}?dataTarget=parts", headers={**headers, "Origin": origin})
        assert listed.headers["access-control-allow-origin"] == origin
        assert "Link" in listed.headers["access-control-expose-headers"]
        foreign = client.options(
            f"{DT}?dataTarget=parts",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert "access-control-allow-origin" not in foreign.headers


def test_an_upload_slot_takes_one_upload(client: TestClient, chain: Chain) -> None:
    slots = upload_slot(client, chain.b, "x.pdf", "pdf")
    url = slots.json()[0]["URL"]
    assert client.put(url, content=PDF).status_code == 200
    again = client.put(url, content=b"%PDF-forged")
    assert again.status_code == 400
    assert again.json()["errors"][0]["errorDescription"].startswith("file: this upload slot")


def test_a_file_link_is_not_an_access_token(client: TestClient, chain: Chain) -> None:
    slots = upload_slot(client, chain.b, "x.pdf", "pdf")
    token = slots.json()[0]["URL"].split("token=")[1]
    response = client.get(
        f"{DT}?dataTarget=parts",
        headers={"apiKey": chain.b["apiKey"], "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401


def test_cfp_answers_follow_every_write_across_workers(
    client: TestClient, chain: Chain, settings: Settings, seeded: Database
) -> None:
    """GET cfp keeps computed rows per worker; a write through any worker (here a second app
    on the same database) makes every worker compute them again."""
    from battrace.app import create_app  # noqa: PLC0415

    def a_sees() -> list[object]:
        rows = client.get(f"{DT}?dataTarget=cfp&traceIds={chain.a_child}", headers=chain.a).json()
        return [row["ghgEmission"] for row in rows]

    assert a_sees() == [1.5, 10]
    assert a_sees() == [1.5, 10]  # served again, from the worker's memory
    other_worker = create_app(settings, database=seeded)
    with TestClient(other_worker, client=("127.0.0.1", 2)) as second:
        cfp_id = second.get(f"{DT}?dataTarget=cfp&traceIds={chain.b_part}", headers=chain.b).json()[
            0
        ]["cfpId"]
        second.put(
            f"{DT}?dataTarget=cfp",
            headers=chain.b,
            json=cfp_set(chain.b_part, 2.5, 10, cfp_id=cfp_id),
        )
    assert a_sees() == [2.5, 10]
    client.post(
        "/cfpAcl",
        headers=trace_headers(chain.b),
        json={
            "operatorId": str(B.operator_id),
            "releasedToOperatorId": str(A.operator_id),
            "traceId": chain.b_part,
            "acl": [{"aclItemGroup": "TOTALCFP", "releasedFlag": False}],
        },
    )
    assert a_sees() == [None, None]
