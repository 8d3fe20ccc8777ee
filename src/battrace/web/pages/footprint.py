"""A product's footprint from the CFP engine: totals per stage, the charts of the footprint
report (stages, Pareto, supply chain), hotspots, parts without a value (with an emission
factor to apply, and the parts a factor is applied to, to take it off again), a what-if, and
the EU battery carbon-footprint declaration (provisional)."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.footprint import charts, declaration, factors, hotspots, report, view
from battrace.footprint.graph import PartNode
from battrace.footprint.view import ProductFootprint
from battrace.ids import TraceId
from battrace.traceability.stages import Stage
from battrace.web import i18n
from battrace.web.app import SECURITY_HEADERS, Ctx, page, render_fragment
from battrace.web.forms import FormErrors, number

T = TypeVar("T")
WHAT_IF_CHOICES = 300


@dataclass(frozen=True)
class WhatIfResult:
    part_name: str
    before: Decimal | None
    after: Decimal | None
    delta: Decimal | None


def chart_labels(lang: str) -> charts.ChartLabels:
    """The charts' words in a page language, from the catalogue's `chart.<field>` keys."""
    return charts.ChartLabels(
        **{f.name: i18n.translate(lang, f"chart.{f.name}") for f in fields(charts.ChartLabels)}
    )


def _trace_id(ctx: Ctx) -> TraceId:
    return TraceId(ctx.request.path_params["trace_id"])


def _product(ctx: Ctx, seen_version: int) -> tuple[ProductFootprint, list[factors.Factor]]:
    """The product's roll-up and the caller's factors, kept under the data version."""
    caller, trace_id = ctx.operator_id, _trace_id(ctx)

    disclose = ctx.state.settings.disclose_by_default

    def read(session: Session) -> tuple[ProductFootprint, list[factors.Factor]]:
        product = view.product_footprint(
            session, viewer=caller, trace_id=trace_id, disclose_by_default=disclose
        )
        return product, factors.list_factors(session, caller=caller)

    return ctx.state.footprints.page(
        seen_version, ("product", caller, trace_id), lambda: ctx.state.read(read)
    )


def _kept(ctx: Ctx, seen_version: int, what: str, compute: Callable[[], T]) -> T:
    """A result derived from the product in the page's language, kept like the product."""
    key = (what, ctx.operator_id, _trace_id(ctx), ctx.lang)
    return ctx.state.footprints.page(seen_version, key, compute)


def _what_if(ctx: Ctx, product: ProductFootprint, form_errors: FormErrors) -> WhatIfResult | None:
    part_text = ctx.value("whatif_part")
    if not part_text:
        return None
    pre = number(ctx.value("whatif_pre"), "whatif_pre", form_errors, required=True)
    main = number(ctx.value("whatif_main"), "whatif_main", form_errors, required=True)
    try:
        part = TraceId(uuid.UUID(part_text))
    except ValueError:
        form_errors.add("whatif_part", "invalid")
        return None
    if pre is None or main is None:
        return None
    result = view.what_if(product, replace=part, pre=pre, main=main)
    return WhatIfResult(
        product.graph.node(part).parts_name,
        result.before.total,
        result.after.total,
        result.total_delta,
    )


def _declaration(
    ctx: Ctx, product: ProductFootprint, form_errors: FormErrors
) -> declaration.Declaration | None:
    if not ctx.value("energy"):
        return None
    energy = number(ctx.value("energy"), "energy", form_errors, required=True)
    warranty = number(ctx.value("warranty"), "warranty", form_errors, required=True)
    distribution = number(ctx.value("distribution"), "distribution", form_errors)
    end_of_life = number(ctx.value("end_of_life"), "end_of_life", form_errors)
    cycles = number(ctx.value("cycles"), "cycles", form_errors)
    category = ctx.value("category")
    if category not in {c.value for c in declaration.VehicleCategory}:
        form_errors.add("category", "cannot be blank")
    if energy is None or warranty is None or form_errors:
        return None
    battery = declaration.BatteryData(
        usable_energy_kwh=energy,
        vehicle_category=declaration.VehicleCategory(category),
        warranty_years=warranty,
        distribution_kg_co2e=distribution,
        end_of_life_kg_co2e=end_of_life,
        cycles_per_year=cycles,
        cycles_justification=ctx.value("justification") or None,
        study_link=ctx.value("study_link") or None,
    )
    try:
        return declaration.declare(product.footprint, battery)
    except errors.InvalidRequest as exc:
        form_errors.general.append(exc.message)
        return None


