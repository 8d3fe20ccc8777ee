"""Second life in a real browser (Debian's Chromium via Playwright, a real `battrace serve` on
SQLite): a cycler CSV uploaded with progress, the health report with its SVG charts, a
listing, a reservation by the integrator and the hand-over into a new storage passport."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from battrace.store import Database
from tests.reuse.builders import intake_doc
from tests.reuse.world import Market, make_market
from tests.web.support import B
from tests.web.test_browser import browser, lab, login, running_server

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with test_browser

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow]
FIXTURES = Path(__file__).parent.parent / "reuse" / "fixtures"


@pytest.fixture(scope="module")
def market_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Market]]:
    workdir = tmp_path_factory.mktemp("reuse-server")
    url = f"sqlite:///{workdir / 'battrace.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATTRACE_")}
    env |= {
        "BATTRACE_DATABASE_URL": url,
        "BATTRACE_PASSWORD_TIME_COST": "1",
        "BATTRACE_PASSWORD_MEMORY_KIB": "1024",
    }
    battrace = [sys.executable, "-m", "battrace"]
    for command in (["db", "upgrade"], ["seed", "ouranos-tutorial"]):
        subprocess.run([*battrace, *command], env=env, cwd=workdir, check=True, capture_output=True)
    database = Database(url)
    world = make_market(database, packs=2)
    database.dispose()
    with running_server(workdir, env) as base:
        yield base, world


def test_second_life_journey_in_chromium(
    market_server: tuple[str, Market], browser: object
) -> None:
    base, world = market_server
    a = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()  # type: ignore[attr-defined]
    b = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()  # type: ignore[attr-defined]
    login(a, base, "oem_a@example.com", "oemA&user_01")
    login(b, base, B.email, B.password)

    a.goto(f"{base}/reuse")
    a.get_by_label(lab("電池パスポートID")).fill(str(world.packs[0]))
    a.get_by_label(lab("名称")).fill("Cell group 7")
    doc = intake_doc(rated__rated_capacity_ah=2.5, rated__rated_energy_wh=9.25, history=None)
    a.get_by_label(lab("診断データ（JSON）")).fill(json.dumps(doc))
    a.get_by_label(lab("サイクラーのCSV（任意）")).set_input_files(
        str(FIXTURES / "cycler_small.csv")
    )
    a.get_by_role("button", name="登録").click()
    a.get_by_text("登録しました。").wait_for()
    assert a.evaluate("document.getElementById('import-progress').value") == 800
    a.get_by_role("link", name="Cell group 7").click()
    a.get_by_role("button", name="評価する").click()
    a.get_by_role("heading", name="健全性レポート").wait_for()
    assert a.locator("#grade").inner_text() == "A"
    assert a.locator("svg#fade circle").count() == 40  # 39 history points and now
    assert a.locator("svg#waterfall rect").count() >= 6
    a.get_by_role("link", name="保存した入力から再計算して確認").click()
    assert a.locator("#verified").inner_text() == "再計算の結果は一致しました。"
    a.get_by_label(lab("所在地")).fill("Kobe")
    a.get_by_role("button", name="出品する").click()
    a.get_by_text("出品しました。").wait_for()

    b.goto(f"{base}/reuse/market")
    b.locator("#listings").get_by_role("button", name="予約").click()
    b.get_by_text("予約しました。").wait_for()

    a.goto(f"{base}/reuse/market")
    a.get_by_label(lab("システム名")).fill("Home storage 7")
    a.get_by_role("button", name="引き渡す").click()
    a.get_by_text("引き渡しました").wait_for()

    b.goto(f"{base}/reuse")
    b.get_by_role("link", name="Home storage 7").click()
    successor = b.locator("#system-passport").inner_text()
    assert successor != str(world.packs[0])
    b.get_by_label(lab("引き渡し後のEFC")).fill("100")
    b.get_by_label(lab("SOH")).fill("0.5")
    b.get_by_role("button", name="報告する").click()
    b.get_by_text("予測帯を下回りました（通知済み）").first.wait_for()
