"""Data sovereignty (DESIGN.md): no operator reads, changes or deletes what another owns.

Three companies share one server: A (customer) and B (supplier) from the tutorial seeds, and
C, a third company with its own login and its own Application key (Sample-APIKey1 is bound
to A and B only). A has a plant, a parent part with a child and a spare part, and asked B
for the CFP of the child; B linked its terminated part, registered CFP, granted disclosure
as the reference UI does and uploaded a certificate (upload URL, PUT the bytes,
cfpCertificationInfo), and has another part with a certificate that answers nobody; C has a
plant, a part with CFP and a certificate of its own.

Every entry of ATTEMPTS is one call by one company against another's data, on every
endpoint. Each asserts the status and the whole body (the contract's error shape); that
the answer names nothing of the others' (parts, plants, certificates, files, trades) that
the caller did not send itself; that the whole database (every table, the audit log
included) and the certificate file store are exactly as before, so the victims' data is
unchanged; and, where the call names a foreign id, that the same call with an id nobody
has answers alike, so a refusal is no oracle of what exists. The disclosure rules
(withheld CFP, DQR, certificates; never the supplier's structure; nothing passed on by an
intermediary) have tests of their own at the end.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import make_url, select, text

from battrace.app import create_app
from battrace.cli.seeds import APPLICATION_KEY, SeedCompany, seed_ouranos_tutorial
from battrace.identity import accounts, api_keys, operators
from battrace.identity.models import ApplicationAttribute
from battrace.migrations import upgrade
from battrace.migrations.schema import metadata
from battrace.settings import Settings
from battrace.store import Database
from tests.conftest import TEST_HASH_COST, create_postgres_database, drop_postgres_database
from tests.support import DT, A, B, cfp_set, create_plant, login, part, trade_request

C_EMAIL = "supplier_c@example.com"
C_PASSWORD = "supplierC&user_01"
C_OPEN_ID = "1234567890125"

NO_PRIVILEGES = "You do not have the necessary privileges"
NOT_YOUR_OPERATOR = "認証情報と事業者識別子が一致しません。"
BAD_LINK = "the link is invalid or has expired."
PDF_B = b"%PDF-1.4\n% B's CFP certificate\n"
PDF_C = b"%PDF-1.4\n% C's CFP certificate\n"
KIND = {400: "BadRequest", 401: "Unauthorized", 403: "AccessDenied", 404: "NotFound"}
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def dt(query: str) -> str:
    return f"{DT}?dataTarget={query}"


class Re:
    """Compares equal to a string the pattern matches in full."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __repr__(self) -> str:
        return f"Re({self.pattern.pattern!r})"


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    """Three companies' data, as ids and as the headers each company sends."""

    db: Database
    file_root: Path
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    op_a: str = str(A.operator_id)
    op_b: str = str(B.operator_id)
    op_c: str = ""
    key_c: str = ""
    plant_a: str = ""
    plant_b: str = ""
    plant_c: str = ""
    part_a: str = ""  # A's parent part
    a1: str = ""  # its child, bought in from B
    spare_a: str = ""  # a part of A nothing references (deletable by A)
    trade_id: str = ""  # A's request to B on a1
    status_id: str = ""
    part_b: str = ""  # B's terminated part, linked to the trade
    part_b_secret: str = ""  # another part of B, linked to nothing, with a certificate
    part_c: str = ""  # C's terminated part
    cfp_id_a: str = ""
    cfp_id_b: str = ""
    cfp_id_c: str = ""
    cert_b: str = ""
    file_b: str = ""
    b_upload_url: str = ""
    cert_b_secret: str = ""
    file_b_secret: str = ""
    cert_c: str = ""
    file_c: str = ""
    c_upload_url: str = ""
    c_download_url: str = ""
    notification_a: str = ""
    part_c_json: dict[str, Any] = field(default_factory=dict)
    plant_c_json: dict[str, Any] = field(default_factory=dict)
    operator_c_json: dict[str, Any] = field(default_factory=dict)
    cfp_c_rows: list[dict[str, Any]] = field(default_factory=list)

    def detail_id(self, actor: str) -> str:
        """The operator id an error detail reports: empty before the token is accepted."""
        return {"A": self.op_a, "B": self.op_b, "C": self.op_c}.get(actor, "")

    def secrets(self) -> dict[str, list[str]]:
        """What only one company (or only the two parties of the trade) may ever see."""
        return {
            "A": [
                "部品A",
                "A工場",
                self.part_a,
                self.a1,
                self.spare_a,
                self.plant_a,
                self.cfp_id_a,
            ],
            "B": [
                "部品B",
                "B工場",
                "B社 CFP証明書",
                "b-cfp.pdf",
                self.part_b,
                self.plant_b,
                self.cfp_id_b,
                self.cert_b,
                self.file_b,
                "部品B秘",
                "B社 非公開証明書",
                "b-secret.pdf",
                self.part_b_secret,
                self.cert_b_secret,
                self.file_b_secret,
            ],
            "C": [
                "部品C",
                "C工場",
                "C社 CFP証明書",
                "c-cfp.pdf",
                self.part_c,
                self.plant_c,
                self.cfp_id_c,
                self.cert_c,
                self.file_c,
            ],
            "AB": [self.trade_id, self.status_id, self.notification_a],
        }


OWNER = {
    "A": "A",
    "B": "B",
    "C": "C",
    "C@key1": "C",
    "A@keyC": "A",
    "anyone": None,
    "link-as-bearer": None,
}


def _ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def upload_certificate(
    client: TestClient,
    headers: dict[str, str],
    operator_id: str,
    trace_id: str,
    file_name: str,
    content: bytes,
    description: str,
) -> tuple[str, str, str]:
    """POST /fileUploadUrl, PUT the bytes, POST /cfpCertificationInfo: (cert, file, upload URL)."""
    [slot] = _ok(
        client.post(
            "/fileUploadUrl",
            headers=headers,
            json={
                "operatorId": operator_id,
                "fileInfo": [{"fileName": file_name, "extension": "pdf"}],
            },
        )
    )
    response = client.put(slot["URL"], content=content, headers={"Content-Type": "application/pdf"})
    assert response.status_code == 200, response.text
    info = _ok(
        client.post(
            "/cfpCertificationInfo",
            headers=headers,
            json={
                "operatorId": operator_id,
                "traceId": trace_id,
                "cfpCertificationDescription": description,
                "cfpCertificationFileInfo": [{"fileId": slot["fileId"], "fileName": file_name}],
            },
        )
    )
    return info["cfpCertificationId"], slot["fileId"], slot["URL"]


def download_url(
    client: TestClient,
    headers: dict[str, str],
    operator_id: str,
    file_owner: str,
    file_id: str,
    download_type: str,
    reference: str,
) -> Response:
    return client.get(
        "/fileDownloadUrl",
        headers=headers,
        params={
            "operatorId": operator_id,
            "fileOperatorId": file_owner,
            "fileId": file_id,
            "downloadType": download_type,
            "cfpCertificationId": reference,
        },
    )


def release(
    client: TestClient,
    w: World,
    *,
    customer: str,
    trace_id: str,
    cfp: bool | None = None,
    dqr: bool | None = None,
    certificate: bool | None = None,
) -> None:
    """B's disclosure decision for one customer (POST /cfpAcl, /cfpCertificationAcl)."""
    acl = [
        {"aclItemGroup": group, "releasedFlag": flag}
        for group, flag in (("TOTALCFP", cfp), ("TOTALDQR", dqr))
        if flag is not None
    ]
    body = {"operatorId": w.op_b, "releasedToOperatorId": customer, "traceId": trace_id}
    if acl:
        response = client.post("/cfpAcl", headers=w.headers["B"], json={**body, "acl": acl})
        assert _ok(response) == {"traceId": trace_id}
    if certificate is not None:
        response = client.post(
            "/cfpCertificationAcl",
            headers=w.headers["B"],
            json={**body, "releasedFlag": certificate},
        )
        assert _ok(response) == {"traceId": trace_id}


