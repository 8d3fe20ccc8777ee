"""Footprint reports: JSON, CSV and HTML (battrace.footprint.report)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser

from battrace.footprint import roll_up
from battrace.footprint.declaration import declare
from battrace.footprint.graph import FootprintGraph
from battrace.footprint.report import (
    CSV_COLUMNS,
    declaration_to_dict,
    footprint_csv,
    footprint_to_dict,
    render_html,
)
from battrace.footprint.result import Footprint
from battrace.traceability.stages import Stage
from tests.footprint.batteries import battery, per_battery
from tests.footprint.builders import (
    OTHER_SUPPLIER,
    SUPPLIER,
    bought,
    dec,
    edge,
    graph,
    own,
    parent,
    terminated,
    tid,
)

MALICIOUS = "<script>alert('x')</script>"
VOID = {"meta", "br", "link", "img", "hr", "input"}


def pack(*, module_answered: bool = True) -> FootprintGraph:
    """Pack (own 320 / 440) = 1 module (1 x) + a housing made of 12.5 kg of aluminium (own
    process 5 / 2) + 2 kg of copper (answered 4 / 0.5) + 3 kg of a part never requested."""
    return graph(
        per_battery(parent(tid(0), "Pack 60 kWh", own(320, 440), edge(tid(1), 1), edge(tid(2), 1))),
        bought(tid(1), "Module", pre=3000, main=900, answered=module_answered),
        per_battery(
            parent(
                tid(2), "Housing", own(5, 2), edge(tid(3), "12.5"), edge(tid(4), 2), edge(tid(5), 3)
            )
        ),
        terminated(tid(3), "Aluminium", own(8, 0)),
        bought(tid(4), MALICIOUS, pre=4, main="0.5", supplier=OTHER_SUPPLIER),
        bought(tid(5), "Gasket", answered=False, requested=False),
    )


def complete_pack() -> FootprintGraph:
    nodes = dict(pack().nodes)
    nodes[tid(5)] = terminated(tid(5), "Gasket", own(1, 1))
    return FootprintGraph.build(viewer=pack().viewer, roots=[tid(0)], nodes=nodes.values())


def rolled(g: FootprintGraph) -> Footprint:
    return roll_up(g, tid(0))


def test_footprint_json_structure() -> None:
    footprint = rolled(complete_pack())
    data = footprint_to_dict(footprint, supplier_names={SUPPLIER: "Cell maker"})
    json.dumps(data)  # serialisable as is
    assert data["traceId"] == str(tid(0))
    assert data["unit"] == "kgCO2e/unit"
    assert data["complete"] is True
    # pre: 320 + 3000 + 5 + 12.5 x 8 + 2 x 4 + 3 x 1 = 3436; main: 440 + 900 + 2 + 1 + 3 = 1346
    assert data["stages"]["pre"]["total"] == 3436
    assert data["stages"]["main"]["total"] == 1346
    assert data["total"] == 4782
    module = next(c for c in data["stages"]["pre"]["contributions"] if c["partsName"] == "Module")
    assert module == {
        "traceId": str(tid(1)),
        "partsName": "Module",
        "supplierOperatorId": str(SUPPLIER),
        "supplier": "Cell maker",
        "origin": "components",
        "provenance": "primary",
        "quantity": 1.0,
        "value": 3000.0,
        "emission": 3000.0,
        "share": round(3000 / 4782 + 0.000005, 5),  # rounded up
    }
    assert set(data["stages"]["pre"]) >= {"total", "own", "components", "known", "dqr"}
    assert data["unknownParts"] == []


def test_footprint_json_keeps_unknown_as_null() -> None:
    data = footprint_to_dict(rolled(pack()))
    assert data["complete"] is False
    assert data["total"] is None
    assert data["stages"]["pre"]["total"] is None
    assert data["known"] is not None
    [gasket] = data["stages"]["pre"]["unknown"]
    assert (gasket["partsName"], gasket["reason"], gasket["quantity"]) == (
        "Gasket",
        "NOT_REQUESTED",
        3.0,
    )
    assert data["unknownParts"] == [str(tid(5))]


def test_declaration_json_is_provisional() -> None:
    data = declaration_to_dict(declare(rolled(complete_pack()), battery()))
    json.dumps(data)
    assert data["provisional"] is True
    assert "draft" in data["methodNote"]
    assert data["unit"] == "kgCO2e/kWh"
    assert data["battery"]["totalEnergyKwh"] == 28_800
    stages = data["carbonFootprintPerLifecycleStage"]
    assert [s["lifecycleStage"] for s in stages] == [
        "RawMaterialExtraction",
        "MainProduction",
        "Distribution",
        "Recycling",
    ]
    assert stages[2]["carbonFootprint"] == 0.002
    assert data["complete"] is True
    assert data["carbonFootprintStudy"] == "https://example.com/study?a=1&b=2"
    incomplete = declaration_to_dict(declare(rolled(pack()), battery()))
    assert incomplete["provisional"] is True
    assert incomplete["batteryCarbonFootprint"] is None
    assert [p["partsName"] for p in incomplete["unknownParts"]] == ["Gasket"]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_rows_add_up_to_the_totals() -> None:
    footprint = rolled(complete_pack())
    rows = csv_rows(footprint_csv(footprint))
    assert tuple(rows[0]) == CSV_COLUMNS
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        assert row["row"] == "contribution"
        assert Decimal(row["quantity"]) * Decimal(row["value"]) == Decimal(row["emission"])
        sums[row["stage"]] += Decimal(row["emission"])
    for stage in Stage:
        assert sums[stage.value] == footprint.stages[stage].total
    assert sum(sums.values()) == footprint.total
    assert abs(sum((Decimal(row["share"]) for row in rows), Decimal(0)) - 1) < dec("0.0001")


def test_csv_lists_unknown_parts_and_sums_to_what_is_known() -> None:
    footprint = rolled(pack())
    rows = csv_rows(footprint_csv(footprint))
    unknown = [row for row in rows if row["row"] == "unknown"]
    assert [(row["stage"], row["part"], row["unknown_reason"]) for row in unknown] == [
        ("pre", "Gasket", "NOT_REQUESTED"),
        ("main", "Gasket", "NOT_REQUESTED"),
    ]
    assert all(row["emission"] == "" for row in unknown)
    for stage in Stage:
        known = sum(
            Decimal(row["emission"])
            for row in rows
            if row["row"] == "contribution" and row["stage"] == stage.value
        )
        assert known == footprint.stages[stage].known


def test_csv_text_cannot_start_a_formula() -> None:
    nodes = dict(complete_pack().nodes)
    nodes[tid(5)] = terminated(tid(5), '=HYPERLINK("http://evil")', own(1, 1))
    g = FootprintGraph.build(viewer=pack().viewer, roots=[tid(0)], nodes=nodes.values())
    rows = csv_rows(footprint_csv(rolled(g)))
    names = {row["part"] for row in rows}
    assert '\'=HYPERLINK("http://evil")' in names
    assert MALICIOUS in names  # not a formula: left as it is


class WellFormed(HTMLParser):
    """Checks that every element is closed in order and collects SVGs and their titles."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.svgs: dict[str, str] = {}
        self.title_of: str | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes.get("href") or "")
        if tag in VOID:
            return
        if tag == "svg":
            self.svgs[attributes["id"] or ""] = ""
        if tag == "title" and self.stack and self.stack[-1] == "svg":
            self.title_of = next(reversed(self.svgs))
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "title":
            self.title_of = None

    def handle_data(self, data: str) -> None:
        if self.title_of is not None:
            self.svgs[self.title_of] += data


