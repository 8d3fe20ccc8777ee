"""Footprint page and report benchmark: a product of N parts, the web pages that show its
footprint, timed in process through the real app (TestClient) on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/pages.py                         # 2,000 and 20,000 parts, SQLite
    .venv/bin/python benchmarks/pages.py --sizes 2000 --backends sqlite,postgresql

The product (company A of the tutorial seeds, logged in to the web application): a root with
sub-assemblies on three levels, every leaf a terminated part with a CFP set, one leaf in ten
bought from B (a CFP request B answered with a product of its own, 4 parts, disclosed), one
leaf in fifty without any value (an unknown part), and leaves shared by two sub-assemblies
(the graph is a DAG). Rows are bulk-inserted as the services write them, then settled.

Per size it prints, in milliseconds: `page first` (the first visit of the process, after a
write: templates compiled, code paths warmed), `page cold` (the median of `--repeats` visits
each right after a write: the data version moved, nothing kept, as a running server sees
it), `page warm` (the median of visits with nothing written in between), the same for
`report`, and the report's size. Then an in-process breakdown of a cold page: loading the
graph, the roll-up, each chart, and the rest (template, hotspot tables).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from _common import DEFAULT_POSTGRES_ADMIN_URL, postgres_database, sqlite_database
from fastapi.testclient import TestClient
from sqlalchemy import insert

from battrace.app import create_app
from battrace.cli.seeds import TUTORIAL_COMPANIES, seed_ouranos_tutorial
from battrace.footprint import charts, view
from battrace.identity import passwords
from battrace.identity.models import Plant
from battrace.migrations import upgrade
from battrace.settings import Settings
from battrace.store import Database, version
from battrace.traceability import totals
from battrace.traceability.models import (
    AmountUnit,
    CfpResponseStatus,
    CfpType,
    CfpValue,
    Part,
    PartEdge,
    Trade,
    TradeTreeStatus,
)

A, B = TUTORIAL_COMPANIES
UNIT = "kgCO2e/kilogram"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHUNK = 5_000


def product_rows(
    size: int, seed: int = 5
) -> tuple[uuid.UUID, dict[type[Any], list[dict[str, Any]]]]:
    """A's product of `size` parts (and B's answers); returns the root's trace id and rows."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    plant_a, plant_b = uuid.uuid4(), uuid.uuid4()
    rows: dict[type[Any], list[dict[str, Any]]] = {
        Plant: [],
        Part: [],
        PartEdge: [],
        CfpValue: [],
        Trade: [],
    }
    for operator, plant, code in ((A.operator_id, plant_a, "1"), (B.operator_id, plant_b, "2")):
        rows[Plant].append(
            {"operator_id": operator, "id": plant, "name": f"plant {code}", "address": "xx県",
             "open_plant_id": f"{code * 13}012345", "global_plant_id": None,
             "created_at": now, "updated_at": now}
        )  # fmt: skip

    def add_part(
        operator: uuid.UUID, plant: uuid.UUID, name: str, *, parent: bool, terminated: bool
    ) -> uuid.UUID:
        trace_id = uuid.uuid4()
        rows[Part].append(
            {"operator_id": operator, "trace_id": trace_id, "plant_id": plant, "parts_name": name,
             "support_parts_name": None, "terminated_flag": terminated,
             "amount_required_unit": AmountUnit.KILOGRAM, "parts_label_name": None,
             "parts_add_info1": None, "parts_add_info2": None, "parts_add_info3": None,
             "is_parent": parent, "created_at": now, "updated_at": now}
        )  # fmt: skip
        return trace_id

    def add_cfp(operator: uuid.UUID, trace_id: uuid.UUID) -> None:
        pre, main = Decimal(rng.randint(10, 500)) / 100, Decimal(rng.randint(100, 2000)) / 100
        cfp_id = uuid.uuid4()
        for cfp_type, value, dqr_type in (
            (CfpType.PRE_PRODUCTION, pre, "preProcessing"),
            (CfpType.PRE_COMPONENT, Decimal(0), "preProcessing"),
            (CfpType.MAIN_PRODUCTION, main, "mainProcessing"),
            (CfpType.MAIN_COMPONENT, Decimal(0), "mainProcessing"),
        ):
            rows[CfpValue].append(
                {"operator_id": operator, "trace_id": trace_id, "cfp_type": cfp_type,
                 "cfp_id": cfp_id, "ghg_emission": value, "ghg_declared_unit": UNIT,
                 "dqr_type": dqr_type, "ter": Decimal(2), "ger": Decimal(2), "tir": Decimal(3),
                 "updated_at": now}
            )  # fmt: skip

    def add_edge(operator: uuid.UUID, parent: uuid.UUID, child: uuid.UUID) -> None:
        rows[PartEdge].append(
            {"operator_id": operator, "parent_trace_id": parent, "child_trace_id": child,
             "amount_required": Decimal(rng.randint(5, 300)) / 100}
        )  # fmt: skip

    root = add_part(A.operator_id, plant_a, "battery pack", parent=True, terminated=False)
    add_cfp(A.operator_id, root)
    # Three levels of sub-assemblies, ~sqrt-ish fan-out, then leaves.
    assemblies = max(3, int(size**0.5 / 2))
    level1 = [
        add_part(A.operator_id, plant_a, f"module {i}", parent=True, terminated=False)
        for i in range(assemblies)
    ]
    level2 = [
        add_part(A.operator_id, plant_a, f"cell group {i}", parent=True, terminated=False)
        for i in range(assemblies * 2)
    ]
    for node in level1 + level2:
        add_cfp(A.operator_id, node)
    for module in level1:
        add_edge(A.operator_id, root, module)
    for index, group in enumerate(level2):
        add_edge(A.operator_id, level1[index % len(level1)], group)
    leaves = size - 1 - len(level1) - len(level2)
    for index in range(leaves):
        bought, unknown = index % 10 == 0, index % 50 == 7
        leaf = add_part(
            A.operator_id, plant_a, f"material {index}", parent=False, terminated=not bought
        )
        group = level2[index % len(level2)]
        add_edge(A.operator_id, group, leaf)
        if index % 7 == 0:  # shared by a second sub-assembly
            add_edge(A.operator_id, level2[(index * 31 + 1) % len(level2)], leaf) if level2[
                (index * 31 + 1) % len(level2)
            ] != group else None
        if bought:
            product = add_part(
                B.operator_id, plant_b, f"B product {index}", parent=True, terminated=False
            )
            add_cfp(B.operator_id, product)
            for sub in range(4):
                part = add_part(
                    B.operator_id,
                    plant_b,
                    f"B material {index}.{sub}",
                    parent=False,
                    terminated=True,
                )
                add_cfp(B.operator_id, part)
                add_edge(B.operator_id, product, part)
            rows[Trade].append(
                {"id": uuid.uuid4(), "status_id": uuid.uuid4(),
                 "downstream_operator_id": A.operator_id,
                 "upstream_operator_id": B.operator_id, "downstream_trace_id": leaf,
                 "upstream_trace_id": product, "request_type": "CFP", "message": None,
                 "reply_message": None, "response_due_date": None,
                 "cfp_response_status": CfpResponseStatus.COMPLETED,
                 "trade_tree_status": TradeTreeStatus.TERMINATED, "completed_count": 1,
                 "completed_count_modified_at": now, "trades_count": 1,
                 "trades_count_modified_at": now, "created_at": now, "updated_at": now}
            )  # fmt: skip
        elif not unknown:
            add_cfp(A.operator_id, leaf)
    return root, rows