def build_world(client: TestClient, seeded: Database, settings: Settings) -> World:
    assert settings.certificate_dir is not None
    w = World(db=seeded, file_root=settings.certificate_dir)
    with seeded.transaction() as session:
        company_c = operators.create_operator(
            session,
            name="C社",
            address="大阪府大阪市xx",
            open_operator_id=C_OPEN_ID,
            global_operator_id="1234ABCD5678EFGH0125",
        )
        session.flush()
        accounts.create_account(
            session, operator_id=company_c.id, email=C_EMAIL, password=C_PASSWORD
        )
        _, w.key_c = api_keys.issue_api_key(
            session,
            application_name="Application-Vendor-C",
            attribute=ApplicationAttribute.APPLICATION,
            cidrs=["0.0.0.0/0", "::/0"],
            operator_ids=[company_c.id],
        )
        w.op_c = str(company_c.id)
    a = login(client, A.email, A.password)
    b = login(client, B.email, B.password)
    c = login(client, C_EMAIL, C_PASSWORD, key=w.key_c)
    w.headers = {
        "A": a,
        "B": b,
        "C": c,
        "C@key1": {"apiKey": APPLICATION_KEY, "Authorization": c["Authorization"]},
        "A@keyC": {"apiKey": w.key_c, "Authorization": a["Authorization"]},
        "anyone": {},
    }

    # A: plant, parent 部品A with child 部品A1 (5 kg), a spare part, a request to B on A1.
    w.plant_a = create_plant(client, a, w.op_a, "1234567890123012345", "A工場")
    parent = _ok(
        client.put(dt("parts"), headers=a, json=part(w.op_a, w.plant_a, "部品A", support="modelA")),
        201,
    )
    child = part(w.op_a, w.plant_a, "部品A1", support="modelA-1", amount=5)
    structure = _ok(
        client.put(
            dt("partsStructure"),
            headers=a,
            json={"parentPartsModel": parent, "childrenPartsModel": [child]},
        ),
        201,
    )
    w.part_a = parent["traceId"]
    w.a1 = structure["childrenPartsModel"][0]["traceId"]
    spare = part(w.op_a, w.plant_a, "部品A予備", support="modelA-spare")
    w.spare_a = _ok(client.put(dt("parts"), headers=a, json=spare), 201)["traceId"]
    request = _ok(
        client.put(dt("tradeRequest"), headers=a, json=trade_request(w.op_a, w.a1, w.op_b)), 201
    )
    w.trade_id = request["tradeModel"]["tradeId"]
    w.status_id = request["statusModel"]["statusId"]

    # B: plant, terminated 部品B linked to the request, CFP, disclosure granted as the UI
    # does after linking, and a certificate.
    w.plant_b = create_plant(client, b, w.op_b, "1234567890124012345", "B工場")
    body = part(w.op_b, w.plant_b, "部品B", support="modelB", terminated=True)
    w.part_b = _ok(client.put(dt("parts"), headers=b, json=body), 201)["traceId"]
    _ok(client.put(dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.part_b}"), headers=b), 201)
    rows = cfp_set(w.part_b, 1.5, 10.0, pre_dqr=(1.1, 1.2, 1.3), main_dqr=(2.1, 2.2, 2.3))
    w.cfp_id_b = _ok(client.put(dt("cfp"), headers=b, json=rows), 201)[0]["cfpId"]
    release(client, w, customer=w.op_a, trace_id=w.part_b, cfp=True, dqr=True, certificate=True)
    w.cert_b, w.file_b, w.b_upload_url = upload_certificate(
        client, b, w.op_b, w.part_b, "b-cfp.pdf", PDF_B, "B社 CFP証明書"
    )
    # ... and a part of B that answers nobody, with a certificate of its own.
    body = part(w.op_b, w.plant_b, "部品B秘", support="modelB-secret", terminated=True)
    w.part_b_secret = _ok(client.put(dt("parts"), headers=b, json=body), 201)["traceId"]
    w.cert_b_secret, w.file_b_secret, _ = upload_certificate(
        client, b, w.op_b, w.part_b_secret, "b-secret.pdf", PDF_B, "B社 非公開証明書"
    )

    # A registers its own CFP on the parent, so totals exist.
    rows = cfp_set(w.part_a, 3.0, 20.0)
    w.cfp_id_a = _ok(client.put(dt("cfp"), headers=a, json=rows), 201)[0]["cfpId"]

    # C: plant, terminated 部品C with CFP and a certificate.
    w.plant_c = create_plant(client, c, w.op_c, "1234567890125012345", "C工場")
    w.plant_c_json = _ok(client.get("/api/v1/authInfo?dataTarget=plant", headers=c))[0]
    w.operator_c_json = _ok(client.get("/api/v1/authInfo?dataTarget=operator", headers=c))
    body = part(w.op_c, w.plant_c, "部品C", support="modelC", terminated=True)
    w.part_c_json = _ok(client.put(dt("parts"), headers=c, json=body), 201)
    w.part_c = w.part_c_json["traceId"]
    rows = cfp_set(w.part_c, 2.0, 4.0)
    w.cfp_id_c = _ok(client.put(dt("cfp"), headers=c, json=rows), 201)[0]["cfpId"]
    w.cfp_c_rows = _ok(client.get(dt(f"cfp&traceIds={w.part_c}"), headers=c))
    w.cert_c, w.file_c, w.c_upload_url = upload_certificate(
        client, c, w.op_c, w.part_c, "c-cfp.pdf", PDF_C, "C社 CFP証明書"
    )
    response = download_url(client, c, w.op_c, w.op_c, w.file_c, "OWN", w.cert_c)
    w.c_download_url = _ok(response)["URL"]

    notifications = _ok(client.get(f"/notifications?operatorId={w.op_a}", headers=a))
    w.notification_a = notifications["notifications"][0]["notificationId"]
    return w


# The world is built once per backend, then every test gets its own copy of the database
# and of the certificate files: each test starts from exactly the same state, fast.


@dataclass(frozen=True)
class WorldTemplate:
    url: str
    files: Path
    world: World
    rows: dict[str, list[dict[str, Any]]]  # every table's rows, to restore PostgreSQL from


@pytest.fixture(scope="session")
def world_template(
    backend: str, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorldTemplate]:
    root = tmp_path_factory.mktemp("sovereignty")
    name = f"battrace_world_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        shutil.copyfile(migrated, root / "world.db")
        url = f"sqlite:///{root / 'world.db'}"
    else:
        url = create_postgres_database(name)
    database = Database(url)
    if backend != "sqlite":
        upgrade(database.engine)
    files = root / "certificates"
    settings = Settings(
        database_url=url, certificate_dir=files, public_url="http://testserver", **TEST_HASH_COST
    )
    with database.transaction() as session:
        seed_ouranos_tutorial(session)
    with TestClient(create_app(settings, database=database), client=("127.0.0.1", 50000)) as client:
        template = build_world(client, database, settings)
    with database.engine.connect() as connection:
        rows = {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in metadata.sorted_tables
        }
    database.dispose()
    yield WorldTemplate(url, files, template, rows)
    if backend != "sqlite":
        drop_postgres_database(name)


@pytest.fixture
def database(backend: str, world_template: WorldTemplate, tmp_path: Path) -> Iterator[Database]:
    """This module's database holds the world, exactly as built, at the start of every test:
    a copy of the file (SQLite), or the tables truncated and refilled (PostgreSQL)."""
    shutil.copytree(world_template.files, tmp_path / "certificates")
    if backend == "sqlite":
        shutil.copyfile(make_url(world_template.url).database or "", tmp_path / "battrace.db")
        database = Database(f"sqlite:///{tmp_path / 'battrace.db'}")
    else:
        database = Database(world_template.url, pool_size=5, max_overflow=10)
        with database.engine.begin() as connection:
            # DELETE is quicker than TRUNCATE on tables this small; the replica role lets it
            # pass the audit log's append-only trigger (the tests run as a superuser).
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
            for table in metadata.sorted_tables:
                if world_template.rows[table.name]:
                    connection.execute(table.insert(), world_template.rows[table.name])
    yield database
    database.dispose()


@pytest.fixture
def world(world_template: WorldTemplate, seeded: Database, settings: Settings) -> World:
    assert settings.certificate_dir is not None
    return replace(world_template.world, db=seeded, file_root=settings.certificate_dir)


# ------------------------------------------------------------------------- snapshots


def snapshot(w: World) -> dict[str, Any]:
    """Every row of every table (the audit log included) and every stored file: what a call
    must leave exactly as it was when it is refused or only reads."""
    state: dict[str, Any] = {}
    with w.db.transaction(write=False) as session:
        for table in metadata.sorted_tables:
            state[table.name] = sorted(session.execute(select(table)).all(), key=repr)
    root = w.file_root
    state["files"] = {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }
    return state


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

ATTEMPTS: list[Attempt] = [
    # ---------------------------------------------------------------- GET parts (#8)
    Attempt(
        "parts-C-by-A-parent-trace",
        "C",
        "GET",
        lambda w: dt(f"parts&traceId={w.part_a}"),
        NOTHING,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "parts-C-by-A-child-trace",
        "C",
        "GET",
        lambda w: dt(f"parts&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "parts-C-by-B-trace",
        "C",
        "GET",
        lambda w: dt(f"parts&traceId={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "parts-A-by-supplier-trace",
        "A",
        "GET",
        lambda w: dt(f"parts&traceId={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "parts-B-by-customer-trace",
        "B",
        "GET",
        lambda w: dt(f"parts&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "parts-C-by-A-plant",
        "C",
        "GET",
        lambda w: dt(f"parts&plantId={w.plant_a}"),
        NOTHING,
        foreign=lambda w: w.plant_a,
    ),
    Attempt("parts-C-by-A-part-name", "C", "GET", lambda w: dt("parts&partsName=部品A"), NOTHING),
    Attempt(
        "parts-C-after-A-cursor",
        "C",
        "GET",
        lambda w: dt(f"parts&after={w.part_a}"),
        NOTHING,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "parts-C-lists-only-its-own",
        "C",
        "GET",
        lambda w: dt("parts"),
        ok(lambda w: [w.part_c_json]),
    ),
    Attempt(
        "parts-C-parents-only",
        "C",
        "GET",
        lambda w: dt("parts&parentFlag=true"),
        ok(lambda w: [w.part_c_json]),
    ),
    # ------------------------------------------------------- GET partsStructure (#9)
    Attempt(
        "structure-C-of-A-parent",
        "C",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.part_a}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "structure-C-of-A-child",
        "C",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.a1}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "structure-B-of-customer-part",
        "B",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.a1}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "structure-B-of-customer-parent",
        "B",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.part_a}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "structure-A-of-supplier-part",
        "A",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.part_b}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.part_b,
    ),
    # ------------------------------------------- GET tradeRequest / tradeResponse (#10 #12)
    Attempt("requests-C-none", "C", "GET", lambda w: dt("tradeRequest"), NOTHING),
    Attempt(
        "requests-C-by-A-trace",
        "C",
        "GET",
        lambda w: dt(f"tradeRequest&traceIds={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "requests-C-after-A-status",
        "C",
        "GET",
        lambda w: dt(f"tradeRequest&after={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt("requests-B-sent-none", "B", "GET", lambda w: dt("tradeRequest"), NOTHING),
    Attempt(
        "requests-B-by-customer-trace",
        "B",
        "GET",
        lambda w: dt(f"tradeRequest&traceIds={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt("responses-C-none", "C", "GET", lambda w: dt("tradeResponse"), NOTHING),
    Attempt(
        "responses-C-after-A-status",
        "C",
        "GET",
        lambda w: dt(f"tradeResponse&after={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt("responses-A-received-none", "A", "GET", lambda w: dt("tradeResponse"), NOTHING),
    # ------------------------------------------------------------- GET status (#11)
    Attempt("status-C-none", "C", "GET", lambda w: dt("status"), NOTHING),
    Attempt(
        "status-C-by-status-id",
        "C",
        "GET",
        lambda w: dt(f"status&statusId={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "status-C-response-by-status-id",
        "C",
        "GET",
        lambda w: dt(f"status&statusTarget=RESPONSE&statusId={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "status-C-request-by-A-trace",
        "C",
        "GET",
        lambda w: dt(f"status&statusTarget=REQUEST&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "status-C-after-A-status",
        "C",
        "GET",
        lambda w: dt(f"status&after={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "status-B-as-requester",
        "B",
        "GET",
        lambda w: dt(f"status&statusTarget=REQUEST&traceId={w.a1}"),
        NOTHING,
    ),
    Attempt(
        "status-A-as-responder",
        "A",
        "GET",
        lambda w: dt(f"status&statusTarget=RESPONSE&statusId={w.status_id}"),
        NOTHING,
    ),
    # ---------------------------------------------------------------- GET cfp (#14)
    Attempt(
        "cfp-C-of-A-and-B",
        "C",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.part_a},{w.a1},{w.part_b}"),
        NOTHING,
    ),
    Attempt(
        "cfp-C-mixed-with-own",
        "C",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.part_b},{w.part_c},{w.part_a}"),
        ok(lambda w: w.cfp_c_rows),
    ),
    Attempt(
        "cfp-A-of-supplier-part",
        "A",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "cfp-B-of-customer-parts",
        "B",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.part_a},{w.a1}"),
        NOTHING,
    ),
    # ---------------------------------------------------- GET cfpCertification (#18)
    Attempt(
        "certification-C-of-B-part",
        "C",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certification-C-of-A-child",
        "C",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "certification-A-of-supplier-part-directly",
        "A",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certification-B-of-customer-part",
        "B",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    # ---------------------------------------------------------------- PUT parts (#5)
    Attempt(
        "put-parts-C-as-A",
        "C",
        "PUT",
        lambda w: dt("parts"),
        DATASPACE_DENIED,
        body=lambda w: part(w.op_a, w.plant_a, "部品X"),
    ),
    Attempt(
        "put-parts-C-rename-A-part",
        "C",
        "PUT",
        lambda w: dt("parts"),
        DATASPACE_DENIED,
        body=lambda w: part(w.op_a, w.plant_a, "乗っ取り", support="modelA", trace_id=w.part_a),
    ),
    Attempt(
        "put-parts-C-own-id-on-A-trace",
        "C",
        "PUT",
        lambda w: dt("parts"),
        dataspace(404, lambda w: f"traceId: {w.part_a} was not found."),
        body=lambda w: part(w.op_c, w.plant_c, "部品A", support="modelA", trace_id=w.part_a),
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "put-parts-C-on-A-plant",
        "C",
        "PUT",
        lambda w: dt("parts"),
        dataspace(400, "Validation failed, plantId: is not a plant of this operator."),
        body=lambda w: part(w.op_c, w.plant_a, "部品X"),
        foreign=lambda w: w.plant_a,
    ),
    Attempt(
        "put-parts-A-on-supplier-trace",
        "A",
        "PUT",
        lambda w: dt("parts"),
        dataspace(404, lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: part(
            w.op_a, w.plant_a, "部品B", support="modelB", terminated=True, trace_id=w.part_b
        ),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "put-parts-B-as-customer",
        "B",
        "PUT",
        lambda w: dt("parts"),
        DATASPACE_DENIED,
        body=lambda w: part(w.op_a, w.plant_a, "部品A1", support="modelA-1", trace_id=w.a1),
    ),
    # ------------------------------------------------------- PUT partsStructure (#6)
    Attempt(
        "put-structure-C-parent-as-A",
        "C",
        "PUT",
        lambda w: dt("partsStructure"),
        DATASPACE_DENIED,
        body=lambda w: {
            "parentPartsModel": part(
                w.op_a, w.plant_a, "部品A", support="modelA", trace_id=w.part_a
            ),
            "childrenPartsModel": [],
        },
    ),
    Attempt(
        "put-structure-C-child-as-A",
        "C",
        "PUT",
        lambda w: dt("partsStructure"),
        DATASPACE_DENIED,
        body=lambda w: {
            "parentPartsModel": part(w.op_c, w.plant_c, "部品C親"),
            "childrenPartsModel": [
                part(w.op_a, w.plant_a, "部品A1", support="modelA-1", amount=1, trace_id=w.a1)
            ],
        },
    ),
    Attempt(
        "put-structure-C-grafts-A-child",
        "C",
        "PUT",
        lambda w: dt("partsStructure"),
        dataspace(404, lambda w: f"traceId: {w.a1} was not found."),
        body=lambda w: {
            "parentPartsModel": part(w.op_c, w.plant_c, "部品C親"),
            "childrenPartsModel": [
                part(w.op_c, w.plant_c, "部品A1", support="modelA-1", amount=1, trace_id=w.a1)
            ],
        },
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "put-structure-C-empties-A-parent",
        "C",
        "PUT",
        lambda w: dt("partsStructure"),
        dataspace(404, lambda w: f"traceId: {w.part_a} was not found."),
        body=lambda w: {
            "parentPartsModel": part(
                w.op_c, w.plant_c, "部品A", support="modelA", trace_id=w.part_a
            ),
            "childrenPartsModel": [],
        },
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "put-structure-B-under-customer-parent",
        "B",
        "PUT",
        lambda w: dt("partsStructure"),
        dataspace(404, lambda w: f"traceId: {w.part_a} was not found."),
        body=lambda w: {
            "parentPartsModel": part(
                w.op_b, w.plant_b, "部品A", support="modelA", trace_id=w.part_a
            ),
            "childrenPartsModel": [
                part(
                    w.op_b,
                    w.plant_b,
                    "部品B",
                    support="modelB",
                    terminated=True,
                    amount=1,
                    trace_id=w.part_b,
                )
            ],
        },
        foreign=lambda w: w.part_a,
    ),
    # --------------------------------------------------------- PUT tradeRequest (#7)
    Attempt(
        "put-request-C-as-A",
        "C",
        "PUT",
        lambda w: dt("tradeRequest"),
        DATASPACE_DENIED,
        body=lambda w: trade_request(w.op_a, w.a1, w.op_b),
    ),
    Attempt(
        "put-request-C-on-A-part",
        "C",
        "PUT",
        lambda w: dt("tradeRequest"),
        dataspace(404, lambda w: f"downstreamTraceId: {w.a1} was not found."),
        body=lambda w: trade_request(w.op_c, w.a1, w.op_b),
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "put-request-C-amends-A-trade",
        "C",
        "PUT",
        lambda w: dt("tradeRequest"),
        dataspace(404, lambda w: f"tradeId: {w.trade_id} was not found."),
        body=lambda w: amend(trade_request(w.op_c, w.part_c, w.op_b), w.trade_id, w.status_id),
    ),
    Attempt(
        "put-request-B-amends-customer-trade",
        "B",
        "PUT",
        lambda w: dt("tradeRequest"),
        dataspace(404, lambda w: f"tradeId: {w.trade_id} was not found."),
        body=lambda w: amend(trade_request(w.op_b, w.part_b, w.op_c), w.trade_id, w.status_id),
    ),
    Attempt(
        "put-request-A-amends-as-B",
        "A",
        "PUT",
        lambda w: dt("tradeRequest"),
        DATASPACE_DENIED,
        body=lambda w: amend(trade_request(w.op_b, w.part_b, w.op_a), w.trade_id, w.status_id),
    ),
    # -------------------------------------------------------- PUT tradeResponse (#13)
    Attempt(
        "put-response-C-on-A-trade",
        "C",
        "PUT",
        lambda w: dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.part_c}"),
        dataspace(404, lambda w: f"tradeId: {w.trade_id} was not found."),
        foreign=lambda w: w.trade_id,
    ),
    Attempt(
        "put-response-A-on-own-request",
        "A",
        "PUT",
        lambda w: dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.spare_a}"),
        dataspace(404, lambda w: f"tradeId: {w.trade_id} was not found."),
    ),
    Attempt(
        "put-response-B-links-customer-part",
        "B",
        "PUT",
        lambda w: dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.a1}"),
        dataspace(404, lambda w: f"traceId: {w.a1} was not found."),
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "put-response-B-links-C-part",
        "B",
        "PUT",
        lambda w: dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.part_c}"),
        dataspace(404, lambda w: f"traceId: {w.part_c} was not found."),
        foreign=lambda w: w.part_c,
    ),
    # ------------------------------------------------------------------ PUT cfp (#15)
    Attempt(
        "put-cfp-C-on-B-part",
        "C",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cfp_set(w.part_b, 99, 99),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "put-cfp-C-on-B-part-with-B-cfp-id",
        "C",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cfp_set(w.part_b, 99, 99, cfp_id=w.cfp_id_b),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "put-cfp-A-on-supplier-part",
        "A",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cfp_set(w.part_b, 0.001, 0.001, cfp_id=w.cfp_id_b),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "put-cfp-B-on-customer-part",
        "B",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"traceId: {w.a1} was not found."),
        body=lambda w: cfp_set(w.a1, 99, 99),
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "put-cfp-C-own-part-with-A-cfp-id",
        "C",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"cfpId: {w.cfp_id_a} was not found."),
        body=lambda w: cfp_set(w.part_c, 99, 99, cfp_id=w.cfp_id_a),
        foreign=lambda w: w.cfp_id_a,
    ),
    # ----------------------------------------------------------------- PUT status (#16)
    Attempt(
        "put-status-B-cancels-customer-request",
        "B",
        "PUT",
        lambda w: dt("status"),
        dataspace(404, lambda w: f"statusId: {w.status_id} was not found."),
        body=lambda w: status_change(w, "CANCEL"),
    ),
    Attempt(
        "put-status-A-rejects-own-request",
        "A",
        "PUT",
        lambda w: dt("status"),
        dataspace(404, lambda w: f"statusId: {w.status_id} was not found."),
        body=lambda w: status_change(w, "REJECT"),
    ),
    Attempt(
        "put-status-C-cancels",
        "C",
        "PUT",
        lambda w: dt("status"),
        dataspace(404, lambda w: f"statusId: {w.status_id} was not found."),
        body=lambda w: status_change(w, "CANCEL"),
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "put-status-C-rejects",
        "C",
        "PUT",
        lambda w: dt("status"),
        dataspace(404, lambda w: f"statusId: {w.status_id} was not found."),
        body=lambda w: status_change(w, "REJECT"),
        foreign=lambda w: w.status_id,
    ),
    # ------------------------------------------------------------- DELETE parts (#19)
    Attempt(
        "delete-C-A-spare-part",
        "C",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.spare_a}"),
        NO_SUCH_PART,
        foreign=lambda w: w.spare_a,
    ),
    Attempt(
        "delete-C-A-parent",
        "C",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.part_a}"),
        NO_SUCH_PART,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "delete-C-B-part",
        "C",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.part_b}"),
        NO_SUCH_PART,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "delete-A-supplier-part",
        "A",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.part_b}"),
        NO_SUCH_PART,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "delete-B-customer-spare-part",
        "B",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.spare_a}"),
        NO_SUCH_PART,
        foreign=lambda w: w.spare_a,
    ),
    # ----------------------------------------------------------------- authInfo (#1-#4)
    Attempt(
        "plants-C-lists-only-its-own",
        "C",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        ok(lambda w: [w.plant_c_json]),
    ),
    Attempt(
        "put-plant-C-as-A",
        "C",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        AUTH_DENIED,
        body=lambda w: {
            "plantId": w.plant_a,
            "operatorId": w.op_a,
            "plantName": "乗っ取り工場",
            "plantAddress": "xx",
            "openPlantId": "1234567890123012345",
            "plantAttribute": {},
        },
    ),
    Attempt(
        "put-plant-C-new-for-A",
        "C",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        AUTH_DENIED,
        body=lambda w: {
            "plantId": None,
            "operatorId": w.op_a,
            "plantName": "偽工場",
            "plantAddress": "xx",
            "openPlantId": "1234567890123099999",
            "plantAttribute": {},
        },
    ),
    Attempt(
        "put-plant-C-own-id-on-A-plant",
        "C",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        auth(404, "record not found"),
        body=lambda w: {
            "plantId": w.plant_a,
            "operatorId": w.op_c,
            "plantName": "乗っ取り工場",
            "plantAddress": "xx",
            "openPlantId": "1234567890125099999",
            "plantAttribute": {},
        },
        foreign=lambda w: w.plant_a,
    ),
    Attempt(
        "put-plant-B-as-customer",
        "B",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        AUTH_DENIED,
        body=lambda w: {
            "plantId": w.plant_a,
            "operatorId": w.op_a,
            "plantName": "乗っ取り工場",
            "plantAddress": "xx",
            "openPlantId": "1234567890123012345",
            "plantAttribute": {},
        },
    ),
    Attempt(
        "operator-C-reads-its-own",
        "C",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=operator",
        ok(lambda w: w.operator_c_json),
    ),
    # The operator directory is public by contract (#2, #17): the five OperatorModel fields.
    Attempt(
        "operator-C-looks-up-A-by-corporate-number",
        "C",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=operator&openOperatorId=1234567890123",
        ok(lambda w: operator_json_of(A)),
    ),
    Attempt(
        "operator-C-lists-A-and-B",
        "C",
        "GET",
        lambda w: f"/api/v1/authInfo?dataTarget=operator&operatorIds={w.op_a},{w.op_b}",
        ok(lambda w: [operator_json_of(A), operator_json_of(B)]),
    ),
    Attempt(
        "put-operator-C-as-A",
        "C",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=operator",
        AUTH_DENIED,
        body=lambda w: {
            "operatorId": w.op_a,
            "operatorName": "乗っ取り",
            "operatorAddress": "xx",
            "openOperatorId": "1234567890123",
            "operatorAttribute": {"globalOperatorId": "1234ABCD5678EFGH0123"},
        },
    ),
    Attempt(
        "put-operator-B-as-customer",
        "B",
        "PUT",
        lambda w: "/api/v1/authInfo?dataTarget=operator",
        AUTH_DENIED,
        body=lambda w: {
            "operatorId": w.op_a,
            "operatorName": "乗っ取り",
            "operatorAddress": "xx",
            "openOperatorId": "1234567890123",
            "operatorAttribute": {},
        },
    ),
    # ------------------------------------- a token is only good with a key bound to its operator
    Attempt("key1-C-token-get-parts", "C@key1", "GET", lambda w: dt("parts"), AUTH_DENIED),
    Attempt(
        "key1-C-token-put-parts",
        "C@key1",
        "PUT",
        lambda w: dt("parts"),
        AUTH_DENIED,
        body=lambda w: part(w.op_c, w.plant_c, "部品C2"),
    ),
    Attempt(
        "key1-C-token-cfp", "C@key1", "GET", lambda w: dt(f"cfp&traceIds={w.part_c}"), AUTH_DENIED
    ),
    Attempt(
        "key1-C-token-plants",
        "C@key1",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        AUTH_DENIED,
    ),
    Attempt(
        "key1-C-token-change-password",
        "C@key1",
        "POST",
        lambda w: "/auth/change",
        AUTH_DENIED,
        body=lambda w: {"newPassword": "Hijack&pass1"},
    ),
    Attempt(
        "key1-C-token-notifications",
        "C@key1",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_c}",
        traceability(403, "MSGAECP0025", NO_PRIVILEGES),
    ),
    Attempt("keyC-A-token-get-parts", "A@keyC", "GET", lambda w: dt("parts"), AUTH_DENIED),
    # ----------------------------------------------------------------------- /cfpAcl
    Attempt(
        "cfpAcl-C-as-B",
        "C",
        "POST",
        lambda w: "/cfpAcl",
        NOT_YOUR_OPERATOR_ID,
        body=lambda w: acl_body(w.op_b, w.op_c, w.part_b, True),
    ),
    Attempt(
        "cfpAcl-C-releases-B-part-to-self",
        "C",
        "POST",
        lambda w: "/cfpAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: acl_body(w.op_c, w.op_c, w.part_b, True),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "cfpAcl-C-withholds-B-part-from-A",
        "C",
        "POST",
        lambda w: "/cfpAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: acl_body(w.op_c, w.op_a, w.part_b, False),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "cfpAcl-A-releases-supplier-part-to-self",
        "A",
        "POST",
        lambda w: "/cfpAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: acl_body(w.op_a, w.op_a, w.part_b, True),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "cfpAcl-C-reads-as-B",
        "C",
        "GET",
        lambda w: f"/cfpAcl?operatorId={w.op_b}&traceId={w.part_b}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "cfpAcl-C-reads-B-trace",
        "C",
        "GET",
        lambda w: f"/cfpAcl?operatorId={w.op_c}&traceId={w.part_b}",
        NOTHING,
    ),
    Attempt(
        "cfpAcl-A-reads-supplier-trace",
        "A",
        "GET",
        lambda w: f"/cfpAcl?operatorId={w.op_a}&traceId={w.part_b}",
        NOTHING,
    ),
    # ---------------------------------------------------------- /cfpCertificationAcl
    Attempt(
        "certAcl-C-as-B",
        "C",
        "POST",
        lambda w: "/cfpCertificationAcl",
        NOT_YOUR_OPERATOR_ID,
        body=lambda w: cert_acl_body(w.op_b, w.op_c, w.part_b, True),
    ),
    Attempt(
        "certAcl-C-releases-B-part-to-self",
        "C",
        "POST",
        lambda w: "/cfpCertificationAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cert_acl_body(w.op_c, w.op_c, w.part_b, True),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certAcl-A-releases-supplier-part-to-self",
        "A",
        "POST",
        lambda w: "/cfpCertificationAcl",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cert_acl_body(w.op_a, w.op_a, w.part_b, True),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certAcl-C-reads-as-B",
        "C",
        "GET",
        lambda w: f"/cfpCertificationAcl?operatorId={w.op_b}&traceId={w.part_b}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "certAcl-C-reads-B-trace",
        "C",
        "GET",
        lambda w: f"/cfpCertificationAcl?operatorId={w.op_c}&traceId={w.part_b}",
        NOTHING,
    ),
    # ------------------------------------------------------------------ /notifications
    Attempt(
        "notifications-C-as-A",
        "C",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_a}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "notifications-B-as-A",
        "B",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_a}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "notifications-C-own-are-empty",
        "C",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_c}",
        ok(lambda w: {"notifications": [], "next": None}),
    ),
    Attempt(
        "notifications-C-after-A-notification",
        "C",
        "GET",
        lambda w: f"/notifications?operatorId={w.op_c}&after={w.notification_a}",
        ok(lambda w: {"notifications": [], "next": None}),
        foreign=lambda w: w.notification_a,
    ),
    # ------------------------------------------------------------------ /replyMessages
    Attempt(
        "reply-C-on-A-request",
        "C",
        "POST",
        lambda w: "/replyMessages",
        ts_not_found(lambda w: f"requestId: {w.status_id} was not found."),
        body=lambda w: {
            "operatorId": w.op_c,
            "requestId": w.status_id,
            "replyMessage": "横から失礼",
        },
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "reply-A-on-own-request",
        "A",
        "POST",
        lambda w: "/replyMessages",
        ts_not_found(lambda w: f"requestId: {w.status_id} was not found."),
        body=lambda w: {"operatorId": w.op_a, "requestId": w.status_id, "replyMessage": "自作自演"},
    ),
    Attempt(
        "reply-C-as-B",
        "C",
        "POST",
        lambda w: "/replyMessages",
        NOT_YOUR_OPERATOR_ID,
        body=lambda w: {
            "operatorId": w.op_b,
            "requestId": w.status_id,
            "replyMessage": "なりすまし",
        },
    ),
    # -------------------------------------------------------------- certificate files
    Attempt(
        "upload-url-C-as-B",
        "C",
        "POST",
        lambda w: "/fileUploadUrl",
        NOT_YOUR_OPERATOR_ID,
        body=lambda w: {
            "operatorId": w.op_b,
            "fileInfo": [{"fileName": "evil.pdf", "extension": "pdf"}],
        },
    ),
    Attempt(
        "certification-info-C-as-B",
        "C",
        "POST",
        lambda w: "/cfpCertificationInfo",
        NOT_YOUR_OPERATOR_ID,
        body=lambda w: certification_info(w.op_b, w.part_b),
    ),
    Attempt(
        "certification-info-C-on-B-trace",
        "C",
        "POST",
        lambda w: "/cfpCertificationInfo",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: certification_info(w.op_c, w.part_b),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certification-info-A-on-supplier-trace",
        "A",
        "POST",
        lambda w: "/cfpCertificationInfo",
        ts_not_found(lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: certification_info(w.op_a, w.part_b, cert=w.cert_b),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certification-info-C-with-B-certificate-id",
        "C",
        "POST",
        lambda w: "/cfpCertificationInfo",
        ts_not_found(lambda w: f"cfpCertificationId: {w.cert_b} was not found."),
        body=lambda w: certification_info(w.op_c, w.part_c, cert=w.cert_b),
        foreign=lambda w: w.cert_b,
    ),
    Attempt(
        "certification-info-C-steals-B-file",
        "C",
        "POST",
        lambda w: "/cfpCertificationInfo",
        ts_not_found(lambda w: f"fileId: {w.file_b} was not found."),
        body=lambda w: certification_info(w.op_c, w.part_c, cert=w.cert_c, files=(w.file_b,)),
        foreign=lambda w: w.file_b,
    ),
    Attempt(
        "download-url-C-as-A",
        "C",
        "GET",
        lambda w: file_query(w.op_a, w.op_b, w.file_b, "OTHER", w.trade_id),
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "download-url-C-own-of-B-file",
        "C",
        "GET",
        lambda w: file_query(w.op_c, w.op_b, w.file_b, "OWN", w.cert_b),
        FILE_NOT_FOUND,
        foreign=lambda w: w.file_b,
    ),
    Attempt(
        "download-url-C-own-claims-B-file",
        "C",
        "GET",
        lambda w: file_query(w.op_c, w.op_c, w.file_b, "OWN", w.cert_c),
        FILE_NOT_FOUND,
        foreign=lambda w: w.file_b,
    ),
    Attempt(
        "download-url-C-other-via-A-trade",
        "C",
        "GET",
        lambda w: file_query(w.op_c, w.op_b, w.file_b, "OTHER", w.trade_id),
        FILE_NOT_FOUND,
        foreign=lambda w: w.trade_id,
    ),
    Attempt(
        "download-url-C-other-via-B-certificate",
        "C",
        "GET",
        lambda w: file_query(w.op_c, w.op_b, w.file_b, "OTHER", w.cert_b),
        FILE_NOT_FOUND,
        foreign=lambda w: w.cert_b,
    ),
    Attempt(
        "download-url-A-own-of-supplier-file",
        "A",
        "GET",
        lambda w: file_query(w.op_a, w.op_b, w.file_b, "OWN", w.cert_b),
        FILE_NOT_FOUND,
        foreign=lambda w: w.file_b,
    ),
    Attempt(
        "download-url-B-other-as-supplier",
        "B",
        "GET",
        lambda w: file_query(w.op_b, w.op_a, w.file_b, "OTHER", w.trade_id),
        FILE_NOT_FOUND,
    ),
    Attempt(
        "download-url-A-other-C-file-via-B-trade",
        "A",
        "GET",
        lambda w: file_query(w.op_a, w.op_c, w.file_c, "OTHER", w.trade_id),
        FILE_NOT_FOUND,
        foreign=lambda w: w.file_c,
    ),
    Attempt(
        "download-url-A-other-C-file-claimed-as-B",
        "A",
        "GET",
        lambda w: file_query(w.op_a, w.op_b, w.file_c, "OTHER", w.trade_id),
        FILE_NOT_FOUND,
        foreign=lambda w: w.file_c,
    ),
    Attempt(
        "download-url-A-other-B-file-of-unlinked-part",
        "A",
        "GET",
        lambda w: file_query(w.op_a, w.op_b, w.file_b_secret, "OTHER", w.trade_id),
        FILE_NOT_FOUND,
        foreign=lambda w: w.file_b_secret,
    ),
    # ------------------------------------------- a customer's access ends with its request
    Attempt(
        "cfp-A-after-cancelling",
        "A",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.a1}"),
        NOTHING,
        setup=lambda client, w: end_request(client, w, "A", "CANCEL"),
    ),
    Attempt(
        "certification-A-after-cancelling",
        "A",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.a1}"),
        NOTHING,
        setup=lambda client, w: end_request(client, w, "A", "CANCEL"),
    ),
    Attempt(
        "download-url-A-other-after-cancelling",
        "A",
        "GET",
        lambda w: file_query(w.op_a, w.op_b, w.file_b, "OTHER", w.trade_id),
        FILE_NOT_FOUND,
        setup=lambda client, w: end_request(client, w, "A", "CANCEL"),
    ),
    Attempt(
        "cfp-A-after-rejection",
        "A",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.a1}"),
        NOTHING,
        setup=lambda client, w: end_request(client, w, "B", "REJECT"),
    ),
    Attempt(
        "download-url-A-other-after-rejection",
        "A",
        "GET",
        lambda w: file_query(w.op_a, w.op_b, w.file_b, "OTHER", w.trade_id),
        FILE_NOT_FOUND,
        setup=lambda client, w: end_request(client, w, "B", "REJECT"),
    ),
    Attempt(
        "delete-certificate-C-as-B",
        "C",
        "DELETE",
        lambda w: f"/cfpCertifications?operatorId={w.op_b}&traceId={w.part_b}",
        NOT_YOUR_OPERATOR_ID,
    ),
    Attempt(
        "delete-certificate-C-B-file",
        "C",
        "DELETE",
        lambda w: f"/cfpCertifications?operatorId={w.op_c}&traceId={w.part_b}&fileId={w.file_b}",
        ts_not_found(lambda w: f"traceId: {w.part_b} has no certificate."),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "delete-certificate-C-all-B-files",
        "C",
        "DELETE",
        lambda w: f"/cfpCertifications?operatorId={w.op_c}&traceId={w.part_b}",
        ts_not_found(lambda w: f"traceId: {w.part_b} has no certificate."),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "delete-certificate-C-B-file-via-own-trace",
        "C",
        "DELETE",
        lambda w: f"/cfpCertifications?operatorId={w.op_c}&traceId={w.part_c}&fileId={w.file_b}",
        ts_not_found(lambda w: f"fileId: {w.file_b} was not found."),
        foreign=lambda w: w.file_b,
    ),
    Attempt(
        "delete-certificate-A-supplier-file",
        "A",
        "DELETE",
        lambda w: f"/cfpCertifications?operatorId={w.op_a}&traceId={w.part_b}&fileId={w.file_b}",
        ts_not_found(lambda w: f"traceId: {w.part_b} has no certificate."),
        foreign=lambda w: w.part_b,
    ),
    # ------------------------------------------------------------- signed file links
    Attempt(
        "file-put-B-file-with-C-upload-token",
        "anyone",
        "PUT",
        lambda w: f"/files/{w.file_b}?token={token_of(w.c_upload_url)}",
        LINK_REFUSED,
        body=lambda w: EVIL_PDF,
    ),
    Attempt(
        "file-put-B-file-with-retargeted-token",
        "anyone",
        "PUT",
        lambda w: (
            f"/files/{w.file_b}?token="
            + retarget(token_of(w.c_upload_url), fid=w.file_b, own=w.op_b)
        ),
        LINK_REFUSED,
        body=lambda w: EVIL_PDF,
    ),
    Attempt(
        "file-put-B-file-with-forged-token",
        "anyone",
        "PUT",
        lambda w: f"/files/{w.file_b}?token={forged('upload', w.op_b, w.file_b)}",
        LINK_REFUSED,
        body=lambda w: EVIL_PDF,
    ),
    Attempt(
        "file-put-B-file-with-unsigned-token",
        "anyone",
        "PUT",
        lambda w: f"/files/{w.file_b}?token={unsigned('upload', w.op_b, w.file_b)}",
        LINK_REFUSED,
        body=lambda w: EVIL_PDF,
    ),
    Attempt(
        "file-put-C-file-with-download-token",
        "anyone",
        "PUT",
        lambda w: f"/files/{w.file_c}?token={token_of(w.c_download_url)}",
        LINK_REFUSED,
        body=lambda w: EVIL_PDF,
    ),
    Attempt(
        "file-get-B-file-with-C-download-token",
        "anyone",
        "GET",
        lambda w: f"/files/{w.file_b}?token={token_of(w.c_download_url)}",
        LINK_REFUSED,
    ),
    Attempt(
        "file-get-B-file-with-retargeted-token",
        "anyone",
        "GET",
        lambda w: (
            f"/files/{w.file_b}?token="
            + retarget(token_of(w.c_download_url), fid=w.file_b, own=w.op_b)
        ),
        LINK_REFUSED,
    ),
    Attempt(
        "file-get-B-file-with-forged-token",
        "anyone",
        "GET",
        lambda w: f"/files/{w.file_b}?token={forged('download', w.op_b, w.file_b)}",
        LINK_REFUSED,
    ),
    Attempt(
        "file-get-B-file-with-unsigned-token",
        "anyone",
        "GET",
        lambda w: f"/files/{w.file_b}?token={unsigned('download', w.op_b, w.file_b)}",
        LINK_REFUSED,
    ),
    Attempt(
        "file-get-B-file-with-upload-token",
        "anyone",
        "GET",
        lambda w: f"/files/{w.file_b}?token={token_of(w.b_upload_url)}",
        LINK_REFUSED,
    ),
    Attempt(
        "file-get-B-file-without-token",
        "anyone",
        "GET",
        lambda w: f"/files/{w.file_b}",
        LINK_REFUSED,
    ),
    # File links and access tokens share the signing key: neither may stand in for the other.
    Attempt(
        "file-get-B-file-with-B-access-token",
        "anyone",
        "GET",
        lambda w: f"/files/{w.file_b}?token={w.headers['B']['Authorization'][len('Bearer ') :]}",
        LINK_REFUSED,
    ),
    Attempt(
        "bearer-upload-link-token",
        "link-as-bearer",
        "GET",
        lambda w: dt("parts"),
        auth(401, "Invalid or expired token"),
        headers=lambda w: {
            "apiKey": APPLICATION_KEY,
            "Authorization": f"Bearer {token_of(w.b_upload_url)}",
        },
    ),
    Attempt(
        "bearer-download-link-token",
        "link-as-bearer",
        "GET",
        lambda w: "/api/v1/authInfo?dataTarget=plant",
        auth(401, "Invalid or expired token"),
        headers=lambda w: {
            "apiKey": w.key_c,
            "Authorization": f"Bearer {token_of(w.c_download_url)}",
        },
    ),
]


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


