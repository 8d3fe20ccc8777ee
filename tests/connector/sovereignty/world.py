"""The world of the sovereignty tests: three companies on one server, built once per
backend through the API (see `conftest.py` for how each test gets a fresh copy), and the
snapshot a refused call must leave exactly as it was.

A (customer) and B (supplier) come from the tutorial seeds; C is a third company with its own
login and its own Application key (Sample-APIKey1 is bound to A and B only). A has a plant, a
parent part with a child and a spare part, and asked B for the CFP of the child; B linked its
terminated part, registered CFP, granted disclosure as the reference UI does and uploaded a
certificate (upload URL, PUT the bytes, cfpCertificationInfo), and has another part with a
certificate that answers nobody; C has a plant, a part with CFP and a certificate of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from battrace.cli.seeds import APPLICATION_KEY
from battrace.identity import accounts, api_keys, operators
from battrace.identity.models import ApplicationAttribute
from battrace.migrations.schema import metadata
from battrace.settings import Settings
from battrace.store import Database
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


def answered_ok(response: Response, status: int = 200) -> Any:
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
    [slot] = answered_ok(
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
    info = answered_ok(
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
        assert answered_ok(response) == {"traceId": trace_id}
    if certificate is not None:
        response = client.post(
            "/cfpCertificationAcl",
            headers=w.headers["B"],
            json={**body, "releasedFlag": certificate},
        )
        assert answered_ok(response) == {"traceId": trace_id}


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
    parent = answered_ok(
        client.put(dt("parts"), headers=a, json=part(w.op_a, w.plant_a, "部品A", support="modelA")),
        201,
    )
    child = part(w.op_a, w.plant_a, "部品A1", support="modelA-1", amount=5)
    structure = answered_ok(
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
    w.spare_a = answered_ok(client.put(dt("parts"), headers=a, json=spare), 201)["traceId"]
    request = answered_ok(
        client.put(dt("tradeRequest"), headers=a, json=trade_request(w.op_a, w.a1, w.op_b)), 201
    )
    w.trade_id = request["tradeModel"]["tradeId"]
    w.status_id = request["statusModel"]["statusId"]

    # B: plant, terminated 部品B linked to the request, CFP, disclosure granted as the UI
    # does after linking, and a certificate.
    w.plant_b = create_plant(client, b, w.op_b, "1234567890124012345", "B工場")
    body = part(w.op_b, w.plant_b, "部品B", support="modelB", terminated=True)
    w.part_b = answered_ok(client.put(dt("parts"), headers=b, json=body), 201)["traceId"]
    answered_ok(
        client.put(dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.part_b}"), headers=b), 201
    )
    rows = cfp_set(w.part_b, 1.5, 10.0, pre_dqr=(1.1, 1.2, 1.3), main_dqr=(2.1, 2.2, 2.3))
    w.cfp_id_b = answered_ok(client.put(dt("cfp"), headers=b, json=rows), 201)[0]["cfpId"]
    release(client, w, customer=w.op_a, trace_id=w.part_b, cfp=True, dqr=True, certificate=True)
    w.cert_b, w.file_b, w.b_upload_url = upload_certificate(
        client, b, w.op_b, w.part_b, "b-cfp.pdf", PDF_B, "B社 CFP証明書"
    )
    # ... and a part of B that answers nobody, with a certificate of its own.
    body = part(w.op_b, w.plant_b, "部品B秘", support="modelB-secret", terminated=True)
    w.part_b_secret = answered_ok(client.put(dt("parts"), headers=b, json=body), 201)["traceId"]
    w.cert_b_secret, w.file_b_secret, _ = upload_certificate(
        client, b, w.op_b, w.part_b_secret, "b-secret.pdf", PDF_B, "B社 非公開証明書"
    )

    # A registers its own CFP on the parent, so totals exist.
    rows = cfp_set(w.part_a, 3.0, 20.0)
    w.cfp_id_a = answered_ok(client.put(dt("cfp"), headers=a, json=rows), 201)[0]["cfpId"]

    # C: plant, terminated 部品C with CFP and a certificate.
    w.plant_c = create_plant(client, c, w.op_c, "1234567890125012345", "C工場")
    w.plant_c_json = answered_ok(client.get("/api/v1/authInfo?dataTarget=plant", headers=c))[0]
    w.operator_c_json = answered_ok(client.get("/api/v1/authInfo?dataTarget=operator", headers=c))
    body = part(w.op_c, w.plant_c, "部品C", support="modelC", terminated=True)
    w.part_c_json = answered_ok(client.put(dt("parts"), headers=c, json=body), 201)
    w.part_c = w.part_c_json["traceId"]
    rows = cfp_set(w.part_c, 2.0, 4.0)
    w.cfp_id_c = answered_ok(client.put(dt("cfp"), headers=c, json=rows), 201)[0]["cfpId"]
    w.cfp_c_rows = answered_ok(client.get(dt(f"cfp&traceIds={w.part_c}"), headers=c))
    w.cert_c, w.file_c, w.c_upload_url = upload_certificate(
        client, c, w.op_c, w.part_c, "c-cfp.pdf", PDF_C, "C社 CFP証明書"
    )
    response = download_url(client, c, w.op_c, w.op_c, w.file_c, "OWN", w.cert_c)
    w.c_download_url = answered_ok(response)["URL"]

    notifications = answered_ok(client.get(f"/notifications?operatorId={w.op_a}", headers=a))
    w.notification_a = notifications["notifications"][0]["notificationId"]
    return w


@dataclass(frozen=True)
class WorldTemplate:
    url: str
    files: Path
    world: World
    rows: dict[str, list[dict[str, Any]]]  # every table's rows, to restore PostgreSQL from


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