def load(database: Database, size: int) -> uuid.UUID:
    root, rows = product_rows(size)
    with database.transaction() as session:
        seed_ouranos_tutorial(session)
    with database.transaction() as session:
        for model, batch in rows.items():
            for start in range(0, len(batch), CHUNK):
                session.execute(insert(model), batch[start : start + CHUNK])
        totals.settle(session, budget=sum(len(b) for b in rows.values()), disclose_by_default=True)
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return root


def web_login(client: TestClient) -> None:
    token = CSRF.search(client.get("/login").text)
    if token is None:
        raise RuntimeError("no login form")
    answer = client.post(
        "/login", data={"csrf_token": token.group(1), "email": A.email, "password": A.password}
    )
    if answer.status_code != 200:
        raise RuntimeError(answer.text[:300])


CPU = "--cpu" in sys.argv  # process CPU time instead of wall time (a busy, shared machine)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds of wall time (or, with --cpu, of this process's CPU: app and client)."""
    clock = time.process_time if CPU else time.perf_counter
    started = clock()
    result = call()
    return (clock() - started) * 1000, result


def touch(client: TestClient) -> None:
    """A write that moves A's data version, as any write of A's (a CFP entry, a part) does."""
    client.app.state.battrace.write(  # type: ignore[attr-defined]
        lambda session: version.touch(session, [A.operator_id])
    )


