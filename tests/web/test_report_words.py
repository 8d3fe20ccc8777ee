"""The HTML reports and the DD findings in the page's language (issue 12, item 3): every
word the domain's report files and findings use has its key in the ja/en catalogue, and the
footprint report opened from the Japanese UI has Japanese headings."""

from __future__ import annotations

from fastapi import FastAPI

from battrace.diligence import report as dd_report
from battrace.diligence import risk
from battrace.footprint import report_words
from battrace.store import Database
from battrace.web.messages import MESSAGES
from tests.web.support import Journey


def test_every_report_word_is_in_the_catalogue() -> None:
    keys = set(report_words.ENGLISH_WORDS) | set(dd_report.ENGLISH_WORDS)
    keys |= {
        risk.REASON_ANSWERED_YES,
        risk.REASON_ANSWERED_UNKNOWN,
        risk.REASON_NO_FACILITIES,
        risk.REASON_NO_ANSWER,
    }
    missing = sorted(key for key in keys if key not in MESSAGES)
    assert not missing
    for key in keys - {"fp_file.lang", "dd_file.lang"}:
        ja, en = MESSAGES[key]
        assert ja != en or key.startswith("oecd."), key  # really translated


def test_the_footprint_report_has_headings_in_the_page_language(
    app: FastAPI, seeded: Database
) -> None:
    journey = Journey(app)
    journey.answer()
    a = journey.a
    ja = a.client.get(f"/parts/{journey.product}/footprint/report").text
    assert '<html lang="ja">' in ja
    for heading in ("カーボンフットプリント報告", "<h2>概要</h2>", "<h2>寄与一覧</h2>"):
        assert heading in ja
    assert "<h2>Summary" not in ja
    # the notices too: the contributions' count, the float path, "every value is known"
    assert "件（大きい順）</summary>" in ja and "largest first" not in ja
    assert "every value is known" not in ja and "The total is unknown" not in ja
    assert "なし: すべての値が判明しています。" in ja or "合計は<strong>不明</strong>です。" in ja
    a.post("/language", {"lang": "en", "next": "/"})
    en = a.client.get(f"/parts/{journey.product}/footprint/report").text
    assert '<html lang="en">' in en and "<h2>Summary</h2>" in en and "概要" not in en
