"""Import speed: parts structures written through the web CSV import, through battrace's bulk
API (`POST /api/v1/parts/structures`) and through the contract API (`PUT partsStructure`, one
structure a request) into a database that already holds many parts, next to a `COPY` of the
same rows in the same run.

    .venv/bin/python benchmarks/imports.py                               # modest: 20k base, 5k rows
    .venv/bin/python benchmarks/imports.py --base 1000000 --rows 50000,500000   # the full size

A structure is a product and its children (`--children`, default 9: 10 rows). The base
(`--base` parts of company A, stand-alone, bulk-inserted and analysed) makes the database
"already full". Every path writes fresh rows of its own; the same number of rows goes through
each. The CSV import takes at most 5,000 rows a file, so larger imports are several files in
a row: their times are printed one by one, to show whether the import slows down as the
database grows. `COPY` writes the same parts and edges with PostgreSQL's COPY (no services,
no settlement): the database's own bulk speed, the yardstick of the target (within 5x).

Everything runs in this process (the app through `TestClient`), on PostgreSQL by default.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from _common import DEFAULT_POSTGRES_ADMIN_URL, postgres_database, sqlite_database
from fastapi.testclient import TestClient
from sqlalchemy import insert

from battrace.app import create_app
from battrace.cli.seeds import APPLICATION_KEY, TUTORIAL_COMPANIES, seed_ouranos_tutorial
from battrace.connector import parts_api
from battrace.identity import passwords
from battrace.identity.models import Plant
from battrace.migrations import upgrade
from battrace.settings import Settings
from battrace.store import Database
from battrace.traceability.models import AmountUnit, Part

A = TUTORIAL_COMPANIES[0]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FILE_ROWS = 5_000
OPEN_PLANT = "1234567890123999999"
CHUNK = 10_000


def structures(count_rows: int, children: int, tag: str) -> list[tuple[str, list[str]]]:
    per = children + 1
    return [
        (f"{tag} product {p}", [f"{tag} part {p}.{c}" for c in range(children)])
        for p in range(max(1, count_rows // per))
    ]


def csv_files(items: list[tuple[str, list[str]]]) -> list[bytes]:
    files, lines, header = (
        [],
        [],
        "parentPartsName,partsName,openPlantId,amountRequired,amountRequiredUnit,terminatedFlag\n",
    )
    for product, parts in items:
        block = [f",{product},{OPEN_PLANT},,,0"] + [
            f"{product},{p},{OPEN_PLANT},2,kilogram,1" for p in parts
        ]
        if len(lines) + len(block) > FILE_ROWS:
            files.append((header + "\n".join(lines) + "\n").encode())
            lines = []
        lines.extend(block)
    if lines:
        files.append((header + "\n".join(lines) + "\n").encode())
    return files


def load_base(database: Database, base: int) -> uuid.UUID:
    plant = uuid.uuid4()
    now = datetime.now(UTC)
    with database.transaction() as session:
        seed_ouranos_tutorial(session)
        session.add(
            Plant(
                operator_id=A.operator_id,
                id=plant,
                name="bench",
                address="x",
                open_plant_id=OPEN_PLANT,
                global_plant_id=None,
            )
        )
        session.flush()
        for start in range(0, base, CHUNK):
            session.execute(
                insert(Part),
                [
                    {
                        "operator_id": A.operator_id,
                        "trace_id": uuid.uuid4(),
                        "plant_id": plant,
                        "parts_name": f"base {i}",
                        "support_parts_name": None,
                        "terminated_flag": True,
                        "amount_required_unit": AmountUnit.KILOGRAM,
                        "parts_label_name": None,
                        "parts_add_info1": None,
                        "parts_add_info2": None,
                        "parts_add_info3": None,
                        "is_parent": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(base, start + CHUNK))
                ],
            )
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return plant


def via_csv(client: TestClient, items: list[tuple[str, list[str]]]) -> list[float]:
    token = CSRF.search(client.get("/login").text)
    assert token is not None  # noqa: S101
    client.post(
        "/login", data={"csrf_token": token.group(1), "email": A.email, "password": A.password}
    )
    form = CSRF.search(client.get("/parts/import").text)
    assert form is not None  # noqa: S101
    seconds = []
    for content in csv_files(items):
        started = time.perf_counter()
        answer = client.post(
            "/parts/import",
            data={"csrf_token": form.group(1)},
            files={"file": ("bom.csv", content, "text/csv")},
        )
        seconds.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise RuntimeError(answer.text[-500:])
    return seconds


def _api_login(client: TestClient) -> dict[str, str]:
    login = client.post(
        "/auth/login",
        headers={"apiKey": APPLICATION_KEY},
        json={"operatorAccountId": A.email, "accountPassword": A.password},
    )
    return {"apiKey": APPLICATION_KEY, "Authorization": f"Bearer {login.json()['accessToken']}"}


def _structure(plant: uuid.UUID, product: str, parts: list[str]) -> dict[str, Any]:
    """One structure in the contract's PartsStructureModel shape."""

    def model(name: str, amount: Any, terminated: bool) -> dict[str, Any]:
        return {
            "amountRequired": amount,
            "amountRequiredUnit": "kilogram",
            "operatorId": str(A.operator_id),
            "partsName": name,
            "plantId": str(plant),
            "supportPartsName": None,
            "terminatedFlag": terminated,
            "traceId": None,
            "partsLabelName": None,
            "partsAddInfo1": None,
            "partsAddInfo2": None,
            "partsAddInfo3": None,
        }

    return {
        "parentPartsModel": model(product, None, False),
        "childrenPartsModel": [model(p, 2, True) for p in parts],
    }