def what_if_choices(
    product: ProductFootprint, ranked: Sequence[hotspots.Hotspot] | None = None
) -> list[tuple[str, str]]:
    """The parts the what-if form offers, by name: all of them in a product of up to
    `WHAT_IF_CHOICES` parts; in a larger one the largest contributors and every part without
    a value (a longer list is more than a page can show or a reader can scan)."""
    footprint = product.footprint
    nodes = product.graph.nodes
    parts = [n for n in nodes.values() if n.trace_id != footprint.root]
    if len(parts) > WHAT_IF_CHOICES:
        ranked = hotspots.rank_parts(footprint) if ranked is None else ranked
        wanted = {h.key for h in ranked[:WHAT_IF_CHOICES]}
        wanted.update(u.trace_id for s in footprint.stages.values() for u in s.unknown)
        parts = [nodes[t] for t in wanted if t is not None and t in nodes and t != footprint.root]
    parts.sort(key=lambda n: n.parts_name)
    return [(str(n.trace_id), n.parts_name) for n in parts]


@page("/parts/{trace_id:uuid}/footprint")
def footprint_page(ctx: Ctx) -> Response:
    seen_version = ctx.state.data_version(ctx.operator_id)  # before the data it guards
    product, factor_rows = _product(ctx, seen_version)
    footprint = product.footprint
    unit = footprint.unit or "kgCO2e"
    form_errors = FormErrors()
    what_if = _what_if(ctx, product, form_errors)
    declared = _declaration(ctx, product, form_errors)
    names = dict(product.supplier_names)
    names[footprint.viewer] = ctx.operator_name
    labels = chart_labels(ctx.lang)
    chart_unit = ctx.unit_name(unit)  # the axes' unit in the page's language
    ranked = _kept(ctx, seen_version, "ranked", lambda: hotspots.rank_parts(footprint))
    choices = _kept(ctx, seen_version, "what_if_choices", lambda: what_if_choices(product, ranked))
    values: dict[str, Any] = {
        name: ctx.value(name)
        for name in (
            "whatif_part",
            "whatif_pre",
            "whatif_main",
            "energy",
            "category",
            "warranty",
            "distribution",
            "end_of_life",
            "cycles",
            "justification",
            "study_link",
        )
    }
    return ctx.render(
        "footprint.html",
        product=product,
        footprint=footprint,
        unit=unit,
        charts_html=_kept(
            ctx,
            seen_version,
            "charts",
            lambda: render_fragment(
                "footprint_charts.html",
                charts=(
                    (
                        ctx.t("footprint.chart_stages"),
                        charts.stage_bars(footprint, unit=chart_unit, labels=labels),
                    ),
                    (
                        ctx.t("footprint.chart_pareto"),
                        charts.pareto(footprint, unit=chart_unit, labels=labels, ranked=ranked),
                    ),
                    (
                        ctx.t("footprint.chart_tree"),
                        charts.supply_tree(
                            footprint, product.graph, unit=chart_unit, labels=labels
                        ),
                    ),
                ),
            ),
        ),
        by_part=ranked[:10],
        by_supplier=_kept(
            ctx, seen_version, "by_supplier", lambda: hotspots.rank_suppliers(footprint)[:10]
        ),
        supplier_names=names,
        unknown=[(stage, u) for stage, s in footprint.stages.items() for u in s.unknown],
        factors=factor_rows,
        assigned=sorted(
            (
                (product.graph.nodes[trace_id], factor)
                for trace_id, factor in product.factors.items()
                if trace_id in product.graph.nodes
            ),
            key=lambda item: item[0].parts_name,
        ),
        what_if_choices=choices,
        what_if_listed=len(choices),
        parts_total=len(product.graph.nodes) - 1,
        what_if=what_if,
        declared=declared,
        categories=[c.value for c in declaration.VehicleCategory],
        errors=form_errors,
        values=values,
        blank_fields=lambda node, stage: blank_fields(ctx, node, stage),
        mismatch_unit=mismatch_unit,
    )


