"""The product footprint page and its report over the real app and database: the charts speak
the page's language, and an emission factor applied to a part can be taken off again."""

from __future__ import annotations

import re

from fastapi import FastAPI

from battrace.footprint.charts import ENGLISH
from battrace.store import Database
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

    a.post("/language", {"lang": "en", "next": "/"})
    english = chart_words(a.get(f"/parts/{journey.product}/footprint").text)
    assert "own processes" in english and "total unknown" in english
    assert "自社工程" not in english
    assert "own processes" in a.get(f"/parts/{journey.product}/footprint/report").text
