"""Finding partners and the way back (issue 12, item 6): the directory of companies one may
trade with, listed by each company's own choice; picking a supplier from it on the request
form; "register a plant first" leading back to the form; a sub-assembly's link up to its
parents; the part label on part pages and lists."""

from __future__ import annotations

import re

from fastapi import FastAPI

from battrace.identity import operators
from battrace.store import Database
from tests.web.support import (
    A,
    B,
    Journey,
    WebUser,
    add_plant,
    field_error,
    last_id,
    part_link,
    structure_form,
)

C_NUMBER = "1234567890125"


def _third_company(database: Database, *, listed: bool) -> None:
    with database.transaction() as session:
        c = operators.create_operator(
            session, name="C社", address="大阪府", open_operator_id=C_NUMBER
        )
        session.flush()
        if listed:
            operators.set_listing(session, caller=c.id, listed=True)  # type: ignore[arg-type]


def test_the_directory_lists_who_chose_to_be_listed_and_partners(
    app: FastAPI, seeded: Database
) -> None:
    _third_company(seeded, listed=False)
    a, b = WebUser(app), WebUser(app)
    a.login(A)
    b.login(B)
    shown = a.get("/directory").text
    assert B.open_operator_id in shown and "B社" in shown  # the tutorial's companies list
    assert C_NUMBER not in shown  # C did not choose to be listed
    table = shown.split('id="directory"')[1].split("</table>")[0]
    assert A.open_operator_id not in table  # never oneself

    # B's own decision: stop listing. A no longer finds B (they have not traded yet).
    off = b.post("/directory/listing", {"listed": "0"})
    assert "一覧への掲載をやめました。" in off.text and "掲載されていません" in off.text
    assert B.open_operator_id not in a.get("/directory").text

    # A types B's number (B told A), and from then on they are partners: listed to each other.
    plant = add_plant(a, "A工場", "1234567890123012345")
    saved = a.post(
        "/parts/structure", structure_form(plant, "製品", [("セル", "1", "unit", False)])
    )
    cell = part_link(saved.text, "セル")
    form = a.get(f"/parts/{cell}/request").text
    assert 'name="supplier_pick"' not in form  # nobody to pick: only the number field
    sent = a.post(
        f"/parts/{cell}/request",
        {"supplier": B.open_operator_id, "message": "", "due": "2030-01-31"},
    )
    assert sent.status_code == 200, sent.text
    again = a.get("/directory").text
    assert B.open_operator_id in again and "依頼のやり取りあり" in again
    assert A.open_operator_id in b.get("/directory").text  # A, unlisted too, is B's customer
    assert "B社" in a.get("/directory", q="B").text and "B社" not in a.get("/directory", q="Z").text


def test_a_supplier_is_picked_from_the_directory(app: FastAPI, seeded: Database) -> None:
    _third_company(seeded, listed=True)
    a = WebUser(app)
    a.login(A)
    plant = add_plant(a, "A工場", "1234567890123012345")
    saved = a.post(
        "/parts/structure", structure_form(plant, "製品", [("セル", "1", "unit", False)])
    )
    cell = part_link(saved.text, "セル")
    form = a.get(f"/parts/{cell}/request").text
    options = re.findall(r'<option value="(\d{13})"[^>]*>([^<]+)</option>', form)
    assert (B.open_operator_id, f"B社（{B.open_operator_id}）") in options
    assert (C_NUMBER, f"C社（{C_NUMBER}）") in options
    assert A.open_operator_id not in dict(options)

    neither = a.post(
        f"/parts/{cell}/request", {"supplier": "", "supplier_pick": "", "due": "2030-01-31"}
    )
    assert neither.status_code == 400
    assert "一覧から選ぶか" in field_error(neither.text, "supplier")

    picked = a.post(
        f"/parts/{cell}/request",
        {"supplier": "", "supplier_pick": C_NUMBER, "message": "", "due": "2030-01-31"},
    )
    assert picked.status_code == 200, picked.text
    assert "C社" in picked.text and "/requests/" in str(picked.url)


def test_register_a_plant_first_leads_back_to_the_form(app: FastAPI, seeded: Database) -> None:
    a = WebUser(app)
    a.login(A)
    empty = a.get("/parts/new").text
    assert "先に事業所を登録してください。" in empty
    assert 'href="/plants?next=%2Fparts%2Fnew"' in empty
    plants = a.get("/plants", next="/parts/new").text
    assert 'name="next" value="/parts/new"' in plants and "元の画面に戻る" in plants
    saved = a.post(
        "/plants",
        {
            "plantName": "A工場",
            "plantAddress": "東京都",
            "openPlantId": "1234567890123012345",
            "globalPlantId": "",
            "next": "/parts/new",
        },
    )
    assert str(saved.url).endswith("/parts/new")  # back on the product form, now usable
    assert "事業所を保存しました。" in saved.text and 'name="parent_plantId"' in saved.text
    # Only a local path is followed.
    elsewhere = a.post(
        "/plants",
        {
            "plantName": "A第二工場",
            "plantAddress": "東京都",
            "openPlantId": "1234567890123012346",
            "globalPlantId": "",
            "next": "//evil.example/x",
        },
    )
    assert str(elsewhere.url).endswith("/plants")
    foreign = a.get("/plants", next="https://evil.example/").text
    assert 'id="plants-next"' not in foreign and 'href="https://evil' not in foreign


def test_a_sub_assembly_links_up_and_labels_are_shown(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a = journey.a
    cell_page = a.get(f"/parts/{journey.cell}").text
    parents = cell_page.split('id="part-parents"')[1].split("</ul>")[0]
    assert f'href="/parts/{journey.product}"' in parents and "電池パック" in parents
    assert 'id="part-parents"' not in a.get(f"/parts/{journey.product}").text  # a product

    plant = re.search(r'<option value="([0-9a-f-]{36})"', a.get("/parts/new").text)
    assert plant is not None
    form = structure_form(plant.group(1), "ラベル製品", [("ラベル部品", "1", "unit", True)])
    form |= {"parent_partsLabelName": "LBL-P", "child_partsLabelName": ["LBL-C"]}
    saved = a.post("/parts/structure", form)
    assert saved.status_code == 200, saved.text
    assert 'class="label-tag"' in saved.text and "LBL-C" in saved.text  # the structure table
    listed = a.get("/parts", q="ラベル").text
    assert "<td>LBL-P</td>" in listed and "<td>LBL-C</td>" in listed
    assert last_id(saved)
