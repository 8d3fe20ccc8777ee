"""`battrace pact …`: a self-signed pair, issuing a client, publishing, adding a host, a
failed pull shown as one line, and the delivery round."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography import x509
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from battrace.cli import app as cli
from battrace.pact.models import PactPublication, RemoteHost
from battrace.store import Database
from tests.cli.test_commands import env
from tests.interop.support import A
from tests.support import tutorial_chain

runner = CliRunner()
AS_A = ["--as", A.open_operator_id]


def test_tls_pair(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["pact", "tls", "--out", str(tmp_path), "--host", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    certificate = x509.load_pem_x509_certificate((tmp_path / "cert.pem").read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert (tmp_path / "key.pem").stat().st_mode & 0o077 == 0


def test_issue_publish_add_pull(client: TestClient, seeded: Database) -> None:
    chain = tutorial_chain(client, parent_cfp=True)
    issued = runner.invoke(
        cli, ["pact", "issue-client", *AS_A, "--counterparty", "EU Pack"], env=env(seeded)
    )
    assert issued.exit_code == 0, issued.output
    client_id = re.search(r"client id\s+(\S+)", issued.output).group(1)  # type: ignore[union-attr]
    published = runner.invoke(
        cli,
        [
            "pact",
            "publish",
            *AS_A,
            "--trace-id",
            chain.parent,
            "--client",
            client_id,
            "--country",
            "JP",
        ],
        env=env(seeded),
    )
    assert published.exit_code == 0, published.output
    assert "published footprint" in published.output
    unknown = runner.invoke(
        cli,
        ["pact", "publish", *AS_A, "--trace-id", chain.parent, "--client", "pact-nope"],
        env=env(seeded),
    )
    assert unknown.exit_code == 1
    assert "was not found" in unknown.output
    refreshed = runner.invoke(cli, ["pact", "refresh", *AS_A], env=env(seeded))
    assert "0 new footprints" in refreshed.output
    added = runner.invoke(
        cli,
        [
            "pact",
            "add-host",
            *AS_A,
            "--name",
            "JP Cell",
            "--base-url",
            "https://127.0.0.1:1",
            "--client-id",
            "x",
            "--client-secret",
            "y",
        ],
        env=env(seeded),
    )
    assert added.exit_code == 0, added.output
    host_id = re.search(r"remote host (\S+)", added.output).group(1)  # type: ignore[union-attr]
    pulled = runner.invoke(cli, ["pact", "pull", *AS_A, "--host", host_id], env=env(seeded))
    assert pulled.exit_code == 1
    assert "pull failed" in pulled.output and "unreachable" in pulled.output
    delivered = runner.invoke(cli, ["pact", "deliver"], env=env(seeded))
    assert delivered.exit_code == 0, delivered.output
    assert "delivered 0 of 0 events" in delivered.output
    with seeded.transaction() as session:
        assert session.query(PactPublication).count() == 1
        assert session.query(RemoteHost).one().attempts == 1
