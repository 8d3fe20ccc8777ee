"""`battrace recycling …` on both databases: a permit, a collection from a JSON file, the
lot's balance, a report with its rates, a product's content and the dashboard; a refused
input is one line and exit code 1."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from battrace.cli import app as cli
from battrace.recycling import materials
from battrace.recycling.content import ElementContent
from battrace.recycling.rules import Element
from battrace.store import Database
from tests.cli.test_commands import env
from tests.connector.test_recycling_api import REPORT
from tests.recycling.loop import COLLECTOR, PACK, RECYCLER, part, plant, seed_loop

runner = CliRunner()


def test_recycling_commands(database: Database, tmp_path: Path) -> None:
    seed_loop(database)
    with database.transaction() as session:
        pack = part(session, PACK, plant(session, PACK), "Pack")["Pack"]
        materials.declare_content(
            session,
            caller=PACK.operator_id,
            trace_id=pack,
            element=Element.COBALT,
            content=ElementContent(Decimal(2), Decimal(0), Decimal(1)),
        )
    variables = env(database)
    added = runner.invoke(
        cli,
        [
            "recycling",
            "permit",
            "--as",
            PACK.open_operator_id,
            "--role",
            "collector",
            "--ref",
            "P-1",
        ],
        env=variables,
    )
    assert added.exit_code == 0, added.output
    lot_file = tmp_path / "lot.json"
    lot_file.write_text(
        json.dumps({"code": "C-1", "productType": "battery", "memberState": "PL", "massKg": 80}),
        encoding="utf-8",
    )
    collected = runner.invoke(
        cli,
        ["recycling", "collect", str(lot_file), "--as", COLLECTOR.open_operator_id],
        env=variables,
    )
    assert collected.exit_code == 0, collected.output
    lot_id = collected.output.split()[2]
    shown = runner.invoke(
        cli,
        ["recycling", "lot", "--as", COLLECTOR.open_operator_id, "--lot-id", lot_id],
        env=variables,
    )
    assert "mass balance over 1 steps: balanced" in shown.output
    report_file = tmp_path / "report.json"
    report_file.write_text(json.dumps(REPORT), encoding="utf-8")
    reported = runner.invoke(
        cli,
        ["recycling", "report", str(report_file), "--as", RECYCLER.open_operator_id],
        env=variables,
    )
    assert reported.exit_code == 0, reported.output
    assert "recycling efficiency 25.00 %" in reported.output
    assert "Li recovery 56.25 %" in reported.output
    refused = runner.invoke(
        cli,
        ["recycling", "report", str(report_file), "--as", COLLECTOR.open_operator_id],
        env=variables,
    )
    assert refused.exit_code == 1 and "recycler permit" in refused.output
    content = runner.invoke(
        cli,
        [
            "recycling",
            "content",
            "--as",
            PACK.open_operator_id,
            "--trace-id",
            str(pack),
            "--placed-on-market",
            "2037-01-01",
        ],
        env=variables,
    )
    assert "Co: 50.00 % (minimum 26 %, gap 0)" in content.output
    out = tmp_path / "loop.html"
    board = runner.invoke(
        cli,
        [
            "recycling",
            "dashboard",
            "--as",
            COLLECTOR.open_operator_id,
            "--scope",
            "own",
            "--format",
            "html",
            "--out",
            str(out),
        ],
        env=variables,
    )
    assert board.exit_code == 0 and "<h1>The loop</h1>" in out.read_text(encoding="utf-8")


def test_the_loop_demo_is_the_demo_s_loop(database: Database) -> None:
    """`battrace recycling demo` plays `battrace demo`, whose last steps are the loop (one
    story, over the HTTP API), and reads its results when run again."""
    variables = env(database)
    first = runner.invoke(cli, ["recycling", "demo"], env=variables)
    assert first.exit_code == 0, first.output
    said = " ".join(first.output.split())
    assert "7. The loop" in said and "8. Not only batteries" in said
    # counted outputs 110 + 300 + 120 + 74 + 60 = 664 kg of 799 - 20 = 779 kg -> 85.24 %
    assert "recycling efficiency 85.24 %" in said and "2 passports ended" in said
    # the cathode's mass balance: Co 100 kg x 0.21 = 21 kg recycled of 21 + 90 booked
    # -> 18.92 % (16 % met); Ni 400 x 0.22 = 88 of 88 + 1,400 -> 5.91 % (6 %: 0.09 short)
    assert "18.92 %" in said
    assert "5.91 %" in said and "0.09" in said
    again = runner.invoke(cli, ["recycling", "demo"], env=variables)
    assert again.exit_code == 0 and "loaded already" in again.output
    assert "7. The loop" not in again.output
