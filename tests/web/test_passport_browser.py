"""The passport pages in a real browser (Debian's Chromium via Playwright, like
`test_browser.py`): a model, a batch, a passport as the public sees it, the label sheet, and
the public page behind the QR code in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.support import A
from tests.web.test_browser import browser, lab, login, server, shots, snap  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
GTIN = "04012345000009"


def test_passport_journey_in_chromium(server: str, browser: object, shots: Path) -> None:  # noqa: F811
    base = server
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()  # type: ignore[attr-defined]
    login(page, base, A.email, A.password)
    page.get_by_role("link", name="バッテリー型式").click()
    page.get_by_label(lab("型式名")).fill("Pack 80")
    page.get_by_label(lab("区分")).select_option("ev")
    page.get_by_label(lab("GTIN")).fill(GTIN)
    page.get_by_role("button", name="型式を登録").click()
    page.get_by_text("型式を登録しました。").wait_for()
    page.get_by_label(lab("シリアル番号（1行に1つ）")).fill("B-1\nB-2\nB-3")
    page.get_by_label("すぐに公開する").check()
    page.get_by_role("button", name="発行する").click()
    page.get_by_text("3 件のパスポートを発行しました。").wait_for()
    snap(page, shots, "passports")
    page.get_by_label(lab("シリアル番号")).fill("B-2")
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name=f"(01){GTIN}(21)B-2").click()
    page.get_by_text("ハッシュチェーンを検証しました（改ざんなし）。").wait_for()
    page.get_by_role("link", name="一般公開").click()
    page.get_by_text("閲覧区分: 一般公開").wait_for()
    snap(page, shots, "passport-public-view")
    page.get_by_role("link", name="公開ページ（QRコードの行き先）").first.click()
    page.get_by_role("heading", name="バッテリーパスポート").wait_for()
    assert page.locator("#passport-identifier").inner_text().startswith("urn:uuid:")
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Battery passport").wait_for()
    snap(page, shots, "passport-resolver")
    page.goto(f"{base}/passports")
    page.get_by_role("link", name="QRラベルシートを印刷").click()
    page.get_by_role("heading", name="QRラベルシート").wait_for()
    assert page.locator("figure.label svg").count() == 3
    snap(page, shots, "passport-labels")