def _attempt_params() -> list[Any]:
    return [pytest.param(a, id=a.id, marks=a.marks) for a in ATTEMPTS]


@pytest.mark.parametrize("attempt", _attempt_params())
def test_cross_operator_attempt(client: TestClient, world: World, attempt: Attempt) -> None:
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


# ----------------------------------------------------------------- positive controls


def test_world_is_what_the_attempts_assume(client: TestClient, world: World) -> None:
    """The refusals above mean something: the owners and the trade partners do see the data."""
    w = world
    a, b = w.headers["A"], w.headers["B"]
    assert [p["traceId"] for p in _ok(client.get(dt(f"parts&traceId={w.part_a}"), headers=a))] == [
        w.part_a
    ]
    structure = _ok(client.get(dt(f"partsStructure&traceId={w.part_a}"), headers=a))
    assert [c["traceId"] for c in structure["childrenPartsModel"]] == [w.a1]
    [received] = _ok(client.get(dt("tradeResponse"), headers=b))
    assert received["tradeModel"]["tradeId"] == w.trade_id
    assert received["partsModel"]["amountRequired"] is None  # A's amount stays A's
    assert received["statusModel"]["requestStatus"]["cfpResponseStatus"] == "COMPLETED"
    # A sees B's released values and certificate through its own part A1.
    assert _ok(client.get(dt(f"cfp&traceIds={w.a1}"), headers=a)) == [
        {
            "cfpId": None,
            "traceId": w.a1,
            "ghgEmission": 1.5,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": "preProductionResponse",
            "dqrType": "preProcessingResponse",
            "dqrValue": {"TeR": 1.1, "GeR": 1.2, "TiR": 1.3},
        },
        {
            "cfpId": None,
            "traceId": w.a1,
            "ghgEmission": 10,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": "mainProductionResponse",
            "dqrType": "mainProcessingResponse",
            "dqrValue": {"TeR": 2.1, "GeR": 2.2, "TiR": 2.3},
        },
    ]
    assert _ok(client.get(dt(f"cfpCertification&traceId={w.a1}"), headers=a)) == [
        {
            "cfpCertificationId": w.cert_b,
            "traceId": w.a1,
            "cfpCertificationDescription": "B社 CFP証明書",
            "cfpCertificationFileInfo": [
                {"operatorId": w.op_b, "fileId": w.file_b, "fileName": "b-cfp.pdf"}
            ],
        }
    ]
    link = _ok(download_url(client, a, w.op_a, w.op_b, w.file_b, "OTHER", w.trade_id))
    assert link["fileName"] == "b-cfp.pdf"
    assert client.get(link["URL"]).content == PDF_B
    # C's own key and token work for C.
    assert _ok(client.get(dt("parts"), headers=w.headers["C"])) == [w.part_c_json]


