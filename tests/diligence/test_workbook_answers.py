"""A supplier answers a DD request with its filled-in EMRT: through the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from battrace.cli import app as cli
from battrace.diligence.workbook_answers import percent, yes_no
from battrace.settings import Settings
from battrace.store import Database
from tests.diligence.chain import CELL, DD, PACK, Chain, ask, build_chain
from tests.diligence.workbooks import SmelterRow, TemplateSpec, assurance_rows, build

EMRT = TemplateSpec(
    kind="EMRT",
    version="2.1",
    answers={
        ("1", "cobalt"): "Yes",
        ("3", "cobalt"): "No",
        ("5", "cobalt"): "Greater than 90%",
        ("6", "cobalt"): "Yes",
        ("1", "nickel"): "Yes",
        ("3", "nickel"): "Unknown",
    },
    company_answers={"A": "Yes", "B": "No", "C": "Yes"},
    smelters=[
        SmelterRow(
            metal="Cobalt", name="Cobalt refinery", smelter_id="CID000101", country="FINLAND"
        ),
        SmelterRow(metal="Nickel", name="Nickel refinery", smelter_id="CID000102", country="JAPAN"),
        SmelterRow(metal="Copper", name="Copper smelter", smelter_id="CID000103", country="CHILE"),
    ],
)


@pytest.fixture
def chain(client: TestClient, database: Database) -> Chain:
    return build_chain(client, database)


def _import(client: TestClient, chain: Chain, request_id: str, content: bytes):  # type: ignore[no-untyped-def]
    return client.put(
        f"{DD}/requests/{request_id}/workbook",
        content=content,
        headers={**chain.cell.headers, "Content-Type": "application/octet-stream"},
    )


def test_emrt_fills_the_draft(client: TestClient, chain: Chain) -> None:
    assured = client.put(
        f"{DD}/assurances",
        content=assurance_rows(
            [
                ("CID", "scheme", "status", "valid_to"),
                ("CID000101", "RMAP", "conformant", "2099-01-01"),
            ]
        ),
        headers=chain.cell.headers,
    )
    assert assured.status_code == 200, assured.text
    assert assured.json() == {"imported": 1}
    rid = ask(client, chain.pack, ["cobalt", "nickel"])["requestId"]
    response = _import(client, chain, rid, build(EMRT))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["workbook"]["kind"] == "EMRT" and body["workbook"]["version"] == "2.1"
    assert body["workbook"]["facilitiesRead"] == 2
    assert body["workbook"]["facilitiesSkipped"] == 1  # copper was not asked for
    draft = body["responses"][0]
    assert draft["version"] is None and draft["sourceWorkbook"] == "EMRT 2.1"
    assert draft["signer"]["email"] == "hanako.sato@example.com"
    facilities = {f["facilityId"]: f for f in draft["facilities"]}
    assert facilities["CID000101"]["status"] == "conformant"  # from the assurance list
    assert facilities["CID000101"]["scheme"] == "RMAP"
    assert facilities["CID000102"]["status"] == "unknown"
    answers = {(a["code"], a["material"]): a["value"] for a in draft["answers"]}
    assert answers[("MAT.CAHRA", "cobalt")] == "no"
    assert answers[("MAT.CAHRA", "nickel")] == "unknown"
    assert answers[("MAT.SUPPLIERS_RESPONDED", "cobalt")] == 90
    assert answers[("BR49.POLICY", None)] == "yes"
    assert answers[("BR49.COMMUNICATED", None)] == "no"
    submitted = client.post(f"{DD}/requests/{rid}/submit", headers=chain.cell.headers)
    assert submitted.status_code == 201, submitted.text


def test_an_assurance_list_may_name_a_facility_under_two_schemes(
    client: TestClient, chain: Chain
) -> None:
    rows = [
        ("CID", "scheme", "status", "valid_to"),
        ("CID000101", "COPPER_MARK", "active", None),
        ("CID000101", "RMAP", "conformant", "2099-01-01"),
        ("CID000102", "RMAP", "not enrolled", None),
    ]
    assured = client.put(
        f"{DD}/assurances", content=assurance_rows(rows), headers=chain.cell.headers
    )
    assert assured.status_code == 200, assured.text
    assert assured.json() == {"imported": 2}
    rid = ask(client, chain.pack, ["cobalt"])["requestId"]
    saved = client.put(
        f"{DD}/requests/{rid}/answer",
        headers=chain.cell.headers,
        json={"facilities": [{"material": "cobalt", "facilityId": "CID000101", "name": "R"}]},
    )
    [facility] = saved.json()["responses"][0]["facilities"]
    assert (facility["scheme"], facility["status"]) == ("RMAP", "conformant")


def test_a_broken_workbook_names_sheet_row_and_column(client: TestClient, chain: Chain) -> None:
    rid = ask(client, chain.pack, ["cobalt"])["requestId"]
    spec = TemplateSpec(
        kind="EMRT",
        version="2.1",
        smelters=[
            SmelterRow(metal="Cobalt", name="Bad id", smelter_id="CID12"),
        ],
    )
    response = _import(client, chain, rid, build(spec))
    assert response.status_code == 400
    assert "Smelter List!" in response.json()["message"]
    assert client.get(f"{DD}/requests/{rid}", headers=chain.cell.headers).json()["responses"] == []
    not_excel = _import(client, chain, rid, b"name,cid\nx,y\n")
    assert not_excel.status_code == 400


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", "yes"),
        ("No", "no"),
        ("Unknown", "unknown"),
        (None, "unknown"),
        ("yes, partly", "yes"),
    ],
)
def test_yes_no_reading(text: str | None, expected: str) -> None:
    assert yes_no(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100%", 100),
        ("Greater than 90%", 90),
        ("Greater than 75%", 75),
        ("50% or less", 0),
        ("None", 0),
        ("Unknown", None),
        ("", None),
    ],
)
def test_supplier_share_bands_take_the_lower_bound(text: str, expected: float | None) -> None:
    assert percent(text) == expected


def test_cli_round_trip(
    client: TestClient,
    chain: Chain,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BATTRACE_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    sent = runner.invoke(
        cli,
        [
            "dd",
            "send",
            "--as",
            PACK.open_operator_id,
            "--trade-id",
            str(chain.pack.trade_id),
            "--materials",
            "cobalt,nickel",
        ],
    )
    assert sent.exit_code == 0, sent.output
    request_id = sent.output.split()[2]
    workbook = tmp_path / "emrt.xlsx"
    workbook.write_bytes(build(EMRT))
    imported = runner.invoke(
        cli,
        [
            "dd",
            "import-workbook",
            str(workbook),
            "--as",
            CELL.open_operator_id,
            "--request-id",
            request_id,
            "--submit",
        ],
    )
    assert imported.exit_code == 0, imported.output
    assert "EMRT 2.1" in imported.output and "submitted version 1" in imported.output
    out = tmp_path / "report.json"
    reported = runner.invoke(
        cli,
        [
            "dd",
            "report",
            "--as",
            PACK.open_operator_id,
            "--trace-id",
            chain.pack.product,
            "--out",
            str(out),
        ],
    )
    assert reported.exit_code == 0, reported.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["byMaterial"]["nickel"]["answers"]["MAT.CAHRA"] == "unknown"
    assert report["suppliers"][0]["responseVersion"] == 1
    refused = runner.invoke(
        cli,
        [
            "dd",
            "send",
            "--as",
            CELL.open_operator_id,
            "--trade-id",
            str(chain.pack.trade_id),
            "--materials",
            "cobalt",
        ],
    )
    assert refused.exit_code == 1 and "tradeId" in refused.output
