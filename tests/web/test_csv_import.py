"""The CSV import stores a file whole or not at all (battrace.web.pages.csv_import): a
structure the service refuses after the check, here one that would contain itself through
parts already stored, rolls back the structures written before it and names its row."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI

from battrace.store import Database
from tests.web.support import Journey, WebUser, structure_form

PLANT = "1234567890123012345"
# Row 2-3: a new product with one part; rows 4-5: パックB made of ケース, but ケース
# already contains パックB, so the second structure is refused (a structure in itself).
CSV = f"""parentPartsName,parentSupportPartsName,partsName,supportPartsName,openPlantId,amountRequired,amountRequiredUnit,terminatedFlag
,,製品P1,,{PLANT},,unit,false
製品P1,,部材X,,{PLANT},2,kilogram,true
,,パックB,,{PLANT},,unit,false
パックB,,ケース,,{PLANT},1,unit,false
"""
ROW = re.compile(r"<tr><td>(\d+)</td><td>(\w*)</td><td>([^<]*)</td></tr>")


def nothing_imported(user: WebUser) -> None:
    for name in ("製品P1", "部材X"):
        assert f">{name}</a>" not in user.get("/parts", q=name).text, name
    products = user.get("/parts", products="1").text
    assert ">ケース</a>" in products and ">パックB</a>" not in products


def test_a_structure_refused_mid_way_leaves_nothing_stored(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a = journey.a
    plant = re.search(r'<option value="([0-9a-f-]{36})"', a.get("/parts/new").text)
    assert plant is not None
    existing = a.post(
        "/parts/structure",
        structure_form(plant.group(1), "ケース", [("パックB", "1", "unit", False)]),
    )
    assert existing.status_code == 200, existing.text

    report = a.post("/parts/import", files={"file": ("parts.csv", CSV.encode(), "text/csv")})
    assert report.status_code == 400
    assert "5 行目を登録できなかったため、何も登録していません。" in report.text
    [(row, _, message)] = ROW.findall(report.text)
    assert row == "5" and "cannot contain itself" in message
    nothing_imported(a)

    # The streaming form: the first structure is written, then the whole file is rolled back.
    streamed = a.client.post(
        "/parts/import",
        data={"csrf_token": a.csrf},
        files={"file": ("parts.csv", CSV.encode(), "text/csv")},
        headers={"Accept": "application/x-ndjson"},
    )
    lines = [json.loads(line) for line in streamed.text.splitlines()]
    assert [line["done"] for line in lines] == [0, 1, 0]
    assert lines[-1]["total"] == 2 and lines[-1]["created"] == []
    assert [(e["row"], e["column"]) for e in lines[-1]["errors"]] == [(5, "")]
    nothing_imported(a)

    # Without the conflicting row the same file is stored whole.
    whole = a.post(
        "/parts/import",
        files={"file": ("parts.csv", CSV.rsplit("パックB,,ケース", 1)[0].encode(), "text/csv")},
    )
    assert whole.status_code == 200 and "2 件を登録しました。" in whole.text
    assert ">部材X</a>" in a.get("/parts", q="部材X").text