def via_api(
    client: TestClient, plant: uuid.UUID, items: list[tuple[str, list[str]]]
) -> list[float]:
    """`PUT partsStructure`, one structure a request."""
    headers = _api_login(client)
    seconds, started, done = [], time.perf_counter(), 0
    for product, parts in items:
        answer = client.put(
            "/api/v1/datatransport?dataTarget=partsStructure",
            headers=headers,
            json=_structure(plant, product, parts),
        )
        if answer.status_code != 201:
            raise RuntimeError(answer.text[-500:])
        done += 1 + len(parts)
        if done >= FILE_ROWS:  # one figure per 5,000 rows, like the CSV files
            seconds.append(time.perf_counter() - started)
            started, done = time.perf_counter(), 0
    if done:
        seconds.append(time.perf_counter() - started)
    return seconds


def via_bulk(
    client: TestClient, plant: uuid.UUID, items: list[tuple[str, list[str]]]
) -> list[float]:
    """battrace's `POST /api/v1/parts/structures`, at most 5,000 rows a request (as the CSV
    files); the time of each request includes building its JSON body."""
    headers = _api_login(client)
    batches: list[list[tuple[str, list[str]]]] = [[]]
    rows = 0
    for product, parts in items:
        if rows + 1 + len(parts) > FILE_ROWS or len(batches[-1]) >= parts_api.MAX_STRUCTURES:
            batches.append([])
            rows = 0
        batches[-1].append((product, parts))
        rows += 1 + len(parts)
    seconds = []
    for batch in batches:
        started = time.perf_counter()
        answer = client.post(
            "/api/v1/parts/structures",
            headers=headers,
            json=[_structure(plant, product, parts) for product, parts in batch],
        )
        if answer.status_code != 201:
            raise RuntimeError(answer.text[-500:])
        seconds.append(time.perf_counter() - started)
    return seconds


