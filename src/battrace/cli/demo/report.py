"""What the demo found: each company's product CFP as the company itself reads it through
`GET cfp`, the car maker's request status, and the tables printed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from rich import box
from rich.table import Table
from rich.tree import Tree

from battrace.cli.demo.client import DT, ContractClient
from battrace.cli.demo.companies import Login
from battrace.cli.demo.data import COMPANIES, COMPANY, PRODUCTS, ROOT, UNIT_SHORT, D
from battrace.cli.demo.scene import Scene
from battrace.cli.demo.server import DemoError


@dataclass(frozen=True)
class ProductTotal:
    """A company's product CFP as the company itself reads it (`GET cfp`, Total rows)."""

    company: str
    part: str
    trace_id: str
    unit: str
    pre: Decimal | None
    main: Decimal | None
    pre_dqr: tuple[Decimal | None, ...] = ()
    main_dqr: tuple[Decimal | None, ...] = ()

    @property
    def total(self) -> Decimal | None:
        return None if self.pre is None or self.main is None else self.pre + self.main


@dataclass(frozen=True)
class DemoResult:
    """What a demo run did and found.

    outcome: `built` (this run built the chain), `present` (it existed; results read back),
    `skipped` (it existed and `skip_if_present` was set; nothing was called), `blocked`
    (some of the demo's corporate numbers belong to other companies; nothing was done).
    """

    outcome: Literal["built", "present", "skipped", "blocked"]
    calls: int = 0
    product: ProductTotal | None = None
    trades_count: int | None = None
    completed_count: int | None = None
    tree_status: str | None = None
    products: tuple[ProductTotal, ...] = ()

    @property
    def product_trace_id(self) -> str | None:
        return self.product.trace_id if self.product else None

    @property
    def pre_total(self) -> Decimal | None:
        return self.product.pre if self.product else None

    @property
    def main_total(self) -> Decimal | None:
        return self.product.main if self.product else None


def as_decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else D(str(value))


def amount(value: Decimal | None, places: str = "0.01") -> str:
    """A figure for people: rounded to `places`, thousands separated; None is "unknown"."""
    return "unknown" if value is None else f"{value.quantize(D(places)):,}"


def exact(value: Decimal | None) -> str:
    """A figure as the API gave it (at most 5 decimals), without trailing zeros."""
    if value is None:
        return "unknown"
    text = f"{value.quantize(D('0.00001')):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def find_product(api: ContractClient, me: Login) -> str:
    """The trace id of the company's product, looked up by part number (#8)."""
    product = PRODUCTS[me.company.key]
    found = api.items(
        "GET",
        DT,
        token=me.token,
        params={"dataTarget": "parts", "partsName": product.name, "parentFlag": "true"},
    )
    if not found:
        raise DemoError(f"{me.company.short} has no part {product.name}")
    return str(found[0]["traceId"])


def read_cfp(api: ContractClient, me: Login, trace_id: str) -> dict[str, dict[str, Any]]:
    """`GET cfp` (#14) for one part, by cfpType."""
    rows = api.items("GET", DT, token=me.token, params={"dataTarget": "cfp", "traceIds": trace_id})
    return {str(row["cfpType"]): row for row in rows}


def product_total(me: Login, trace_id: str, by_type: dict[str, dict[str, Any]]) -> ProductTotal:
    """The product's CFP per stage from its Total rows (ProductionTotal + ComponentTotal)."""

    def stage(prefix: str) -> tuple[Decimal | None, tuple[Decimal | None, ...]]:
        production = by_type.get(f"{prefix}ProductionTotal")
        component = by_type.get(f"{prefix}ComponentTotal")
        if production is None or component is None:
            return None, ()
        own, parts = as_decimal(production["ghgEmission"]), as_decimal(component["ghgEmission"])
        total = None if own is None or parts is None else own + parts
        dqr = production["dqrValue"]
        return total, (as_decimal(dqr["TeR"]), as_decimal(dqr["GeR"]), as_decimal(dqr["TiR"]))

    product = PRODUCTS[me.company.key]
    pre, pre_dqr = stage("pre")
    main, main_dqr = stage("main")
    return ProductTotal(
        me.company.short, product.name, trace_id, product.unit, pre, main, pre_dqr, main_dqr
    )


