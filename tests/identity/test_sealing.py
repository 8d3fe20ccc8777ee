"""Secrets kept at rest are sealed: operators' private signing keys and remote PACT hosts'
client secrets never reach the database in clear, open only with the configured keys and
only in their own row, and a key rotation (new key first, re-seal, old key dropped) keeps
every value usable."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from battrace.cli import app as cli
from battrace.cli.seeds import TUTORIAL_COMPANIES
from battrace.identity import sealing, signing
from battrace.identity.models import SigningKey
from battrace.pact import remote
from battrace.pact.models import RemoteHost
from battrace.store import Database

A, B = TUTORIAL_COMPANIES
OLD = "k1:" + "o" * 40
NEW = "k2:" + "n" * 40
VALUE = {"pcf": {"pcfExcludingBiogenicUptake": "3.5"}}
HOST_SECRET = "the-supplier-issued-this-secret"


def ring(*entries: str) -> sealing.KeyRing:
    made = sealing.KeyRing.from_entries(entries)
    assert made is not None
    return made


def test_sealed_values_open_only_with_their_key_and_in_their_place() -> None:
    keys = ring(OLD)
    sealed = keys.seal("seed", context="signing_keys.private_key:a:1")
    assert sealed.startswith("sealed:v1:k1:") and "seed" not in sealed
    assert keys.seal("seed", context="x") != keys.seal("seed", context="x")  # fresh nonce
    assert keys.open(sealed, context="signing_keys.private_key:a:1") == "seed"
    with pytest.raises(sealing.SealingError, match="altered or moved"):
        keys.open(sealed, context="signing_keys.private_key:b:1")  # copied into another row
    body = sealed.rsplit(":", 1)[1]
    flipped = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    flipped = flipped[:-1] + bytes([flipped[-1] ^ 1])
    altered = "sealed:v1:k1:" + base64.urlsafe_b64encode(flipped).decode().rstrip("=")
    with pytest.raises(sealing.SealingError, match="altered or moved"):
        keys.open(altered, context="signing_keys.private_key:a:1")
    with pytest.raises(sealing.SealingError, match="'k1', which is not configured"):
        ring(NEW).open(sealed, context="signing_keys.private_key:a:1")
    # same id, another secret: refused, not garbage
    with pytest.raises(sealing.SealingError, match="secret differs"):
        ring("k1:" + "x" * 40).open(sealed, context="signing_keys.private_key:a:1")
    with pytest.raises(sealing.SealingError, match="not sealed"):
        keys.open("plain text", context="x")


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["k1"], "<id>:<secret>"),
        (["bad id:" + "s" * 40], "<id>:<secret>"),
        (["k1:short"], "shorter than 32"),
        ([OLD, "k1:" + "t" * 40], "reserved or repeated"),
        (["stored:" + "s" * 40], "reserved or repeated"),
    ],
)
def test_malformed_key_entries_are_refused(entries: list[str], message: str) -> None:
    with pytest.raises(sealing.SealingError, match=message):
        sealing.KeyRing.from_entries(entries)


def test_the_first_entry_seals_and_every_entry_opens() -> None:
    rotated = ring(NEW, OLD)
    old_value = ring(OLD).seal("v", context="c")
    assert rotated.current == "k2"
    assert rotated.open(old_value, context="c") == "v"
    assert sealing.key_id(rotated.seal("v", context="c")) == "k2"
    assert sealing.KeyRing.from_entries([]) is None
    assert sealing.KeyRing.from_entries(sealing.new_entry().split(",")) is not None


def _add_host(database: Database) -> None:
    with database.transaction() as session:
        remote.add_host(
            session,
            caller=A.operator_id,
            name="supplier",
            base_url="https://supplier.example",
            client_id="c",
            client_secret=HOST_SECRET,
        )


def _stored(database: Database) -> tuple[list[str], list[str]]:
    with database.transaction(write=False) as session:
        keys = list(session.scalars(select(SigningKey.private_key)))
        hosts = list(session.scalars(select(RemoteHost.client_secret)))
    return keys, hosts


def _signs_and_verifies(database: Database) -> bool:
    with database.transaction() as session:
        jws = signing.sign_value(session, caller=A.operator_id, value=VALUE)
        key_set = signing.jwks(session, operator_id=A.operator_id)
    return signing.verify_value(VALUE, jws, key_set).verified


def _host_secret(database: Database) -> str:
    with database.transaction(write=False) as session:
        host = remote.list_hosts(session, caller=A.operator_id)[0]
        return remote.access(session, host).client_secret


def test_without_configured_keys_a_stored_key_seals(seeded: Database) -> None:
    _add_host(seeded)
    assert _signs_and_verifies(seeded)
    keys, hosts = _stored(seeded)
    assert keys and hosts
    assert all(v.startswith("sealed:v1:stored:") for v in keys + hosts)
    assert HOST_SECRET not in hosts[0]
    assert _host_secret(seeded) == HOST_SECRET


def test_configured_keys_seal_and_rotation_keeps_every_value(
    seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    sealing.install(seeded, sealing.sealer_from([OLD]))
    _add_host(seeded)
    assert _signs_and_verifies(seeded)
    keys, hosts = _stored(seeded)
    assert {sealing.key_id(v) for v in keys + hosts} == {"k1"}

    # A process without the keys cannot open them, and says which key is missing.
    bare = Database(seeded.url)
    try:
        with pytest.raises(sealing.SealingError, match="'k1'"):
            _host_secret(bare)
    finally:
        bare.dispose()

    # Rotation: the new key first, the old one kept; re-seal; the old one dropped.
    sealing.install(seeded, sealing.sealer_from([NEW, OLD]))
    assert _host_secret(seeded) == HOST_SECRET  # old values still open
    monkeypatch.setenv("BATTRACE_DATABASE_URL", seeded.url)
    monkeypatch.setenv("BATTRACE_SECRET_KEYS", f"{NEW},{OLD}")
    runner = CliRunner()
    status = runner.invoke(cli, ["secrets", "status"])
    assert status.exit_code == 0, status.output
    assert "k1: 2 values  (re-seal)" in status.output
    resealed = runner.invoke(cli, ["secrets", "reseal"])
    assert resealed.exit_code == 0, resealed.output
    assert "re-sealed 1 signing keys and 1 remote host secrets" in resealed.output
    keys, hosts = _stored(seeded)
    assert {sealing.key_id(v) for v in keys + hosts} == {"k2"}

    sealing.install(seeded, sealing.sealer_from([NEW]))
    assert _host_secret(seeded) == HOST_SECRET
    assert _signs_and_verifies(seeded)
    again = runner.invoke(cli, ["secrets", "reseal"])
    assert "re-sealed 0 signing keys and 0 remote host secrets" in again.output
