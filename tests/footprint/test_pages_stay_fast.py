"""What keeps the footprint pages linear in the product's size: the supply-tree chart reads
each part's provenance from one pass (the same answer as a scan per row), and the HTML report
lists the largest contributions and sums the rest, so its rows still add up."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from battrace.footprint import report
from battrace.footprint.charts import provenances, tree_rows
from battrace.footprint.plan import Provenance, Replacement
from battrace.footprint.result import Footprint
from battrace.footprint.rollup import roll_up
from battrace.traceability.stages import Stage
from tests.footprint.builders import tid
from tests.footprint.test_report import pack, rolled


def provenance_by_scan(footprint: Footprint, trace_id: object) -> Provenance:
    """The definition, one scan per part: unknown wins, then secondary, then assumed."""
    if any(u.trace_id == trace_id for s in footprint.stages.values() for u in s.unknown):
        return Provenance.UNKNOWN
    kinds = {
        c.provenance
        for s in footprint.stages.values()
        for c in s.contributions
        if c.trace_id == trace_id
    }
    for kind in (Provenance.SECONDARY, Provenance.ASSUMED):
        if kind in kinds:
            return kind
    return Provenance.PRIMARY


@pytest.mark.parametrize("answered", [True, False])
def test_one_pass_provenance_equals_the_scan(answered: bool) -> None:
    g = pack(module_answered=answered)
    footprint = rolled(g)
    found = provenances(footprint)
    assert found  # the pack has contributions and (unanswered) unknown parts
    for trace_id in g.nodes:
        expected = provenance_by_scan(footprint, trace_id)
        assert found.get(trace_id, Provenance.PRIMARY) == expected
    rows = tree_rows(footprint, g)
    assert {row.trace_id for row in rows} <= set(g.nodes)
    assert all(row.provenance == provenance_by_scan(footprint, row.trace_id) for row in rows)


def test_assumed_values_are_marked_in_the_tree() -> None:
    g = pack()
    assumed = Replacement({Stage.PRE: Decimal(1), Stage.MAIN: Decimal(2)}, {})
    footprint = roll_up(g, tid(0), replacements={tid(3): assumed})
    assert provenances(footprint)[tid(3)] == Provenance.ASSUMED


ROW = re.compile(r"<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>(own|components)</td>")
REST = re.compile(
    r'<tr class="rest"><td colspan="7">(\d+) smaller[^<]*</td><td class="num">([^<]+)</td>'
)


def test_the_report_lists_the_largest_contributions_and_sums_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = pack()
    footprint = rolled(g)
    every = [c for s in footprint.stages.values() for c in s.contributions]
    assert len(every) > 3
    monkeypatch.setattr(report, "REPORT_CONTRIBUTIONS", 3)
    html = report.render_html(footprint, g)
    assert len(ROW.findall(html)) == 3
    rest = REST.search(html)
    assert rest is not None
    assert int(rest.group(1)) == len(every) - 3
    emissions = sorted((c.emission for c in every), reverse=True)
    assert Decimal(rest.group(2).replace(",", "")) == sum(emissions[3:], Decimal(0))
    assert f"{len(every)} contributions, largest first: the 3 largest listed" in html


def test_a_small_report_lists_every_contribution() -> None:
    g = pack()
    footprint = rolled(g)
    every = [c for s in footprint.stages.values() for c in s.contributions]
    html = report.render_html(footprint, g)
    assert len(ROW.findall(html)) == len(every)
    assert 'class="rest"' not in html