def test_foreign_token_with_bound_key_is_refused(client: TestClient, world: World) -> None:
    """Sample-APIKey1 is bound to A and B: C's (valid) token is refused with it, on every
    surface, while the same token works with C's own key."""
    w = world
    bad = w.headers["C@key1"]
    for method, url in [
        ("GET", dt("parts")),
        ("GET", dt("tradeRequest")),
        ("GET", "/api/v1/authInfo?dataTarget=operator"),
        ("GET", f"/cfpAcl?operatorId={w.op_c}&traceId={w.part_c}"),
    ]:
        response = client.request(method, url, headers=bad)
        assert response.status_code == 403, (url, response.text)
        if url.startswith("/cfpAcl"):
            assert response.json() == {
                "errors": [{"errorCode": "MSGAECP0025", "errorDescription": NO_PRIVILEGES}]
            }
        else:
            body = response.json()
            assert body["code"] == "[auth] AccessDenied"
            assert body["message"] == NO_PRIVILEGES
            assert body["detail"].startswith("id: , timeStamp: ")
        good = client.request(method, url, headers=w.headers["C"])
        assert good.status_code == 200, good.text


# -------------------------------------------------------------------- disclosure rules


def _response_rows(client: TestClient, w: World, trace_id: str) -> dict[str, dict[str, Any]]:
    rows = _ok(client.get(dt(f"cfp&traceIds={trace_id}"), headers=w.headers["A"]))
    assert [row["cfpType"] for row in rows] == ["preProductionResponse", "mainProductionResponse"]
    assert all(row["traceId"] == trace_id and row["cfpId"] is None for row in rows)
    return {row["cfpType"]: row for row in rows}