@contextlib.contextmanager
def provisioned(backend: str, admin_url: str) -> Iterator[str]:
    with sqlite_database() if backend == "sqlite" else postgres_database(admin_url) as url:
        yield url


def measure(backend: str, url: str, size: int, repeats: int) -> dict[str, Any]:
    database = Database(url)
    upgrade(database.engine)
    root = load(database, size)
    settings = Settings(database_url=url, password_time_cost=1, password_memory_kib=1024)
    passwords.configure(time_cost=1, memory_kib=1024)
    app = create_app(settings, database=database)
    figures: dict[str, Any] = {"backend": backend, "size": size}
    with TestClient(app, client=("127.0.0.1", 50001), follow_redirects=True) as client:
        web_login(client)
        for name, path in (
            ("page", f"/parts/{root}/footprint"),
            ("report", f"/parts/{root}/footprint/report"),
        ):
            touch(client)
            first, answer = timed(lambda path=path: client.get(path))
            if answer.status_code != 200:
                raise RuntimeError(answer.text[:300])
            cold = []
            for _ in range(repeats):
                touch(client)
                cold.append(timed(lambda path=path: client.get(path))[0])
            warm = [timed(lambda path=path: client.get(path))[0] for _ in range(repeats)]
            figures[f"{name} first"] = first
            figures[f"{name} cold"] = statistics.median(cold)
            figures[f"{name} warm"] = statistics.median(warm)
            figures[f"{name} kB"] = len(answer.content) / 1000
        # In-process breakdown of a cold page.
        with database.transaction(write=False) as session:
            load_ms, product = timed(
                lambda: view.product_footprint(
                    session, viewer=A.operator_id, trace_id=root, disclose_by_default=True
                )
            )
        footprint, unit = product.footprint, product.footprint.unit or "kgCO2e"
        figures["parts in graph"] = len(product.graph.nodes)
        figures["load+roll-up"] = load_ms
        figures["chart stages"] = timed(lambda: charts.stage_bars(footprint, unit=unit))[0]
        figures["chart pareto"] = timed(lambda: charts.pareto(footprint, unit=unit))[0]
        figures["chart tree"] = timed(
            lambda: charts.supply_tree(footprint, product.graph, unit=unit)
        )[0]
    database.dispose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="2000,20000", help="parts per product, comma separated")
    parser.add_argument("--backends", default="sqlite", help="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=5, help="cold and warm visits per page")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_ADMIN_URL)
    parser.add_argument("--cpu", action="store_true", help="time CPU, not wall clock")
    options = parser.parse_args(argv)
    rows = []
    for size in (int(s) for s in options.sizes.split(",")):
        for backend in options.backends.split(","):
            with provisioned(backend, options.postgres_url) as url:
                rows.append(measure(backend, url, size, options.repeats))
            print(rows[-1], file=sys.stderr)
    columns = [
        "backend", "size", "parts in graph", "page first", "page cold", "page warm", "page kB",
        "report first", "report cold", "report warm", "report kB", "load+roll-up", "chart stages",
        "chart pareto", "chart tree",
    ]  # fmt: skip
    print(" | ".join(columns))
    for row in rows:
        print(
            " | ".join(
                f"{row[c]:,.1f}" if isinstance(row[c], float) else f"{row[c]}" for c in columns
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