def blank_fields(ctx: Ctx, node: PartNode, stage: Stage) -> str:
    """The fields of a part's own CFP left blank in a stage, named as the CFP form names them."""
    own = node.own
    if own is None:
        return ""
    values = own[stage]
    names = [
        ctx.t(key)
        for key, value in (
            ("cfp.own_long", values.production),
            ("cfp.component_long", values.component),
        )
        if value.emission is None
    ]
    return "、".join(names) if ctx.lang == "ja" else ", ".join(names)


def mismatch_unit(node: PartNode) -> str | None:
    """The unit a part's value is declared per (the supplier's answer, else its own CFP)."""
    declared = node.boundary.declared_unit if node.boundary is not None else node.declared_unit
    return None if declared is None else declared.removeprefix("kgCO2e/")


@page("/parts/{trace_id:uuid}/footprint.csv")
def footprint_csv(ctx: Ctx) -> Response:
    product, _ = _product(ctx, ctx.state.data_version(ctx.operator_id))
    return Response(
        report.footprint_csv(product.footprint, supplier_names=product.supplier_names),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cfp-{_trace_id(ctx)}.csv"'},
    )


@page("/parts/{trace_id:uuid}/footprint/report")
def footprint_report(ctx: Ctx) -> Response:
    seen_version = ctx.state.data_version(ctx.operator_id)
    product, _ = _product(ctx, seen_version)
    html = _kept(
        ctx,
        seen_version,
        "report",
        lambda: report.render_html(
            product.footprint,
            product.graph,
            supplier_names=product.supplier_names,
            labels=chart_labels(ctx.lang),
            words=ctx.t,
        ),
    )
    response = Response(html, media_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = styles_allowed(html)
    return ctx.finish(response)


def styles_allowed(html: str) -> str:
    """The page's strict CSP, with the report's own inline style sheets allowed by their hash
    (the report is one self-contained file; no other inline style may apply)."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(sheet.encode()).digest()).decode()}'"
        for sheet in re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    )
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    return policy.replace("style-src 'self'", f"style-src 'self' {hashes}".rstrip())


@page("/parts/{trace_id:uuid}/footprint/factor", methods=("POST",))
def assign_factor(ctx: Ctx) -> Response:
    caller, root = ctx.operator_id, _trace_id(ctx)
    try:
        part, factor = TraceId(uuid.UUID(ctx.value("part"))), uuid.UUID(ctx.value("factor"))
    except ValueError as exc:
        raise errors.NotFound("factor") from exc
    try:
        ctx.state.write(
            lambda s: factors.assign_factor(s, caller=caller, trace_id=part, factor_id=factor)
        )
    except errors.InvalidRequest as exc:
        return ctx.redirect(f"/parts/{root}/footprint", flash=f"!{exc.message}")
    return ctx.redirect(f"/parts/{root}/footprint", flash="factors.assigned")


@page("/parts/{trace_id:uuid}/footprint/factor/delete", methods=("POST",))
def unassign_factor(ctx: Ctx) -> Response:
    """Stop applying a factor to a part: the service of `DELETE emissionFactors/assignment`."""
    caller, root = ctx.operator_id, _trace_id(ctx)
    try:
        part = TraceId(uuid.UUID(ctx.value("part")))
    except ValueError as exc:
        raise errors.NotFound("part") from exc
    ctx.state.write(lambda s: factors.unassign_factor(s, caller=caller, trace_id=part))
    return ctx.redirect(f"/parts/{root}/footprint", flash="factors.unassigned")