def _totals(client: TestClient, w: World) -> dict[str, dict[str, Any]]:
    rows = _ok(client.get(dt(f"cfp&traceIds={w.part_a}"), headers=w.headers["A"]))
    assert {row["traceId"] for row in rows} == {w.part_a}
    return {row["cfpType"]: row for row in rows}


def test_withheld_total_cfp_reaches_the_customer_as_null(client: TestClient, world: World) -> None:
    w = world
    release(client, w, customer=w.op_a, trace_id=w.part_b, cfp=False)
    rows = _response_rows(client, w, w.a1)
    assert rows["preProductionResponse"]["ghgEmission"] is None
    assert rows["mainProductionResponse"]["ghgEmission"] is None
    # the DQR was not withheld
    assert rows["preProductionResponse"]["dqrValue"] == {"TeR": 1.1, "GeR": 1.2, "TiR": 1.3}
    assert rows["mainProductionResponse"]["dqrValue"] == {"TeR": 2.1, "GeR": 2.2, "TiR": 2.3}
    # A's totals cannot reveal the withheld value: the component total is unknown, not 0,
    # and the total DQR is A's own (an unknown emission carries no weight).
    totals = _totals(client, w)
    assert totals["preProductionTotal"]["ghgEmission"] == 3
    assert totals["preComponentTotal"]["ghgEmission"] is None
    assert totals["mainComponentTotal"]["ghgEmission"] is None
    assert totals["preProductionTotal"]["dqrValue"] == {"TeR": 1, "GeR": 2, "TiR": 3}
    # B still sees its own values.
    own = _ok(client.get(dt(f"cfp&traceIds={w.part_b}"), headers=w.headers["B"]))
    assert {row["cfpType"]: row["ghgEmission"] for row in own}["preProduction"] == 1.5


