"""The two-company CFP journey in a real browser: Debian's Chromium (headless) driven by
Playwright against a real `battrace serve` process on a fresh SQLite file with the tutorial
seeds. Fields are found by their labels, so a field without a label fails here too.

Screenshots go to $BATTRACE_TEST_ARTIFACTS (default: a temporary directory); with
BATTRACE_UPDATE_SCREENSHOTS=1 the main pages are also copied to docs/screenshots/.
SQLite only: the page logic runs on both backends in test_pages.py and test_dd_pages.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.diligence.workbooks import SmelterRow, TemplateSpec, build
from tests.support import free_port, wait_until_up
from tests.web.support import A, B

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
MAIN_PAGES = {
    "login",
    "dashboard",
    "product",
    "request-received",
    "cfp-errors",
    "cfp-confirm",
    "footprint-report",
    "footprint",
    "csv-import",
    "dd-answer",
    "dd-report",
    "inbox",
    "dd-version",
    "walk-ja-a-directory",
    "walk-en-a-parts",
    "walk-en-a-dashboard",
}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )


def lab(text: str) -> re.Pattern[str]:
    """A field's label, with or without the required-field mark."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`battrace serve` on a fresh SQLite file with the tutorial's companies."""
    workdir = tmp_path_factory.mktemp("web-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATTRACE_")}
    env |= {
        "BATTRACE_DATABASE_URL": f"sqlite:///{workdir / 'battrace.db'}",
        "BATTRACE_PASSWORD_TIME_COST": "1",
        "BATTRACE_PASSWORD_MEMORY_KIB": "1024",
    }
    battrace = [sys.executable, "-m", "battrace"]
    subprocess.run(
        [*battrace, "db", "upgrade"], env=env, cwd=workdir, check=True, capture_output=True
    )
    subprocess.run(
        [*battrace, "seed", "ouranos-tutorial"],
        env=env,
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    with running_server(workdir, env) as base:
        yield base


@contextmanager
def running_server(workdir: Path, env: dict[str, str]) -> Iterator[str]:
    """`battrace serve` on a free port over the database `env` names, until the block ends."""
    port = free_port()
    log = (workdir / "serve.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "battrace",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-migrate",
        ],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, f"{base}/api/v1/datatransport/health", workdir / "serve.log")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = os.environ.get("BATTRACE_TEST_ARTIFACTS")
    folder = Path(where) / "web" if where else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def snap(page: object, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    if name in MAIN_PAGES and os.environ.get("BATTRACE_UPDATE_SCREENSHOTS") == "1":
        target = REPO / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)


def login(page: object, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/")  # type: ignore[attr-defined]
    page.get_by_label(lab("アカウントID（メールアドレス）")).fill(email)  # type: ignore[attr-defined]
    page.get_by_label(lab("パスワード")).fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="ログイン").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="ダッシュボード").wait_for()  # type: ignore[attr-defined]


def add_plant(page: object, base: str, name: str, open_id: str) -> None:
    page.goto(f"{base}/plants")  # type: ignore[attr-defined]
    page.get_by_label(lab("事業所名")).fill(name)  # type: ignore[attr-defined]
    page.get_by_label(lab("所在地")).fill("東京都")  # type: ignore[attr-defined]
    page.get_by_label(lab("事業所識別子（公開）")).fill(open_id)  # type: ignore[attr-defined]
    page.get_by_role("button", name="保存").click()  # type: ignore[attr-defined]
    page.get_by_text("事業所を保存しました。").wait_for()  # type: ignore[attr-defined]


def assert_chart_text_readable(page: object) -> None:
    """Every text of every chart is at least 11 px high as rendered (after any scaling)."""
    sizes = page.evaluate(  # type: ignore[attr-defined]
        """[...document.querySelectorAll('figure.chart svg')].map(svg => {
             const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
             return [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);
           }).flat()"""
    )
    assert sizes and min(sizes) >= 11, min(sizes or [0])


def assert_fits(page: object, selector: str) -> None:
    """The element is not wider than what shows it (nothing cut off or hidden to the right)."""
    widths = page.locator(selector).evaluate(  # type: ignore[attr-defined]
        "el => [el.scrollWidth, el.parentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] + 1, (selector, widths)


def test_two_company_journey_in_chromium(server: str, browser: object, shots: Path) -> None:
    base = server
    a = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()  # type: ignore[attr-defined]
    b = browser.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP").new_page()  # type: ignore[attr-defined]

    a.goto(f"{base}/")
    snap(a, shots, "login")
    # Keyboard only: the account field has focus, Tab moves to the password, Enter logs in.
    assert a.evaluate("document.activeElement.id") == "f-email"
    a.keyboard.type(A.email)
    a.keyboard.press("Tab")
    a.keyboard.type(A.password)
    a.keyboard.press("Enter")
    a.get_by_role("heading", name="ダッシュボード").wait_for()
    add_plant(a, base, "A工場", "1234567890123012345")

    # A registers a battery pack: 4 cells bought from B, a casing made in-house.
    a.goto(f"{base}/parts/new")
    a.get_by_label(lab("部品名")).fill("電池パック")
    a.get_by_label(lab("単位")).select_option("unit")
    a.get_by_label(lab("構成部品1 部品名")).fill("セル")
    a.get_by_label(lab("構成部品1 活動量（親1単位あたり）")).fill("4")
    a.get_by_label(lab("構成部品1 単位")).select_option("unit")
    a.get_by_text("行を追加").click()  # the script adds row 4 in place
    a.get_by_label(lab("構成部品4 部品名")).fill("筐体")
    a.get_by_label(lab("構成部品4 活動量（親1単位あたり）")).fill("2.5")
    a.get_by_label(lab("構成部品4 単位")).select_option("kilogram")
    a.get_by_label(lab("構成部品4 区分")).select_option("1")
    a.get_by_role("button", name="保存").click()
    a.get_by_text("部品構成を保存しました。").wait_for()
    product_url = a.url
    snap(a, shots, "product")

    a.get_by_role("link", name="CFPを依頼 セル").click()
    # The supplier is picked from the directory (B lists itself), not typed.
    a.get_by_label(lab("依頼先（取引先の一覧から選ぶ）")).select_option(
        label=f"B社（{B.open_operator_id}）"
    )
    a.get_by_label(lab("回答期限")).fill("2030-01-31")
    a.get_by_label(lab("依頼メッセージ")).fill("セルのCFPをお願いします。")
    a.get_by_role("button", name="依頼を送信").click()
    a.get_by_text("部品登録中").first.wait_for()
    a.goto(product_url)
    # The product page's row links stand apart (not run together).
    gaps = a.evaluate(
        """[...document.querySelectorAll('td.row-actions')].map(cell => {
             const links = [...cell.querySelectorAll('a')].map(l => l.getBoundingClientRect());
             return links.slice(1).map((r, i) => r.top > links[i].top + 1 ? 99 : r.left - links[i].right);
           }).flat()"""
    )
    assert gaps and min(gaps) >= 8, gaps
    a.get_by_role("link", name="依頼一覧（送信）").click()
    snap(a, shots, "requests-sent")

    # B: a plant, its own cell, then the request: link the cell and answer with its CFP.
    login(b, base, B.email, B.password)
    add_plant(b, base, "B工場", "1234567890124012345")
    b.goto(f"{base}/parts/new")
    b.get_by_label(lab("部品名")).fill("リチウムイオンセル")
    b.get_by_label(lab("単位")).select_option("unit")
    b.get_by_role("button", name="保存").click()
    b.get_by_text("部品構成を保存しました。").wait_for()
    b.get_by_role("link", name="依頼一覧（受信）").click()
    b.get_by_role("link", name="A社").click()
    snap(b, shots, "request-received")
    b.get_by_label(lab("紐付ける自社の部品")).select_option(label="リチウムイオンセル")
    b.get_by_role("button", name="紐付ける").click()
    b.get_by_text("部品を紐付けました。").wait_for()
    b.get_by_role("link", name="紐付けた部品のCFPを入力して回答").click()
    cfp = {"自社排出量": ("-5", "10"), "部品由来の排出量": ("0", "0")}
    for label, (pre, main) in cfp.items():
        b.get_by_label(label).nth(0).fill(pre)
        b.get_by_label(label).nth(1).fill(main)
    for key in ("技術代表性 TeR", "地理代表性 GeR", "時間代表性 TiR"):
        b.get_by_label(key).nth(0).fill("1")
        b.get_by_label(key).nth(1).fill("2")
    b.get_by_role("button", name="保存").click()
    error = b.locator("#e-pre_own")
    assert (
        error.inner_text() == "0 以上の値を入力してください。"
    )  # the contract's rule, beside the field
    snap(b, shots, "cfp-errors")
    b.get_by_label(lab("自社排出量")).nth(0).fill("5")
    b.get_by_role("button", name="保存").click()
    # Saving answers A at once: what will be sent is shown first, and sent on confirmation.
    b.locator("#cfp-to-send").wait_for()
    assert "A社" in b.locator("main").inner_text()
    snap(b, shots, "cfp-confirm")
    b.get_by_role("button", name="この内容で保存して回答する").click()
    b.get_by_text("CFPを保存しました").wait_for()
    b.get_by_label(lab("ファイル")).set_input_files(
        files=[
            {"name": "verification.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 check"}
        ]
    )
    b.get_by_role("button", name="アップロード").click()
    b.get_by_text("証明書をアップロードしました。").wait_for()

    # A sees the answer and its certificate, then the product's footprint.
    a.goto(f"{base}/inbox")
    a.get_by_text("B社 がCFPを回答しました").click()
    a.get_by_text("回答済み").first.wait_for()
    assert "5 kgCO2e/個" in a.content()
    with a.expect_download() as download:
        a.get_by_role("link", name="verification.pdf").click()
    assert Path(download.value.path()).read_bytes() == b"%PDF-1.4 check"
    a.goto(product_url)
    a.get_by_role("link", name="筐体").click()
    a.get_by_role("link", name="CFPを入力").click()
    a.get_by_label(lab("宣言単位")).select_option("kgCO2e/kilogram")
    a.get_by_label(lab("自社排出量")).nth(0).fill("2")
    a.get_by_label(lab("自社排出量")).nth(1).fill("1")
    a.get_by_label(lab("部品由来の排出量")).nth(0).fill("0")
    a.get_by_label(lab("部品由来の排出量")).nth(1).fill("0")
    a.get_by_role("button", name="保存").click()
    a.get_by_text("CFPを保存しました").wait_for()
    a.goto(product_url + "/cfp")  # the pack's own assembly, per pack
    a.get_by_label(lab("自社排出量")).nth(0).fill("1")
    a.get_by_label(lab("自社排出量")).nth(1).fill("2")
    a.get_by_label(lab("部品由来の排出量")).nth(0).fill("0")
    a.get_by_label(lab("部品由来の排出量")).nth(1).fill("0")
    a.get_by_role("button", name="保存").click()
    a.get_by_text("CFPを保存しました").wait_for()
    a.goto(product_url + "/footprint")
    assert a.locator("svg").count() >= 3
    assert_chart_text_readable(a)
    a.get_by_label(lab("使用可能エネルギー（kWh）")).fill("75")
    a.get_by_label(lab("車両区分")).select_option("M1")
    a.get_by_label(lab("保証年数")).fill("8")
    a.get_by_label(lab("流通段階（kgCO2e/個）")).fill("4")
    a.get_by_label(lab("廃棄・リサイクル段階（kgCO2e/個）")).fill("2")
    a.get_by_role("button", name="宣言値を計算").click()
    a.get_by_text("機能単位あたりのカーボンフットプリント").wait_for()
    assert "不明" not in a.locator("#declaration ~ div").inner_text()
    assert "70.5" in a.locator("main").inner_text()  # 4 x (5 + 10) + 2.5 x (2 + 1) + (1 + 2)
    snap(a, shots, "footprint")
    # The HTML report opened from the page renders its own style under the strict CSP.
    with a.context.expect_page() as opened:
        a.get_by_role("link", name="レポート（HTML）").click()
    report = opened.value
    report.wait_for_load_state()
    assert (
        report.evaluate("getComputedStyle(document.querySelector('table')).borderCollapse")
        == "collapse"
    )
    assert report.evaluate("getComputedStyle(document.body).maxWidth") == "1100px"
    assert report.locator("h2", has_text="概要").count() == 1  # headings in the page language
    assert_chart_text_readable(report)
    snap(report, shots, "footprint-report")
    report.close()
    a.goto(f"{base}/")
    snap(a, shots, "dashboard")

    # CSV import with its progress bar.
    csv_text = (
        "parentPartsName,parentSupportPartsName,partsName,supportPartsName,openPlantId,amountRequired,amountRequiredUnit,terminatedFlag\n"
        ",,モジュール,M-1,1234567890123012345,,unit,false\n"
        "モジュール,M-1,セル2,,1234567890123012345,12,unit,false\n"
        "モジュール,M-1,ケース,,1234567890123012345,1.5,kilogram,true\n"
    )
    a.goto(f"{base}/parts/import")
    a.get_by_label(lab("CSVファイル（UTF-8 または Shift_JIS）")).set_input_files(
        files=[{"name": "parts.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    a.get_by_role("button", name="取り込む").click()
    a.get_by_text("1 件を登録しました。").wait_for()
    assert a.locator("#import-progress").evaluate("p => p.value === p.max")
    assert_fits(a, "#import-example")  # the example table is not cut off
    snap(a, shots, "csv-import")

    # English, on a tablet-sized window.
    a.set_viewport_size({"width": 800, "height": 1000})
    a.get_by_role("button", name="English").click()
    a.get_by_role("heading", name="Register products from CSV").wait_for()
    a.get_by_role("button", name="Log out").click()
    a.get_by_text("You have logged out.").wait_for()


# The due-diligence journey on the same server: A asks B for the cell's CFP and then for DD
# on cobalt and nickel; B uploads its policy, fills the draft from its EMRT workbook, attaches
# the policy to the policy question and submits; A opens the product's DD report.
EMRT = TemplateSpec(
    kind="EMRT",
    version="2.1",
    answers={("1", "cobalt"): "Yes", ("3", "cobalt"): "No", ("1", "nickel"): "Yes"},
    company_answers={"A": "Yes", "B": "Yes", "C": "No"},
    smelters=[
        SmelterRow(
            metal="Cobalt", name="Cobalt refinery", smelter_id="CID000101", country="FINLAND"
        ),
        SmelterRow(metal="Nickel", name="Nickel refinery", smelter_id="CID000102", country="JAPAN"),
    ],
)


def test_due_diligence_journey_in_chromium(server: str, browser: object, shots: Path) -> None:
    base = server
    a = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()  # type: ignore[attr-defined]
    b = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()  # type: ignore[attr-defined]

    login(a, base, A.email, A.password)
    add_plant(a, base, "A第二工場", "1234567890123054321")
    a.goto(f"{base}/parts/new")
    a.get_by_label(lab("部品名")).fill("蓄電池DD")
    a.get_by_label(lab("単位")).select_option("unit")
    a.get_by_label(lab("構成部品1 部品名")).fill("セルDD")
    a.get_by_label(lab("構成部品1 活動量（親1単位あたり）")).fill("2")
    a.get_by_label(lab("構成部品1 単位")).select_option("unit")
    a.get_by_role("button", name="保存").click()
    a.get_by_text("部品構成を保存しました。").wait_for()
    product_url = a.url
    a.get_by_role("link", name="CFPを依頼 セルDD").click()
    a.get_by_label(lab("依頼先の事業者識別子（法人番号）")).fill(B.open_operator_id)
    a.get_by_label(lab("回答期限")).fill("2030-01-31")
    a.get_by_role("button", name="依頼を送信").click()
    a.get_by_text("部品登録中").first.wait_for()

    # From the request's page: DD on cobalt and nickel.
    a.get_by_role("link", name="DDを依頼").click()
    a.get_by_label("コバルト").check()
    a.get_by_label("ニッケル").check()
    a.get_by_label(lab("回答期限")).fill("2030-03-31")
    a.get_by_label(lab("依頼メッセージ")).fill("電池規則のDDをお願いします。")
    a.get_by_role("button", name="DD依頼を送信").click()
    a.get_by_text("DD依頼を送信しました。").wait_for()

    # B answers: evidence, the EMRT workbook, the policy attached, signed by the workbook.
    login(b, base, B.email, B.password)
    b.get_by_role("link", name="DD依頼（受信）").click()
    b.get_by_role("link", name="A社").first.click()
    b.get_by_role("heading", name="DD回答: セルDD").wait_for()
    b.get_by_label(lab("ファイル")).set_input_files(
        files=[{"name": "policy.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 policy"}]
    )
    b.get_by_label(lab("資料名")).fill("調達方針")
    b.get_by_label(lab("資料の種類")).select_option("policy")
    b.get_by_label(lab("開示範囲")).select_option("customer")
    b.get_by_role("button", name="アップロード").click()
    b.get_by_text("資料をアップロードしました。").wait_for()
    b.get_by_label(lab("ワークブック")).set_input_files(
        files=[{"name": "emrt.xlsx", "mimeType": "application/octet-stream", "buffer": build(EMRT)}]
    )
    b.get_by_role("button", name="取り込む").click()
    b.get_by_text("EMRT 2.1 から回答").wait_for()
    assert b.locator("#f0-cid").input_value() == "CID000101"
    b.locator("fieldset.attach").first.get_by_label("調達方針").check()
    snap(b, shots, "dd-answer")
    b.get_by_role("button", name="提出").click()
    b.get_by_text("第1版として提出しました。").wait_for()

    # A: the answer's notification in the inbox leads to the request, then to version 1.
    a.goto(f"{base}/inbox")
    snap(a, shots, "inbox")
    a.get_by_role("link", name="B社 がDDを回答しました").click()
    a.get_by_role("heading", name="DD依頼: セルDD").wait_for()
    a.get_by_role("link", name="第1版", exact=True).click()
    a.get_by_role("heading", name="DD回答 第1版: セルDD").wait_for()
    assert a.get_by_role("link", name="調達方針").count() >= 1
    snap(a, shots, "dd-version")

    # A: the product's DD report.
    a.goto(product_url)
    a.get_by_role("link", name="DDレポート").click()
    a.get_by_role("heading", name="DDレポート: 蓄電池DD").wait_for()
    assert "Cobalt" not in a.locator("h1").inner_text()
    assert a.locator("table.heat td.band").count() == 18  # 9 categories x 2 materials
    snap(a, shots, "dd-report")
    with a.expect_download() as download:
        a.get_by_role("link", name="HTMLレポート（単体ファイル）").click()
    assert "デューディリジェンス報告".encode() in Path(download.value.path()).read_bytes()
    # The product's DD report: names never one character wide, nothing cut off, both languages.
    for language in ("English", "日本語"):
        a.get_by_role("button", name=language).click()
        a.locator("table.dd-report").first.wait_for()
        narrow = a.evaluate(
            """[...document.querySelectorAll('table.dd-report th[scope=row], table.dd-report thead th')]
                 .filter(th => th.innerText.trim().length > 2)
                 .filter(th => th.clientWidth < 4 * parseFloat(getComputedStyle(th).fontSize))
                 .map(th => th.innerText)"""
        )
        assert not narrow, (language, narrow)
        for index in range(a.locator("table.dd-report").count()):
            assert_fits(a, f"table.dd-report >> nth={index}")


# Every page of the navigation, as each company sees it after the journeys above, in both
# languages: no error page, no catalogue key shown instead of a word, nothing wider than the
# window, chart text readable. Screenshots of each (walk-<lang>-<page>.png).
WALK_SKIP = {"/logout"}
CATALOGUE_KEY = re.compile(r"^[a-z_]+\.[a-z_0-9]+$")


def test_walk_every_page_in_both_languages(server: str, browser: object, shots: Path) -> None:
    base = server
    for company in (A, B):
        page = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="ja-JP"
        ).new_page()  # type: ignore[attr-defined]
        login(page, base, company.email, company.password)
        paths = page.evaluate("[...document.querySelectorAll('nav.side a')].map(a => a.pathname)")
        assert "/directory" in paths
        for language in ("English", "日本語"):
            page.get_by_role("button", name=language).click()
            page.wait_for_load_state()
            for path in [p for p in paths if p not in WALK_SKIP]:
                response = page.goto(f"{base}{path}")
                assert response is not None and response.status < 400, (path, response)
                words = page.evaluate(
                    """[...document.querySelectorAll('main *')]
                         .filter(e => e.children.length === 0).map(e => e.innerText.trim())"""
                )
                keys = [w for w in words if CATALOGUE_KEY.match(w)]
                assert not keys, (language, path, keys)
                overflow = page.evaluate(
                    "document.scrollingElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 1, (language, path, overflow)
                if page.locator("figure.chart svg").count():
                    assert_chart_text_readable(page)
                slug = path.strip("/").replace("/", "-") or "dashboard"
                lang = "en" if language == "English" else "ja"
                snap(page, shots, f"walk-{lang}-{company.name.rstrip('社').lower()}-{slug}")
        page.context.close()  # type: ignore[attr-defined]