def supply_tree() -> Tree:
    def grow(node: Tree, key: str) -> None:
        for item in PRODUCTS[key].inputs:
            amount = f"{item.amount} {UNIT_SHORT[item.unit]}"
            if item.supplier is None:
                node.add(f"{amount} {item.label} [dim](in-house estimate)[/]")
            else:
                supplier = PRODUCTS[item.supplier]
                child = node.add(
                    f"{amount} {item.label} [cyan]← {COMPANY[item.supplier].short}[/] "
                    f"[dim]({supplier.name})[/]"
                )
                grow(child, item.supplier)

    root = PRODUCTS[ROOT]
    tree = Tree(f"[bold]{root.name}[/] {root.label} [cyan]({COMPANY[ROOT].short})[/]")
    grow(tree, ROOT)
    return tree


def report(scene: Scene, number: int) -> DemoResult:
    """The last step: what the car maker sees, and every company's product CFP."""
    api, console, logins = scene.api, scene.console, scene.logins
    oem = logins[ROOT]
    product = PRODUCTS[ROOT]
    console.rule(f"{number}. {oem.company.short} reads the CFP of {product.name}")
    trace_id = find_product(api, oem)
    by_type = read_cfp(api, oem, trace_id)
    result = product_total(oem, trace_id, by_type)
    table = Table(
        title=f"{product.name} {product.label}, kgCO2e/{UNIT_SHORT[product.unit]}",
        caption="own: *ProductionTotal, from parts: *ComponentTotal",
        title_justify="left",
        caption_justify="left",
    )
    for column in ("stage", "own", "from parts", "total", "DQR TeR/GeR/TiR"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for prefix, name, total, dqr in (
        ("pre", "pre-processing", result.pre, result.pre_dqr),
        ("main", "main production", result.main, result.main_dqr),
    ):
        own = as_decimal(by_type.get(f"{prefix}ProductionTotal", {}).get("ghgEmission"))
        parts = as_decimal(by_type.get(f"{prefix}ComponentTotal", {}).get("ghgEmission"))
        ratings = "/".join(amount(v) for v in dqr) if dqr else "-"
        table.add_row(name, exact(own), exact(parts), exact(total), ratings)
    table.add_row("[bold]total[/]", "", "", f"[bold]{exact(result.total)}[/]", "")
    if result.total is not None and product.kwh:
        table.add_row("per kWh", "", "", amount(result.total / product.kwh), "")
    console.print(table)

    bought = next(item for item in product.inputs if item.supplier)
    statuses = api.items(
        "GET",
        DT,
        token=oem.token,
        params={
            "dataTarget": "status",
            "statusTarget": "REQUEST",
            "traceId": child_trace(api, oem, trace_id, bought.name),
        },
    )
    state: dict[str, Any] = statuses[0]["requestStatus"] if statuses else {}
    console.print(
        f"Its request to {COMPANY[bought.supplier or ROOT].short}: "
        f"{state.get('cfpResponseStatus')}, tree {state.get('tradeTreeStatus')}\n"
        f"Requests up the chain: {state.get('tradesCount')}, answered: "
        f"{state.get('completedCount')} (tradesCount / completedCount)",
        highlight=False,
    )

    totals = [result]
    for company in COMPANIES[1:]:
        me = logins[company.key]
        found = find_product(api, me)
        totals.append(product_total(me, found, read_cfp(api, me, found)))
    summary = Table(
        title="Each company's product, kgCO2e per unit of it (as the company reads it)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    for column in ("company", "product", "per", "pre", "main", "total", "per kWh"):
        left = column in ("company", "product")
        summary.add_column(column, justify="left" if left else "right", no_wrap=True)
    for company, item in zip(COMPANIES, totals, strict=True):
        spec = PRODUCTS[company.key]
        summary.add_row(
            company.short,
            spec.name,
            UNIT_SHORT[spec.unit],
            amount(item.pre),
            amount(item.main),
            amount(item.total),
            amount(item.total / spec.kwh) if spec.kwh and item.total is not None else "",
        )
    console.print(summary)
    return DemoResult(
        outcome="built",
        calls=api.calls,
        product=result,
        trades_count=state.get("tradesCount"),
        completed_count=state.get("completedCount"),
        tree_status=state.get("tradeTreeStatus"),
        products=tuple(totals),
    )


def child_trace(api: ContractClient, me: Login, parent: str, name: str) -> str:
    structure = api.obj(
        "GET", DT, token=me.token, params={"dataTarget": "partsStructure", "traceId": parent}
    )
    for child in structure["childrenPartsModel"]:
        if child["partsName"] == name:
            return str(child["traceId"])
    raise DemoError(f"{me.company.short}: {parent} has no child {name}")


# ---------------------------------------------------------------------------- entry point
