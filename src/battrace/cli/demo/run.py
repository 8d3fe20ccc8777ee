"""`battrace demo`: register the companies, play the scenarios' steps in order through the
API, then report.

To add to the demo, write a module of steps beside `cfp.py` and `dd.py` (each a `Step`: a
heading and a function of the `Scene`) and add its `STEPS` to `SCENARIO` below; the steps are
numbered as they come, and the report comes last.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
from rich.console import Console
from rich.markup import escape

from battrace.cli.demo.cfp import STEPS as CFP_STEPS
from battrace.cli.demo.client import ContractError
from battrace.cli.demo.companies import log_in, register_companies, registered, show_companies
from battrace.cli.demo.data import COMPANIES
from battrace.cli.demo.dd import STEPS as DD_STEPS
from battrace.cli.demo.loop import STEPS as LOOP_STEPS
from battrace.cli.demo.passport import STEPS as PASSPORT_STEPS
from battrace.cli.demo.report import DemoResult, report, supply_tree
from battrace.cli.demo.reuse import STEPS as REUSE_STEPS
from battrace.cli.demo.scene import Scene, Step
from battrace.cli.demo.server import connect
from battrace.settings import Settings
from battrace.store import Database

SCENARIO: tuple[Step, ...] = (*CFP_STEPS, *DD_STEPS, *PASSPORT_STEPS, *REUSE_STEPS, *LOOP_STEPS)
REPORT_NUMBER = len(SCENARIO) + 1


def run_demo(
    settings: Settings,
    *,
    console: Console,
    skip_if_present: bool,
    base_url: str | None = None,
) -> DemoResult:
    """Build the demo supply chain through the API and print what happened.

    If the demo companies exist already, return at once (`skip_if_present`) or read and
    print the current results. `base_url` targets a running server on the same database
    instead of an in-process one.
    """
    database = Database(settings.database_url)
    try:
        present = registered(database)
        if present and len(present) < len(COMPANIES):
            taken = ", ".join(sorted(present))
            console.print(
                f"[yellow]demo not loaded:[/] corporate numbers {taken} belong to other companies"
            )
            return DemoResult(outcome="blocked")
        if present and skip_if_present:
            console.print("demo supply chain already loaded (`battrace demo` shows its results)")
            return DemoResult(outcome="skipped")
        if not present:
            register_companies(settings, database)
    finally:
        database.dispose()

    console.rule(f"[bold]battrace demo[/]: a battery supply chain of {len(COMPANIES)} companies")
    show_companies(console)
    if present:
        return _show_present(settings, console, base_url)
    with connect(settings, base_url) as api:
        console.print(f"Companies, logins and API key created; calling {api.http.base_url}")
        console.print(supply_tree())
        scene = Scene(api, console)
        for number, step in enumerate(SCENARIO, start=1):
            console.rule(f"{number}. {step.title}")
            step.play(scene)
        result = report(scene, REPORT_NUMBER)
    console.print(f"{result.calls} API calls.")
    return result


def _show_present(settings: Settings, console: Console, base_url: str | None) -> DemoResult:
    """The demo exists: print its current results; report, never raise, if it cannot."""
    console.print("The demo supply chain is loaded already; reading its current results.")
    calls = 0
    try:
        with connect(settings, base_url) as api:
            try:
                logins = {company.key: log_in(api, company) for company in COMPANIES}
                result = report(Scene(api, console, logins), REPORT_NUMBER)
            finally:
                calls = api.calls
    except (ContractError, httpx.HTTPError) as exc:
        console.print(
            "[yellow]could not read the demo results[/] (did an earlier run stop half way, "
            f"or was a demo login changed?): {escape(str(exc)[:300])}"
        )
        return DemoResult(outcome="present", calls=calls)
    return replace(result, outcome="present", calls=calls)