def test_withheld_total_dqr_reaches_the_customer_as_null(client: TestClient, world: World) -> None:
    w = world
    release(client, w, customer=w.op_a, trace_id=w.part_b, dqr=False)
    rows = _response_rows(client, w, w.a1)
    assert rows["preProductionResponse"]["ghgEmission"] == 1.5
    assert rows["mainProductionResponse"]["ghgEmission"] == 10
    for row in rows.values():
        assert row["dqrValue"] == {"TeR": None, "GeR": None, "TiR": None}
    # B's DQR does not flow into A's totals either: they carry A's own ratings only.
    totals = _totals(client, w)
    assert totals["preComponentTotal"]["ghgEmission"] == 7.5
    assert totals["preProductionTotal"]["dqrValue"] == {"TeR": 1, "GeR": 2, "TiR": 3}
    assert totals["mainProductionTotal"]["dqrValue"] == {"TeR": 2, "GeR": 3, "TiR": 4}


def test_released_dqr_is_weighted_into_the_customer_totals(
    client: TestClient, world: World
) -> None:
    """The control for the test above: released, B's DQR does move A's total DQR."""
    totals = _totals(client, world)
    # pre: (1 x 3 + 1.1 x 7.5) / 10.5 = 1.07142857 -> rounded up to 5 decimals
    assert totals["preProductionTotal"]["dqrValue"]["TeR"] == 1.07143


