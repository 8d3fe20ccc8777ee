"""`battrace secrets …`: the keys that seal secrets at rest (`identity.sealing`).

    battrace secrets new-key       # a fresh entry for BATTRACE_SECRET_KEYS
    battrace secrets status        # how many sealed values each key holds
    battrace secrets reseal        # seal every value with the first configured key

Rotation (docs/operations.md): put a new entry first in BATTRACE_SECRET_KEYS, keeping the
old one after it; restart the servers; run `reseal`; then drop the old entry and restart.
"""

from __future__ import annotations

from collections import Counter

import typer

from battrace.cli.common import console, open_database, reported

secrets_app = typer.Typer(
    no_args_is_help=True, help="Keys sealing the secrets kept at rest (BATTRACE_SECRET_KEYS)."
)


@secrets_app.command("new-key")
def new_key() -> None:
    """Print a fresh `id:secret` entry for BATTRACE_SECRET_KEYS (put it first to seal with it)."""
    from battrace.identity import sealing  # noqa: PLC0415

    console.print(sealing.new_entry(), markup=False, highlight=False)


@secrets_app.command("status")
def status() -> None:
    """Count the sealed values by the key that sealed them."""
    from sqlalchemy import select  # noqa: PLC0415

    from battrace.identity import sealing  # noqa: PLC0415
    from battrace.identity.models import SigningKey  # noqa: PLC0415
    from battrace.pact.models import RemoteHost  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction(write=False) as session:
        current = sealing.sealer_of(session).current_kid
        counts: Counter[str] = Counter()
        for value in session.scalars(select(SigningKey.private_key)):
            counts[sealing.key_id(value)] += 1
        for value in session.scalars(select(RemoteHost.client_secret)):
            counts[sealing.key_id(value)] += 1
    console.print(f"sealing with key {current!r}")
    for kid, count in sorted(counts.items()):
        console.print(f"  {kid}: {count} values" + ("" if kid == current else "  (re-seal)"))


@secrets_app.command("reseal")
def reseal() -> None:
    """Seal every private signing key and remote host secret with the current key."""
    from battrace.identity import signing  # noqa: PLC0415
    from battrace.pact import remote  # noqa: PLC0415

    with reported(), open_database() as database, database.transaction() as session:
        keys = signing.reseal_keys(session)
        hosts = remote.reseal_secrets(session)
    console.print(f"re-sealed {keys} signing keys and {hosts} remote host secrets")