def via_copy(database: Database, plant: uuid.UUID, items: list[tuple[str, list[str]]]) -> float:
    now = datetime.now(UTC).isoformat()
    parts, edges = io.StringIO(), io.StringIO()
    for product, children in items:
        parent = uuid.uuid4()
        parts.write(
            f"{A.operator_id}\t{parent}\t{plant}\t{product}\tkilogram\tf\tt\t{now}\t{now}\n"
        )
        for name in children:
            child = uuid.uuid4()
            parts.write(
                f"{A.operator_id}\t{child}\t{plant}\t{name}\tkilogram\tt\tf\t{now}\t{now}\n"
            )
            edges.write(f"{A.operator_id}\t{parent}\t{child}\t2\n")
    columns = (
        "operator_id, trace_id, plant_id, parts_name, amount_required_unit, terminated_flag,"
        " is_parent, created_at, updated_at"
    )
    edge_columns = "operator_id, parent_trace_id, child_trace_id, amount_required"
    raw = database.engine.raw_connection()
    try:
        started = time.perf_counter()
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            with cursor.copy(f"COPY parts ({columns}) FROM STDIN") as copy:
                copy.write(parts.getvalue())
            with cursor.copy(f"COPY part_edges ({edge_columns}) FROM STDIN") as copy:
                copy.write(edges.getvalue())
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def run(backend: str, url: str, options: argparse.Namespace) -> None:
    database = Database(url)
    upgrade(database.engine)
    plant = load_base(database, options.base)
    passwords.configure(time_cost=1, memory_kib=1024)
    settings = Settings(database_url=url, password_time_cost=1, password_memory_kib=1024)
    app = create_app(settings, database=database)
    with TestClient(app, client=("127.0.0.1", 50002), follow_redirects=True) as client:
        for rows in options.rows:
            tag = f"{rows}"
            print(
                f"\n{backend}: {rows:,} rows into {options.base:,} base parts"
                f" ({options.children + 1} rows a structure)"
            )
            figures = {}
            for path in options.paths:
                items = structures(rows, options.children, f"{path} {tag}")
                written = sum(1 + len(p) for _, p in items)
                cpu = time.process_time()
                if path == "copy":
                    if backend != "postgresql":
                        continue
                    seconds = [via_copy(database, plant, items)]
                elif path == "csv":
                    seconds = via_csv(client, items)
                elif path == "bulk":
                    seconds = via_bulk(client, plant, items)
                else:
                    seconds = via_api(client, plant, items)
                total = sum(seconds)
                cpu = time.process_time() - cpu
                if database.statistics is not None:
                    # the analyses this path's writes started finish before the next path
                    # (outside its time): no path pays for the one before it
                    database.statistics.wait(timeout=120.0)
                figures[path] = written / total
                per_file = ", ".join(f"{s:.1f}" for s in seconds[:12]) + (
                    " …" if len(seconds) > 12 else ""
                )
                print(
                    f"  {path:5} {written:>9,} rows {total:8.1f} s {written / total:9,.0f} rows/s"
                    f"  (this process's CPU {cpu:.1f} s, load average {_load()})"
                    f"   per 5,000 rows: {per_file} s"
                )
            if "copy" in figures:
                for path in ("csv", "bulk", "api"):
                    if path in figures:
                        print(f"  {path}: {figures['copy'] / figures[path]:.1f}x slower than COPY")
    database.dispose()


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=int, default=20_000, help="parts in the database first")
    parser.add_argument(
        "--rows", default="5000", help="rows per import, comma separated (e.g. 50000,500000)"
    )
    parser.add_argument("--children", type=int, default=9, help="children per structure")
    parser.add_argument("--paths", default="copy,csv,bulk,api", help="copy,csv,bulk,api")
    parser.add_argument("--backends", default="postgresql", help="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_ADMIN_URL)
    options = parser.parse_args(argv)
    options.rows = [int(r) for r in options.rows.split(",")]
    options.paths = options.paths.split(",")
    for backend in options.backends.split(","):
        with (
            sqlite_database()
            if backend == "sqlite"
            else postgres_database(options.postgres_url) as url
        ):
            run(backend, url, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
