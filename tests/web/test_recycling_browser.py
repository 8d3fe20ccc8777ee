"""The collection journey in a real browser (Debian's Chromium via Playwright, against a real
`battrace serve` on SQLite): the collector records a lot and hands it over, the recycler
accepts it, dismantles it, and the lot's custody page shows the balanced history; the loop
dashboard draws its charts. Fields are found by their labels."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from battrace.store import Database
from tests.recycling.loop import COLLECTOR, RECYCLER, seed_loop
from tests.web.test_browser import CHROMIUM, lab, running_server

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("recycling-web")
    url = f"sqlite:///{workdir / 'battrace.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATTRACE_")}
    env |= {
        "BATTRACE_DATABASE_URL": url,
        "BATTRACE_PASSWORD_TIME_COST": "1",
        "BATTRACE_PASSWORD_MEMORY_KIB": "1024",
    }
    battrace = [sys.executable, "-m", "battrace"]
    subprocess.run(
        [*battrace, "db", "upgrade"], env=env, cwd=workdir, check=True, capture_output=True
    )
    database = Database(url)
    seed_loop(database)
    database.dispose()
    with running_server(workdir, env) as base:
        yield base


def _login(page: object, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/")  # type: ignore[attr-defined]
    page.get_by_label(lab("アカウントID（メールアドレス）")).fill(email)  # type: ignore[attr-defined]
    page.get_by_label(lab("パスワード")).fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="ログイン").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="ダッシュボード").wait_for()  # type: ignore[attr-defined]
    page.get_by_role("button", name="English").click()  # type: ignore[attr-defined]


def test_collection_hand_over_and_dismantling_in_chromium(server: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            c = chromium.new_context(locale="en-GB").new_page()
            r = chromium.new_context(locale="en-GB").new_page()
            _login(c, server, COLLECTOR.email, COLLECTOR.password)
            c.get_by_role("link", name="Collection and custody").click()
            c.get_by_label(lab("Lot code")).fill("BR-1")
            c.get_by_label(lab("Product type")).fill("battery")
            c.get_by_label(lab("Country of collection")).fill("DE")
            c.get_by_label(lab("Mass (kg)")).fill("420")
            c.get_by_label(lab("Item ids")).fill("PACK-1, PACK-2")
            c.get_by_role("button", name="Record the collection").click()
            c.get_by_text("The collection was recorded.").wait_for()
            c.get_by_label(lab("Receiving operator id")).fill(str(RECYCLER.operator_id))
            c.get_by_role("button", name="Hand over", exact=True).click()
            c.get_by_text("awaiting acceptance").wait_for()
            lot_url = c.url

            _login(r, server, RECYCLER.email, RECYCLER.password)
            r.goto(lot_url)
            r.get_by_label(lab("Mass received (kg)")).fill("419")
            r.get_by_role("button", name="Accept").click()
            r.get_by_text("Recorded.").wait_for()
            r.get_by_label(lab("Output 1")).select_option("black-mass")
            r.get_by_label(lab("Output 1 mass (kg)")).fill("180")
            r.get_by_label(lab("Output 2")).select_option("aluminium")
            r.get_by_label(lab("Output 2 mass (kg)")).fill("238")
            r.get_by_role("button", name="Record the dismantling").click()
            r.get_by_text("Recorded.").wait_for()
            assert r.locator("#lot-status").inner_text() == "Dismantled"
            balance = r.locator("#balance").inner_text()
            assert "The 3 steps balance within the tolerance" in balance
            r.screenshot(path=str(tmp_path / "recycling-lot.png"), full_page=True)

            r.get_by_role("link", name="Loop dashboard").click()
            r.get_by_label(lab("Scope")).select_option("own")
            r.get_by_role("button", name="Show").click()
            r.locator("svg#lots").wait_for()
            assert "Collected" in r.locator("#loop-figures").inner_text()
        finally:
            chromium.close()