def test_withheld_certificate_is_described_as_null(client: TestClient, world: World) -> None:
    w = world
    a = w.headers["A"]
    release(client, w, customer=w.op_a, trace_id=w.part_b, certificate=False)
    assert _ok(client.get(dt(f"cfpCertification&traceId={w.a1}"), headers=a)) == [
        {
            "cfpCertificationId": w.cert_b,
            "traceId": w.a1,
            "cfpCertificationDescription": None,
            "cfpCertificationFileInfo": None,
        }
    ]
    response = download_url(client, a, w.op_a, w.op_b, w.file_b, "OTHER", w.trade_id)
    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"errorCode": "MSGAECO0003", "errorDescription": "file not found"}]
    }
    # CFP values were not withheld.
    assert _response_rows(client, w, w.a1)["preProductionResponse"]["ghgEmission"] == 1.5
    # B still has its certificate.
    own = _ok(client.get(dt(f"cfpCertification&traceId={w.part_b}"), headers=w.headers["B"]))
    assert own[0]["cfpCertificationFileInfo"][0]["fileId"] == w.file_b


def test_disclosure_is_decided_per_customer(client: TestClient, world: World) -> None:
    """B answers A and C with the same part; withholding from C leaves A's view alone."""
    w = world
    c = w.headers["C"]
    # C's product 部品C製品 needs 部品C1, bought in from B.
    structure = _ok(
        client.put(
            dt("partsStructure"),
            headers=c,
            json={
                "parentPartsModel": part(w.op_c, w.plant_c, "部品C製品"),
                "childrenPartsModel": [part(w.op_c, w.plant_c, "部品C1", amount=2)],
            },
        ),
        201,
    )
    c1 = structure["childrenPartsModel"][0]["traceId"]
    request = _ok(
        client.put(dt("tradeRequest"), headers=c, json=trade_request(w.op_c, c1, w.op_b)), 201
    )
    trade_c = request["tradeModel"]["tradeId"]
    response = client.put(
        dt(f"tradeResponse&tradeId={trade_c}&traceId={w.part_b}"), headers=w.headers["B"]
    )
    assert response.status_code == 201, response.text
    release(client, w, customer=w.op_c, trace_id=w.part_b, cfp=False, dqr=False, certificate=False)

    rows = _ok(client.get(dt(f"cfp&traceIds={c1}"), headers=c))
    assert [(r["cfpType"], r["ghgEmission"], r["dqrValue"]) for r in rows] == [
        ("preProductionResponse", None, {"TeR": None, "GeR": None, "TiR": None}),
        ("mainProductionResponse", None, {"TeR": None, "GeR": None, "TiR": None}),
    ]
    assert _ok(client.get(dt(f"cfpCertification&traceId={c1}"), headers=c)) == [
        {
            "cfpCertificationId": w.cert_b,
            "traceId": c1,
            "cfpCertificationDescription": None,
            "cfpCertificationFileInfo": None,
        }
    ]
    response = download_url(client, c, w.op_c, w.op_b, w.file_b, "OTHER", trade_c)
    assert response.status_code == 404, response.text
    # A, released, still sees everything.
    rows_a = _response_rows(client, w, w.a1)
    assert rows_a["preProductionResponse"]["ghgEmission"] == 1.5
    assert rows_a["preProductionResponse"]["dqrValue"] == {"TeR": 1.1, "GeR": 1.2, "TiR": 1.3}
    certification = _ok(client.get(dt(f"cfpCertification&traceId={w.a1}"), headers=w.headers["A"]))
    assert certification[0]["cfpCertificationDescription"] == "B社 CFP証明書"
    # C's trade with B never shows A: C's request list has its own trade only.
    assert [t["tradeId"] for t in _ok(client.get(dt("tradeRequest"), headers=c))] == [trade_c]
    # And B's trade list shows two customers, each only its own part.
    received = _ok(client.get(dt("tradeResponse"), headers=w.headers["B"]))
    assert {r["partsModel"]["traceId"] for r in received} == {w.a1, c1}


