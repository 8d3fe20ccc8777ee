"""The product footprint page and its report over the real app and database: the charts speak
the page's language, and an emission factor applied to a part can be taken off again."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from battrace.footprint.charts import ENGLISH
from battrace.store import Database
from battrace.traceability.models import Part
from battrace.web.pages import footprint as footprint_pages
from battrace.web.pages.footprint import chart_labels
from tests.web.support import Journey

SVG = re.compile(r"<svg .*?</svg>", re.DOTALL)


def chart_words(html: str) -> str:
    """The text, tooltips and titles of the page's inline SVG charts."""
    return " ".join(SVG.findall(html))


def test_the_english_catalogue_is_the_charts_default() -> None:
    assert chart_labels("en") == ENGLISH
    assert chart_labels("ja").stage_pre == "原材料取得・前処理"


def test_charts_follow_the_page_language(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a = journey.a
    page = a.get(f"/parts/{journey.product}/footprint")
    assert page.status_code == 200
    japanese = chart_words(page.text)
    assert japanese.count("<svg ") == 3
    for word in ("判明分のkgCO2e", "自社工程", "主要製造", "合計不明", "一次データ", "不明"):
        assert word in japanese, word
    for word in ("own processes", "Main production", "total unknown", "Supply chain"):
        assert word not in japanese, word
    report = chart_words(a.get(f"/parts/{journey.product}/footprint/report").text)
    assert "自社工程" in report and "部品別の寄与（パレート図）" in report
    assert "own processes" not in report
    axis = re.findall(r"rotate\(-90[^>]*>([^<]*)</text>", report)
    assert axis == ["kgCO2e（1単位あたり）"] * 2  # the axes' unit too (none declared)

    a.post("/language", {"lang": "en", "next": "/"})
    english = chart_words(a.get(f"/parts/{journey.product}/footprint").text)
    assert "own processes" in english and "total unknown" in english
    assert "自社工程" not in english
    english_report = a.get(f"/parts/{journey.product}/footprint/report").text
    assert "own processes" in english_report
    assert re.findall(r"rotate\(-90[^>]*>([^<]*)</text>", english_report) == ["kgCO2e per unit"] * 2


FACTOR_ID = re.compile(r'action="/factors/([0-9a-f-]{36})/delete"')


def test_an_applied_factor_can_be_taken_off(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    footprint = f"/parts/{journey.product}/footprint"
    added = a.post(
        "/factors",
        {"name": "汎用セル", "unit": "unit", "value": "12", "source": "IDEA", "year": "2024"},
    )
    factor = FACTOR_ID.search(added.text)
    assert factor is not None
    applied = a.post(f"{footprint}/factor", {"part": journey.cell, "factor": factor.group(1)})
    assert "排出係数を適用しました。" in applied.text and "回答待ち" not in applied.text
    assert "排出係数を適用した部品" in applied.text and "汎用セル (12 kgCO2e / 個)" in applied.text

    remove = {"part": journey.cell}
    forged = a.client.post(f"{footprint}/factor/delete", data=remove)
    assert forged.status_code == 403  # no CSRF token
    assert b.post(f"{footprint}/factor/delete", remove).status_code == 404  # not B's part
    removed = a.post(f"{footprint}/factor/delete", remove)
    assert removed.status_code == 200 and removed.url.path == footprint
    assert "排出係数の適用を解除しました。" in removed.text
    assert "排出係数を適用した部品" not in removed.text
    assert "回答待ち" in removed.text  # the cell is unknown again, as before the factor
    again = a.post(f"{footprint}/factor/delete", remove)
    assert again.status_code == 404  # nothing applied any more


def test_pages_are_kept_under_the_data_version_and_recomputed_after_a_write(
    app: FastAPI, seeded: Database
) -> None:
    journey = Journey(app)
    a = journey.a
    page, report_page = (f"/parts/{journey.product}/footprint{s}" for s in ("", "/report"))
    assert "電池パック" in a.get(page).text and "電池パック" in a.get(report_page).text
    # A change behind the application's back moves no data version: the kept answers stay.
    with seeded.transaction() as session:
        session.execute(
            update(Part)
            .where(Part.trace_id == uuid.UUID(journey.product))
            .values(parts_name="Renamed pack")
        )
    assert "Renamed pack" not in a.get(page).text
    assert "Renamed pack" not in a.get(report_page).text
    journey.answer()  # writes through the application: the data version moves
    fresh = a.get(page).text
    assert "Renamed pack" in fresh and "Renamed pack" in a.get(report_page).text
    assert "回答待ち" not in fresh  # the answered cell is no longer unknown


def test_a_large_product_offers_its_largest_parts_and_unknown_ones_for_a_what_if(
    app: FastAPI, seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey = Journey(app)
    page = f"/parts/{journey.product}/footprint"
    monkeypatch.setattr(footprint_pages, "WHAT_IF_CHOICES", 1)

    def offered() -> tuple[set[str], str]:
        html = journey.a.get(page).text
        select = re.search(r'<select id="f-whatif_part".*?</select>', html, re.DOTALL)
        assert select is not None
        return set(re.findall(r'<option value="([0-9a-f-]{36})"', select.group(0))), html

    # Nothing answered yet: the cell and the casing are unknown, so both are offered.
    choices, html = offered()
    assert choices == {journey.cell, journey.casing}
    assert "全2部品" not in html
    journey.answer()  # the cell (4 x 15) now outweighs the casing (2.5 x 3)
    choices, html = offered()
    assert choices == {journey.cell}
    assert "寄与の大きい1部品と値のない部品を表示しています（全2部品）" in html
