"""An attempt of one company on another's data, what the contract answers it, and the check
every attempt gets: the status and the whole body (the contract's error shape); that the
answer names nothing of the others' (parts, plants, certificates, files, trades) that the
caller did not send itself; that the whole database (every table, the audit log included)
and the certificate file store are exactly as before, so the victims' data is unchanged;
and, where the call names a foreign id, that the same call with an id nobody has answers
alike, so a refusal is no oracle of what exists.

The attempts themselves are listed by area in the `test_attempts_*.py` modules beside this.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from battrace.cli.seeds import SeedCompany
from tests.connector.sovereignty.world import (
    BAD_LINK,
    KIND,
    NO_PRIVILEGES,
    NOT_YOUR_OPERATOR,
    OWNER,
    TIMESTAMP,
    Re,
    World,
    dt,
    snapshot,
)

# -------------------------------------------------------------------- expected bodies

Message = str | Callable[[World], str]
Body = Callable[[World, "Attempt"], object]


def _text(message: Message, w: World) -> str:
    return message if isinstance(message, str) else message(w)


@dataclass(frozen=True)
class Outcome:
    status: int
    body: Body


def ok(value: Callable[[World], object]) -> Outcome:
    return Outcome(200, lambda w, attempt: value(w))


NOTHING = ok(lambda w: [])


def _detail(w: World, attempt: Attempt) -> Re:
    target = parse_qs(urlsplit(attempt.url(w)).query).get("dataTarget", [""])[0]
    return Re(
        f"id: {re.escape(w.detail_id(attempt.actor))}, timeStamp: {TIMESTAMP}, "
        f"dataTarget: {re.escape(target)}, method: {attempt.method}"
    )


def contract_error(source: str, status: int, message: Message) -> Outcome:
    """`{"code": "[source] Kind", "message", "detail": "id: …, timeStamp: …"}`."""
    return Outcome(
        status,
        lambda w, attempt: {
            "code": f"[{source}] {KIND[status]}",
            "message": _text(message, w),
            "detail": _detail(w, attempt),
        },
    )


def dataspace(status: int, message: Message) -> Outcome:
    return contract_error("dataspace", status, message)


def auth(status: int, message: Message) -> Outcome:
    return contract_error("auth", status, message)


DATASPACE_DENIED = dataspace(403, NO_PRIVILEGES)
AUTH_DENIED = auth(403, NO_PRIVILEGES)
RECORD_NOT_FOUND = dataspace(404, "record not found")
# DELETE parts: the traceability system's business error, relayed (digest 2.3, 4.3).
NO_SUCH_PART = Outcome(
    400,
    lambda w, attempt: {
        "code": "[traceability] BadRequest",
        "message": "指定された部品は存在しません。",
        "detail": "MSGAECP0013",
    },
)


def traceability(status: int, code: str, description: Message) -> Outcome:
    """The traceability-system endpoints' `{"errors": [{"errorCode", "errorDescription"}]}`."""
    return Outcome(
        status,
        lambda w, attempt: {
            "errors": [{"errorCode": code, "errorDescription": _text(description, w)}]
        },
    )


NOT_YOUR_OPERATOR_ID = traceability(403, "MSGAECP0025", NOT_YOUR_OPERATOR)
LINK_REFUSED = traceability(403, "MSGAECP0025", BAD_LINK)
FILE_NOT_FOUND = traceability(404, "MSGAECO0003", "file not found")


def ts_not_found(message: Message) -> Outcome:
    return traceability(404, "MSGAECO0003", message)


# -------------------------------------------------------------------------- attempts


@dataclass(frozen=True)
class Attempt:
    id: str
    actor: str  # "A", "B", "C"; "C@key1" = C's token with Sample-APIKey1; "anyone" = no auth
    method: str
    url: Callable[[World], str]
    outcome: Outcome
    body: Callable[[World], object] | None = None
    # A foreign id the call names: the same call with an unknown id must answer alike.
    foreign: Callable[[World], str] | None = None
    marks: tuple[pytest.MarkDecorator, ...] = ()
    # Something the parties legitimately do first (the snapshot is taken after it).
    setup: Callable[[TestClient, World], None] | None = None
    # Headers other than the actor's own (e.g. a file link presented as a Bearer token).
    headers: Callable[[World], dict[str, str]] | None = None


def status_change(w: World, new_status: str) -> dict[str, Any]:
    return {
        "statusId": w.status_id,
        "tradeId": w.trade_id,
        "requestStatus": {"cfpResponseStatus": new_status, "tradeTreeStatus": None},
        "message": None,
        "replyMessage": "差し戻します。" if new_status == "REJECT" else None,
        "requestType": "CFP",
        "responseDueDate": None,
    }


def operator_json_of(company: SeedCompany) -> dict[str, Any]:
    return {
        "operatorId": str(company.operator_id),
        "operatorName": company.name,
        "operatorAddress": company.address,
        "openOperatorId": company.open_operator_id,
        "operatorAttribute": {"globalOperatorId": company.global_operator_id},
    }


def end_request(client: TestClient, w: World, actor: str, new_status: str) -> None:
    """A's request ends: A cancels it, or B sends it back."""
    response = client.put(dt("status"), headers=w.headers[actor], json=status_change(w, new_status))
    assert response.status_code == 201, response.text