def test_customer_never_sees_the_supplier_structure(client: TestClient, world: World) -> None:
    """B answers with a parent part made of two of its own parts: A gets B's totals as two
    Response rows and nothing of B's structure, by any read."""
    w = world
    a, b = w.headers["A"], w.headers["B"]
    # A adds a second bought-in child 部品A2 to 部品A and asks B for it.
    structure = _ok(client.get(dt(f"partsStructure&traceId={w.part_a}"), headers=a))
    a2_body = part(w.op_a, w.plant_a, "部品A2", support="modelA-2", amount=1)
    structure = _ok(
        client.put(
            dt("partsStructure"),
            headers=a,
            json={
                "parentPartsModel": structure["parentPartsModel"],
                "childrenPartsModel": [*structure["childrenPartsModel"], a2_body],
            },
        ),
        201,
    )
    a2 = next(c["traceId"] for c in structure["childrenPartsModel"] if c["partsName"] == "部品A2")
    request = _ok(
        client.put(dt("tradeRequest"), headers=a, json=trade_request(w.op_a, a2, w.op_b)), 201
    )
    trade_2 = request["tradeModel"]["tradeId"]
    # B builds 部品B2 = 2 x 部品B2-1 + 3 x 部品B2-2 (both terminated), each with CFP.
    children = [
        part(w.op_b, w.plant_b, "部品B2-1", support="秘密の配合1", terminated=True, amount=2),
        part(w.op_b, w.plant_b, "部品B2-2", support="秘密の配合2", terminated=True, amount=3),
    ]
    b2_structure = _ok(
        client.put(
            dt("partsStructure"),
            headers=b,
            json={
                "parentPartsModel": part(w.op_b, w.plant_b, "部品B2", support="modelB2"),
                "childrenPartsModel": children,
            },
        ),
        201,
    )
    b2 = b2_structure["parentPartsModel"]["traceId"]
    b2_children = [c["traceId"] for c in b2_structure["childrenPartsModel"]]
    for trace_id, pre, main in [(b2_children[0], 1, 2), (b2_children[1], 3, 4), (b2, 5, 6)]:
        _ok(client.put(dt("cfp"), headers=b, json=cfp_set(trace_id, pre, main)), 201)
    _ok(client.put(dt(f"tradeResponse&tradeId={trade_2}&traceId={b2}"), headers=b), 201)

    b_ids = [b2, *b2_children]
    b_names = ["部品B2", "秘密の配合", "modelB2"]
    seen: list[str] = []

    def read(url: str) -> Response:
        response = client.get(url, headers=a)
        seen.append(response.text)
        return response

    for trace_id in b_ids:
        assert _ok(read(dt(f"parts&traceId={trace_id}"))) == []
        response = read(dt(f"partsStructure&traceId={trace_id}"))
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "[dataspace] NotFound"
        assert response.json()["message"] == "record not found"
        assert _ok(read(dt(f"cfpCertification&traceId={trace_id}"))) == []
    assert _ok(read(dt(f"cfp&traceIds={','.join(b_ids)}"))) == []

    # A2's CFP: exactly B2's disclosed totals, as the two Response rows.
    rows = _ok(read(dt(f"cfp&traceIds={a2}")))
    # pre: own 5 + component 0 + 2 x (1 + 0) + 3 x (3 + 0) = 16; main: 6 + 2 x 2 + 3 x 4 = 22
    assert [(r["traceId"], r["cfpType"], r["ghgEmission"]) for r in rows] == [
        (a2, "preProductionResponse", 16),
        (a2, "mainProductionResponse", 22),
    ]
    # A's own views of its parent and its lists name no B part.
    parent_rows = _ok(read(dt(f"cfp&traceIds={w.part_a},{w.a1},{a2}")))
    assert {r["traceId"] for r in parent_rows} <= {w.part_a, w.a1, a2}
    _ok(read(dt("parts")))
    _ok(read(dt(f"partsStructure&traceId={w.part_a}")))
    _ok(read(dt("tradeRequest")))
    _ok(read(dt("status&statusTarget=REQUEST")))
    _ok(read(f"/notifications?operatorId={w.op_a}"))
    # Only the trade's own link names B2 (A's tradeRequest.upstreamTraceId); nothing else of
    # B's, not its children's ids, not a name.
    text = "\n".join(seen)
    for secret in [*b2_children, *b_names]:
        assert secret not in text, f"A saw {secret}"


def test_an_intermediary_cannot_pass_on_what_it_was_not_given(
    client: TestClient, world: World
) -> None:
    """C buys 部品A1 from A, which buys it from B. A can answer only with its own part; C gets
    A's total, which holds B's values only as far as B released them to A, and never B's
    certificate."""
    w = world
    a, c = w.headers["A"], w.headers["C"]
    structure = _ok(
        client.put(
            dt("partsStructure"),
            headers=c,
            json={
                "parentPartsModel": part(w.op_c, w.plant_c, "部品C製品"),
                "childrenPartsModel": [part(w.op_c, w.plant_c, "部品C1", amount=2)],
            },
        ),
        201,
    )
    c1 = structure["childrenPartsModel"][0]["traceId"]
    request = _ok(
        client.put(dt("tradeRequest"), headers=c, json=trade_request(w.op_c, c1, w.op_a)), 201
    )
    trade_ca = request["tradeModel"]["tradeId"]

    # A cannot answer with B's part.
    response = client.put(dt(f"tradeResponse&tradeId={trade_ca}&traceId={w.part_b}"), headers=a)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "[dataspace] NotFound"
    assert response.json()["message"] == f"traceId: {w.part_b} was not found."
    # It answers with its own 部品A1 (bought in from B), on which it registered CFP as the
    # tutorial does; the total of 部品A1 is what B disclosed to A.
    _ok(client.put(dt("cfp"), headers=a, json=cfp_set(w.a1, 3.0, 20.0)), 201)
    response = client.put(dt(f"tradeResponse&tradeId={trade_ca}&traceId={w.a1}"), headers=a)
    assert response.status_code == 201, response.text
    rows = _ok(client.get(dt(f"cfp&traceIds={c1}"), headers=c))
    assert [(r["cfpType"], r["ghgEmission"]) for r in rows] == [
        ("preProductionResponse", 1.5),
        ("mainProductionResponse", 10),
    ]

    # B withholds both from A: C cannot get them through A either.
    release(client, w, customer=w.op_a, trace_id=w.part_b, cfp=False, dqr=False)
    rows = _ok(client.get(dt(f"cfp&traceIds={c1}"), headers=c))
    assert [(r["cfpType"], r["ghgEmission"], r["dqrValue"]) for r in rows] == [
        ("preProductionResponse", None, {"TeR": None, "GeR": None, "TiR": None}),
        ("mainProductionResponse", None, {"TeR": None, "GeR": None, "TiR": None}),
    ]
    # B's certificate (released to A) is not C's: A has none of its own on 部品A1.
    assert _ok(client.get(dt(f"cfpCertification&traceId={c1}"), headers=c)) == []
    for owner in (w.op_b, w.op_a):
        response = download_url(client, c, w.op_c, owner, w.file_b, "OTHER", trade_ca)
        assert response.status_code == 404, response.text
        assert response.json() == {
            "errors": [{"errorCode": "MSGAECO0003", "errorDescription": "file not found"}]
        }


def test_a_redirected_request_does_not_carry_the_previous_supplier_reply(
    client: TestClient, world: World
) -> None:
    """A asks B, B leaves a reply message (not a send-back), A then moves the request to C
    (allowed while B has linked nothing). B's words are B's and A's: C must not read them."""
    w = world
    a, b, c = w.headers["A"], w.headers["B"], w.headers["C"]
    structure = _ok(
        client.put(
            dt("partsStructure"),
            headers=a,
            json={
                "parentPartsModel": part(w.op_a, w.plant_a, "製品X"),
                "childrenPartsModel": [part(w.op_a, w.plant_a, "部品X1", amount=1)],
            },
        ),
        201,
    )
    x1 = structure["childrenPartsModel"][0]["traceId"]
    request = _ok(
        client.put(dt("tradeRequest"), headers=a, json=trade_request(w.op_a, x1, w.op_b)), 201
    )
    trade_id = request["tradeModel"]["tradeId"]
    status_id = request["statusModel"]["statusId"]
    secret = "B社の社外秘: 原価は1個100円です"
    response = client.post(
        "/replyMessages",
        headers=b,
        json={"operatorId": w.op_b, "requestId": status_id, "replyMessage": secret},
    )
    assert _ok(response) == {"requestId": status_id}

    body = amend(trade_request(w.op_a, x1, w.op_c), trade_id, status_id)
    body["statusModel"]["message"] = "お願いします。"
    response = client.put(dt("tradeRequest"), headers=a, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["statusModel"]["replyMessage"] is None
    seen = [
        client.get(url, headers=c).text
        for url in (
            dt("tradeResponse"),
            dt("status"),
            dt("status&statusTarget=RESPONSE"),
            f"/notifications?operatorId={w.op_c}",
        )
    ]
    assert all(secret not in text for text in seen), seen
    [received] = _ok(client.get(dt("tradeResponse"), headers=c))
    assert received["statusModel"]["replyMessage"] is None
    assert received["tradeModel"]["upstreamOperatorId"] == w.op_c
    # B no longer has the request.
    assert [
        r["tradeModel"]["tradeId"] for r in _ok(client.get(dt("tradeResponse"), headers=b))
    ] == [w.trade_id]


@pytest.mark.parametrize("path", ["/cfpAcl", "/cfpCertificationAcl"])
def test_release_to_an_unknown_operator_is_refused_cleanly(
    client: TestClient, world: World, path: str
) -> None:
    w = world
    unknown = str(uuid.uuid4())
    make = acl_body if path == "/cfpAcl" else cert_acl_body
    before = snapshot(w)
    response = client.post(path, headers=w.headers["B"], json=make(w.op_b, unknown, w.part_b, True))
    # 404, like an unknown upstreamOperatorId on #7.
    assert response.status_code == 404, response.text
    assert response.json() == {
        "errors": [
            {
                "errorCode": "MSGAECO0003",
                "errorDescription": f"releasedToOperatorId: {unknown} was not found.",
            }
        ]
    }
    assert snapshot(w) == before
