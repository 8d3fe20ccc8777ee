"""`battrace pact demo`: two platforms over HTTPS; the pulled footprint rolls up."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from rich.console import Console

from battrace.cli.demo_pact import run_pact_demo

pytestmark = pytest.mark.slow


def test_pact_demo_rolls_up_the_pulled_footprint() -> None:
    output = io.StringIO()
    total = run_pact_demo(Console(file=output, width=200))
    assert total == Decimal("40.25")  # 0.5 + 1.5 own + 3 x (9.5 + 3.25) pulled
    text = output.getvalue()
    assert "signed by B社, verified" in text
    assert "pulled 1 footprint" in text