def amend(body: dict[str, Any], trade_id: str, status_id: str) -> dict[str, Any]:
    body["tradeModel"]["tradeId"] = trade_id
    body["statusModel"]["tradeId"] = trade_id
    body["statusModel"]["statusId"] = status_id
    body["statusModel"]["message"] = "書き換え"
    return body


def acl_body(operator: str, customer: str, trace_id: str, flag: bool) -> dict[str, Any]:
    return {
        "operatorId": operator,
        "releasedToOperatorId": customer,
        "traceId": trace_id,
        "acl": [
            {"aclItemGroup": "TOTALCFP", "releasedFlag": flag},
            {"aclItemGroup": "TOTALDQR", "releasedFlag": flag},
        ],
    }


def cert_acl_body(operator: str, customer: str, trace_id: str, flag: bool) -> dict[str, Any]:
    return {
        "operatorId": operator,
        "releasedToOperatorId": customer,
        "traceId": trace_id,
        "releasedFlag": flag,
    }


def certification_info(
    operator: str,
    trace_id: str,
    *,
    cert: str | None = None,
    files: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "operatorId": operator,
        "cfpCertificationId": cert,
        "traceId": trace_id,
        "cfpCertificationDescription": "乗っ取り",
        "cfpCertificationFileInfo": [{"fileId": f, "fileName": "evil.pdf"} for f in files],
    }


def file_query(operator: str, owner: str, file_id: str, download_type: str, reference: str) -> str:
    return (
        f"/fileDownloadUrl?operatorId={operator}&fileOperatorId={owner}&fileId={file_id}"
        f"&downloadType={download_type}&cfpCertificationId={reference}"
    )


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def retarget(token: str, **claims: str) -> str:
    """The token with claims changed but the original signature kept (a tampered link)."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(claims)
    return f"{header}.{_b64(data)}.{signature}"


def forged(action: str, owner: str, file_id: str) -> str:
    """A link token signed with a guessed key."""
    claims = {"act": action, "own": owner, "fid": file_id, "exp": 4102444800}
    return jwt.encode(claims, "a-guessed-secret-of-at-least-32-bytes!!", algorithm="HS256")


def unsigned(action: str, owner: str, file_id: str) -> str:
    """A link token with `alg: none`."""
    claims = {"act": action, "own": owner, "fid": file_id, "exp": 4102444800}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


EVIL_PDF = b"%PDF-1.4\n% forged\n"


def _send(
    client: TestClient, headers: dict[str, str], method: str, url: str, body: object
) -> Response:
    if body is None:
        return client.request(method, url, headers=headers)
    if isinstance(body, bytes):
        return client.request(
            method, url, headers={**headers, "Content-Type": "application/pdf"}, content=body
        )
    return client.request(method, url, headers=headers, json=body)


def _json_or_bytes(response: Response) -> object:
    try:
        return response.json()
    except ValueError:
        return response.content


def _normalised(body: object) -> str:
    return re.sub(f"timeStamp: {TIMESTAMP}", "timeStamp: T", json.dumps(body, ensure_ascii=False))


def _assert_nothing_leaked(w: World, attempt: Attempt, request_text: str, text: str) -> None:
    """The answer names no other company's part, plant, certificate or file, nor their trade
    (for C), unless the caller itself sent it."""
    owner = OWNER[attempt.actor]
    secrets = w.secrets()
    forbidden = [s for company, values in secrets.items() if company != owner for s in values]
    if owner in ("A", "B"):
        forbidden = [s for s in forbidden if s not in secrets["AB"]]
    leaked = [s for s in forbidden if s and s in text and s not in request_text]
    assert not leaked, f"the answer names {leaked}: {text}"


def attempt_params(attempts: list[Attempt]) -> list[Any]:
    return [pytest.param(a, id=a.id, marks=a.marks) for a in attempts]


def check_attempt(client: TestClient, world: World, attempt: Attempt) -> None:
    w = world
    if attempt.setup is not None:
        attempt.setup(client, w)
    before = snapshot(w)
    url = attempt.url(w)
    body = attempt.body(w) if attempt.body else None
    headers = attempt.headers(w) if attempt.headers else w.headers[attempt.actor]
    response = _send(client, headers, attempt.method, url, body)

    assert response.status_code == attempt.outcome.status, response.text
    assert _json_or_bytes(response) == attempt.outcome.body(w, attempt)
    request_text = url + (
        json.dumps(body, ensure_ascii=False) if isinstance(body, dict | list) else ""
    )
    _assert_nothing_leaked(w, attempt, request_text, response.text)

    if attempt.foreign is not None:
        # The same call naming an id nobody has answers the same: no oracle of existence.
        foreign = attempt.foreign(w)
        unknown = str(uuid.uuid4())
        twin_body = (
            json.loads(json.dumps(body).replace(foreign, unknown))
            if isinstance(body, dict | list)
            else body
        )
        twin = _send(
            client,
            headers,
            attempt.method,
            url.replace(foreign, unknown),
            twin_body,
        )
        assert twin.status_code == response.status_code, twin.text
        assert _normalised(_json_or_bytes(twin)).replace(unknown, foreign) == _normalised(
            _json_or_bytes(response)
        )

    # Refused or read-only: nothing anywhere changed, the victims' data and the audit log
    # included.
    assert snapshot(w) == before
