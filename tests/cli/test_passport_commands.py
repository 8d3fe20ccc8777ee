"""`battrace passport …`: a model, a batch with progress, status, QR files, readings, export
and import in every format, and `check` on a history copy and on a document."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from typer.testing import CliRunner

from battrace.cli import app as cli
from battrace.cli.seeds import TUTORIAL_COMPANIES
from battrace.passport import history
from battrace.passport.access import Role
from battrace.passport.catalogue import Category
from battrace.passport.examples import example_document
from battrace.store import Database
from tests.cli.test_commands import env
from tests.passport.world import GTIN

runner = CliRunner()
A = TUTORIAL_COMPANIES[0]
UUID = r"[0-9a-f-]{36}"


def _run(database: Database, *args: str) -> str:
    result = runner.invoke(cli, list(args), env=env(database))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_batch_from_the_command_line(seeded: Database, tmp_path: Path) -> None:
    as_a = ("--as", A.open_operator_id)
    made = _run(
        seeded, "passport", "model", *as_a, "--name", "Pack 80", "--category", "ev", "--gtin", GTIN
    )
    model_id = re.search(UUID, made)
    assert model_id is not None
    serials = tmp_path / "serials.txt"
    serials.write_text("C-1\nC-2\nC-3\n")
    issued = _run(
        seeded,
        "passport",
        "create",
        *as_a,
        "--model-id",
        model_id.group(0),
        "--serials",
        str(serials),
        "--publish",
    )
    assert "3 passports" in issued and "3/3" in issued
    with seeded.transaction() as session:
        from battrace.passport.lookup import find_by_gs1  # noqa: PLC0415

        passport_id = str(find_by_gs1(session, gtin=GTIN, serial="C-2"))
    readings = tmp_path / "r.csv"
    readings.write_text(
        f"passportId,metric,measuredAt,value\n{passport_id},fullCycles,2026-04-01T00:00:00Z,42\n"
    )
    assert "1 stored" in _run(seeded, "passport", "readings", str(readings), *as_a)
    status = _run(seeded, "passport", "status", passport_id, *as_a)
    assert "original" in status and "fullCycles" in status and "responsibleOperator" in status
    public = _run(seeded, "passport", "status", passport_id)
    assert "(not shown to you)" in public and "fullCycles" not in public
    for suffix, head in ((".svg", b"<?xml"), (".png", b"\x89PNG")):
        out = tmp_path / f"label{suffix}"
        _run(
            seeded,
            "passport",
            "qr",
            passport_id,
            "--out",
            str(out),
            "--base",
            "https://pass.example",
        )
        assert out.read_bytes().startswith(head)
    exported = tmp_path / "p.json"
    _run(seeded, "passport", "export", passport_id, *as_a, "--out", str(exported))
    assert json.loads(exported.read_text())["general"]["serialNumber"] == "C-2"
    checked = runner.invoke(cli, ["passport", "check", str(exported)], env=env(seeded))
    assert "valid" in checked.output
    with seeded.transaction() as session:
        from battrace.passport.models import Passport  # noqa: PLC0415

        found = session.get(Passport, uuid.UUID(passport_id))
        assert found is not None
        batch_id = str(found.batch_id)
    streamed = tmp_path / "batch.ndjson"
    _run(seeded, "passport", "export", "--batch", batch_id, *as_a, "--out", str(streamed))
    lines = [json.loads(line) for line in streamed.read_text().splitlines()]
    assert sorted(line["content"]["general"]["serialNumber"] for line in lines) == [
        "C-1",
        "C-2",
        "C-3",
    ]
    mine = next(line for line in lines if line["passportId"] == passport_id)
    assert mine["content"] == json.loads(exported.read_text())
    stranger = runner.invoke(cli, ["passport", "export", "--batch", batch_id], env=env(seeded))
    assert stranger.exit_code == 1 and "--as" in stranger.output
    with seeded.transaction() as session:
        versions = [
            v.to_dict() for v in history.versions_of(session, uuid.UUID(passport_id), Role.PUBLIC)
        ]
    copy = tmp_path / "history.json"
    copy.write_text(json.dumps({"versions": versions}))
    assert "verified" in _run(seeded, "passport", "check", str(copy))
    versions[0]["reason"] = "rewritten"
    copy.write_text(json.dumps({"versions": versions}))
    broken = runner.invoke(cli, ["passport", "check", str(copy)], env=env(seeded))
    assert broken.exit_code == 1 and "hash" in broken.output


def test_import_and_refusals(seeded: Database, tmp_path: Path) -> None:
    document = tmp_path / "doc.json"
    document.write_text(json.dumps(example_document(Category.LMT).to_json()))
    imported = _run(
        seeded, "passport", "import", str(document), "--as", A.open_operator_id, "--publish"
    )
    assert re.search(rf"passport {UUID}", imported)
    again = runner.invoke(
        cli, ["passport", "import", str(document), "--as", A.open_operator_id], env=env(seeded)
    )
    assert again.exit_code == 1 and "already exists" in " ".join(again.output.split())
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    refused = runner.invoke(
        cli, ["passport", "import", str(broken), "--as", A.open_operator_id], env=env(seeded)
    )
    assert refused.exit_code == 1 and "not a readable JSON" in " ".join(refused.output.split())
    wrong = runner.invoke(cli, ["passport", "export", "nope"], env=env(seeded))
    assert wrong.exit_code == 1 and "not a UUID" in " ".join(wrong.output.split())


def test_an_authority_login_from_the_command_line(seeded: Database) -> None:
    from sqlalchemy import select  # noqa: PLC0415

    from battrace.identity.models import Account, AccountRole  # noqa: PLC0415

    _run(
        seeded,
        "operator", "add", "--name", "Market surveillance", "--address", "Brussels",
        "--open-id", "9000000000001", "--email", "msa@example.com",
        "--password", "Msa&pass12345", "--authority",
    )  # fmt: skip
    with seeded.transaction() as session:
        role = session.scalar(select(Account.role).where(Account.email == "msa@example.com"))
    assert role == AccountRole.AUTHORITY
