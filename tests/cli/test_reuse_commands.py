"""`battrace reuse …`: intake with a cycler file, assess, verify, tables, listings."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from battrace.cli import app as cli
from battrace.store import Database
from tests.cli.test_commands import env
from tests.reuse.builders import intake_doc
from tests.reuse.world import make_market
from tests.web.support import A, B

runner = CliRunner()
FIXTURES = Path(__file__).parent.parent / "reuse" / "fixtures"


def test_intake_assess_verify_and_list(seeded: Database, tmp_path: Path) -> None:
    world = make_market(seeded)
    document = tmp_path / "cell.json"
    document.write_text(
        json.dumps(
            intake_doc(rated__rated_capacity_ah=2.5, rated__rated_energy_wh=9.25, history=None)
        )
    )
    made = runner.invoke(
        cli,
        [
            "reuse", "intake", str(document), "--as", A.open_operator_id,
            "--passport-id", str(world.packs[0]), "--cycler", str(FIXTURES / "cycler_small.csv"),
        ],
        env=env(seeded),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "800 rows, 40 cycles checked" in made.output
    intake_id = re.search(r"intake (\S+) recorded", made.output)
    assert intake_id
    assessed = runner.invoke(
        cli,
        ["reuse", "assess", "--as", A.open_operator_id, "--intake-id", intake_id.group(1)],
        env=env(seeded),
    )
    assert assessed.exit_code == 0, assessed.output
    assert "grade A" in assessed.output
    assessment_id = re.search(r"assessment (\S+) \(UBV-1", assessed.output)
    assert assessment_id
    verified = runner.invoke(
        cli,
        ["reuse", "verify", "--as", A.open_operator_id, "--assessment-id", assessment_id.group(1)],
        env=env(seeded),
    )
    assert verified.exit_code == 0 and "reproduced" in verified.output
    hidden = runner.invoke(
        cli,
        ["reuse", "verify", "--as", B.open_operator_id, "--assessment-id", assessment_id.group(1)],
        env=env(seeded),
    )
    assert hidden.exit_code == 1
    assert "no assessment" in hidden.output
    listings = runner.invoke(
        cli, ["reuse", "listings", "--as", B.open_operator_id], env=env(seeded)
    )
    assert "0 listing(s)" in listings.output


def test_a_table_is_versioned_and_a_bad_one_refused(seeded: Database, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"logistics": 200}))
    first = runner.invoke(
        cli, ["reuse", "table", "prices", str(prices), "--as", A.open_operator_id], env=env(seeded)
    )
    assert "prices table for *: version 1" in first.output
    prices.write_text(json.dumps({"dod": 3}))
    refused = runner.invoke(
        cli, ["reuse", "table", "prices", str(prices), "--as", A.open_operator_id], env=env(seeded)
    )
    assert refused.exit_code == 1
    assert "dod: must be ≤ 1." in refused.output
