"""Driving the web pages as a browser would, without one: cookies, the CSRF field, forms."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from battrace.cli.seeds import TUTORIAL_COMPANIES, SeedCompany

A, B = TUTORIAL_COMPANIES
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebUser:
    """One browser session against the app (its own cookie jar)."""

    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app, client=("127.0.0.1", 50001), follow_redirects=True)
        self.csrf = ""

    def get(self, path: str, **params: Any) -> Response:
        response = self.client.get(path, params=params)
        self._remember(response)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Response:
        if not self.csrf:
            self.get("/login")
        body = {"csrf_token": self.csrf, **(data or {})}
        response = self.client.post(path, data=body, **kwargs)
        self._remember(response)
        return response

    def _remember(self, response: Response) -> None:
        match = (
            CSRF.search(response.text)
            if "text/html" in response.headers.get("content-type", "")
            else None
        )
        if match:
            self.csrf = match.group(1)

    def login(self, company: SeedCompany) -> Response:
        response = self.post("/login", {"email": company.email, "password": company.password})
        assert response.status_code == 200, response.text
        assert company.email in response.text
        return response


def field_error(html: str, field_id: str) -> str:
    """The error shown beside a field (`<small id="e-…">`)."""
    match = re.search(rf'<small id="e-{re.escape(field_id)}" class="error">([^<]*)</small>', html)
    return match.group(1) if match else ""


def part_link(html: str, name: str) -> str:
    match = re.search(rf'href="/parts/([0-9a-f-]{{36}})">{re.escape(name)}</a>', html)
    assert match is not None, name
    return match.group(1)


def link_ids(html: str, prefix: str) -> list[str]:
    return re.findall(rf'href="{re.escape(prefix)}([0-9a-f-]{{36}})"', html)


PLANT_OPTION = re.compile(r'<option value="([0-9a-f-]{36})"')


def add_plant(user: WebUser, name: str, open_plant_id: str) -> str:
    response = user.post(
        "/plants",
        {
            "plantName": name,
            "plantAddress": "東京都",
            "openPlantId": open_plant_id,
            "globalPlantId": "",
        },
    )
    assert response.status_code == 200, response.text
    match = PLANT_OPTION.search(user.get("/parts/new").text)
    assert match is not None
    return match.group(1)


def structure_form(
    plant: str, parent: str, children: list[tuple[str, str, str, bool]]
) -> dict[str, Any]:
    """The product form: `children` as (name, amount, unit, made in-house)."""
    return {
        "parent_plantId": plant,
        "parent_partsName": parent,
        "parent_amountRequiredUnit": "unit",
        "child_partsName": [c[0] for c in children],
        "child_supportPartsName": ["" for _ in children],
        "child_plantId": ["" for _ in children],
        "child_amount": [c[1] for c in children],
        "child_amountRequiredUnit": [c[2] for c in children],
        "child_terminated": ["1" if c[3] else "0" for c in children],
        "child_traceId": ["" for _ in children],
        "child_partsLabelName": ["" for _ in children],
    }


def cfp_form(
    pre: str, main: str, *, unit: str = "kgCO2e/unit", cfp_id: str = "", confirm: bool = True
) -> dict[str, str]:
    """The CFP form filled in; `confirm` as from the confirmation an answer asks for."""
    form = {"confirm": "1"} if confirm else {}
    form |= {
        "unit": unit,
        "pre_own": pre,
        "main_own": main,
        "pre_component": "0",
        "main_component": "0",
        "cfpId": cfp_id,
    }
    for stage in ("pre", "main"):
        form |= {f"{stage}_TeR": "1", f"{stage}_GeR": "2", f"{stage}_TiR": "3"}
    return form


def last_id(response: Response) -> str:
    return str(response.url).rstrip("/").rsplit("/", 1)[1]


class Journey:
    """The two-company CFP journey through the pages: A registers a battery pack with a cell
    bought from B and a casing made in-house, asks B for the cell's CFP; B links its cell and
    answers 5 / 10 kgCO2e per cell with a certificate."""

    def __init__(self, app: FastAPI) -> None:
        self.a, self.b = WebUser(app), WebUser(app)
        self.a.login(A)
        self.b.login(B)
        plant_a = add_plant(self.a, "A工場", "1234567890123012345")
        plant_b = add_plant(self.b, "B工場", "1234567890124012345")
        saved = self.a.post(
            "/parts/structure",
            structure_form(
                plant_a,
                "電池パック",
                [("セル", "4", "unit", False), ("筐体", "2.5", "kilogram", True)],
            ),
        )
        assert saved.status_code == 200, saved.text
        self.product = last_id(saved)
        self.cell = part_link(saved.text, "セル")
        self.casing = part_link(saved.text, "筐体")
        sent = self.a.post(
            f"/parts/{self.cell}/request",
            {"supplier": B.open_operator_id, "message": "CFPをお願いします", "due": "2030-01-31"},
        )
        assert sent.status_code == 200, sent.text
        self.trade = last_id(sent)
        part_b = self.b.post("/parts/structure", structure_form(plant_b, "セルB", []))
        self.b_part = last_id(part_b)

    def answer(self) -> None:
        linked = self.b.post(f"/requests/{self.trade}/link", {"traceId": self.b_part})
        assert linked.status_code == 200, linked.text
        answered = self.b.post(f"/parts/{self.b_part}/cfp", cfp_form("5", "10"))
        assert answered.status_code == 200, answered.text
        own = self.a.post(f"/parts/{self.casing}/cfp", cfp_form("2", "1", unit="kgCO2e/kilogram"))
        assert own.status_code == 200, own.text