def parse(page: str) -> WellFormed:
    parser = WellFormed()
    parser.feed(page)
    parser.close()
    return parser


def test_html_is_well_formed_with_three_titled_charts() -> None:
    g = complete_pack()
    footprint = rolled(g)
    declaration = declare(footprint, battery())
    page = render_html(footprint, g, declaration=declaration)
    parsed = parse(page)
    assert parsed.errors == []
    assert parsed.stack == []
    assert parsed.svgs == {
        "chart-stages": "Footprint by stage and origin",
        "chart-pareto": "Pareto of contributions by part",
        "chart-tree": "Supply chain",
    }
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower().replace("&lt;script", "")
    for loads_something in ("src=", "<link", "@import", "url("):  # self-contained
        assert loads_something not in page
    assert "EU battery carbon-footprint declaration" in page
    assert "Provisional: the method is a draft." in page
    # (4,782 + 57.6 + 28.8) / 28,800 = 0.1690416... kgCO2e/kWh, rounded up
    assert declaration.kg_co2e_per_kwh == dec("0.16905")
    assert ">0.16905<" in page
    assert parsed.links == ["https://example.com/study?a=1&b=2"]


def test_html_escapes_part_names_everywhere() -> None:
    g = complete_pack()
    page = render_html(rolled(g), g, supplier_names={OTHER_SUPPLIER: '"><img src=x>'})
    assert MALICIOUS not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<img" not in page
    assert parse(page).errors == []


def test_html_of_an_incomplete_footprint_says_so() -> None:
    g = pack(module_answered=False)
    footprint = rolled(g)
    page = render_html(footprint, g, declaration=declare(footprint, battery()))
    assert "The total is <strong>unknown</strong>" in page
    assert "Incomplete" in page
    assert "NOT_ANSWERED" in page
    assert "NOT_REQUESTED" in page
    assert parse(page).errors == []
