"""Second life: the intake page (a diagnostics document, optionally with a cycler CSV, uploaded
with progress), an intake, and the health report of an assessment (fade curve with fit, knee
and P10/P50 band; the value as a waterfall; every number's method, inputs and hash)."""

from __future__ import annotations

import io
import json
import queue
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from battrace import errors
from battrace.inputs import fields
from battrace.reuse import assessments, intakes, market, monitoring, passport_link
from battrace.reuse.cycler import read_cycler_csv
from battrace.web.app import Ctx, page
from battrace.web.reuse_charts import fade_chart, waterfall_chart

EXAMPLE_DOCUMENT = {
    "rated": {
        "chemistry": "NMC622",
        "rated_capacity_ah": 150,
        "rated_energy_wh": 60000,
        "nominal_voltage_v": 400,
        "mass_kg": 400,
        "initial_resistance_mohm": 100,
    },
    "inspection": {"isolation_resistance_ohm_per_v": 500, "bms_operational": True},
    "capacity_checks": [
        {"capacity_ah": 127, "energy_wh": 51000, "temperature_c": 25, "c_rate": 0.33}
    ],
    "bms": {"full_cycles": 900, "lifetime_data_complete": True},
}
_PROBLEM = re.compile(r"row (\d+), ([^:]+): (.*)")


def _overview(ctx: Ctx, **values: Any) -> Response:  # noqa: ANN401
    caller = ctx.operator_id

    def load(session: Any) -> dict[str, Any]:  # noqa: ANN401
        return {
            "intakes": intakes.list_intakes(session, caller=caller),
            "assessments": assessments.list_assessments(session, caller=caller),
            "systems": monitoring.list_systems(session, caller=caller),
            "notifications": monitoring.list_notifications(session, caller=caller)[:10],
        }

    found = ctx.state.read(load)
    defaults = {
        "passport_id": ctx.value("passportId"),
        "label": "",
        "document": json.dumps(EXAMPLE_DOCUMENT, indent=2),
        "messages": [],
    }
    return ctx.render("reuse_home.html", **found, **(defaults | values))


@page("/reuse")
def reuse_home(ctx: Ctx) -> Response:
    return _overview(ctx)


def _problems(message: str) -> list[dict[str, str]]:
    rows = []
    for part in message.split("; "):
        found = _PROBLEM.match(part)
        if found:
            rows.append({"row": found[1], "column": found[2], "message": found[3]})
        else:
            rows.append({"row": "", "column": "", "message": part})
    return rows


def _record(ctx: Ctx, progress: Any) -> dict[str, Any]:  # noqa: ANN401
    """Check the upload and store the intake; the outcome as the progress stream's last line."""
    caller = ctx.operator_id
    try:
        passport_id = fields.uuid_field(ctx.value("passportId"), "passportId")
    except errors.ValidationFailed as exc:
        return {"status": ctx.t("reuse.bad_passport"), "errors": _problems(exc.message)}
    try:
        document = json.loads(ctx.value("document") or "{}")
    except ValueError:
        return {"status": ctx.t("reuse.refused"), "errors": _problems("document: must be JSON.")}
    upload = ctx.files.get("cycler")
    try:
        cycler = None
        if upload is not None:
            total = max(upload.content.count(b"\n") - 1, 1)
            cycler = read_cycler_csv(
                io.BytesIO(upload.content),
                progress=lambda n: progress(
                    {
                        "done": n,
                        "total": total,
                        "status": ctx.t("reuse.reading", done=n, total=total),
                    }
                ),
                every=20_000,
            )

        def store(session: Any) -> uuid.UUID:  # noqa: ANN401
            if not isinstance(document, dict):
                raise errors.ValidationFailed("document: must be a JSON object.")
            return intakes.record_intake(
                session,
                caller=caller,
                passport_id=passport_id,
                label=ctx.value("label"),
                document=document,
                cycler=cycler,
                source_name=upload.file_name if upload else None,
            ).id

        intake_id = ctx.state.write(store)
    except errors.NotFound:
        return {"status": ctx.t("reuse.bad_passport"), "errors": []}
    except errors.InvalidRequest as exc:
        return {"status": ctx.t("reuse.refused"), "errors": _problems(exc.message)}
    url = f"/reuse/intakes/{intake_id}"
    return {
        "status": ctx.t("reuse.recorded"),
        "errors": [],
        "created": [{"url": url, "name": ctx.value("label") or str(intake_id)}],
    }


def _stream(ctx: Ctx) -> Iterator[dict[str, Any]]:
    lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
    outcome: list[dict[str, Any]] = []

    def work() -> None:
        try:
            outcome.append(_record(ctx, lines.put))
        finally:
            lines.put(None)

    threading.Thread(target=work, name="reuse-intake", daemon=True).start()
    while (line := lines.get()) is not None:
        yield line
    yield outcome[0]


@page("/reuse/intakes", methods=("POST",))
def record_intake(ctx: Ctx) -> Response:
    if "application/x-ndjson" in ctx.request.headers.get("accept", ""):
        lines = (json.dumps(m, ensure_ascii=False) + "\n" for m in _stream(ctx))
        return ctx.finish(StreamingResponse(lines, media_type="application/x-ndjson"))
    outcome = _record(ctx, lambda _: None)
    if outcome.get("created"):
        return ctx.redirect(outcome["created"][0]["url"], flash="reuse.recorded")
    return _overview(
        ctx,
        status=400,
        passport_id=ctx.value("passportId"),
        label=ctx.value("label"),
        document=ctx.value("document"),
        messages=[outcome],
    )


@page("/reuse/passports/{passport_id:uuid}/rated")
def rated_from_passport(ctx: Ctx) -> Response:
    """The intake form with the rated data the passport gives filled in."""
    passport_id: uuid.UUID = ctx.request.path_params["passport_id"]
    caller = ctx.operator_id
    rated = ctx.state.read(
        lambda s: passport_link.rated_data(s, caller=caller, passport_id=passport_id)
    )
    document = {**EXAMPLE_DOCUMENT, "rated": {**EXAMPLE_DOCUMENT["rated"], **rated}}  # type: ignore[dict-item]
    return _overview(ctx, passport_id=str(passport_id), document=json.dumps(document, indent=2))


@page("/reuse/intakes/{intake_id:uuid}")
def intake_page(ctx: Ctx) -> Response:
    intake_id: uuid.UUID = ctx.request.path_params["intake_id"]
    caller = ctx.operator_id

    def load(session: Any) -> tuple[Any, list[Any]]:  # noqa: ANN401
        row = intakes.visible_intake(session, caller=caller, intake_id=intake_id)
        return row, assessments.list_assessments(session, caller=caller, intake_id=intake_id)

    row, done = ctx.state.read(load)
    return ctx.render(
        "reuse_intake.html",
        intake=row,
        document=json.dumps(row.document, indent=2, ensure_ascii=False),
        assessments=done,
        own=row.operator_id == caller,
    )


@page("/reuse/intakes/{intake_id:uuid}/assess", methods=("POST",))
def assess_intake(ctx: Ctx) -> Response:
    intake_id: uuid.UUID = ctx.request.path_params["intake_id"]
    caller = ctx.operator_id
    made = ctx.state.write(
        lambda s: assessments.assess_intake(s, caller=caller, intake_id=intake_id).id
    )
    return ctx.redirect(f"/reuse/assessments/{made}", flash="reuse.assessed")


@page("/reuse/intakes/{intake_id:uuid}/grant", methods=("POST",))
def grant_intake(ctx: Ctx) -> Response:
    intake_id: uuid.UUID = ctx.request.path_params["intake_id"]
    caller = ctx.operator_id
    try:
        grantee = uuid.UUID(ctx.value("operatorId"))
    except ValueError:
        raise errors.InvalidRequest(ctx.t("reuse.bad_operator")) from None
    ctx.state.write(
        lambda s: intakes.grant_intake(s, caller=caller, intake_id=intake_id, grantee=grantee)
    )
    return ctx.redirect(f"/reuse/intakes/{intake_id}", flash="reuse.granted")


@page("/reuse/assessments/{assessment_id:uuid}")
def report(ctx: Ctx) -> Response:
    assessment_id: uuid.UUID = ctx.request.path_params["assessment_id"]
    caller = ctx.operator_id
    row = ctx.state.read(
        lambda s: assessments.visible_assessment(s, caller=caller, assessment_id=assessment_id)
    )
    verified = None
    if ctx.value("verify"):
        verified = ctx.state.read(
            lambda s: assessments.verify(s, caller=caller, assessment_id=assessment_id)
        )
    results = row.results
    return ctx.render(
        "reuse_report.html",
        assessment=row,
        results=results,
        fade=fade_chart(results, ctx.t),
        waterfall=waterfall_chart(results["valuation"], ctx.t),
        verified=verified,
        own=row.operator_id == caller,
        inputs=json.dumps(row.inputs, indent=2, ensure_ascii=False),
    )


@page("/reuse/assessments/{assessment_id:uuid}/list", methods=("POST",))
def list_battery(ctx: Ctx) -> Response:
    assessment_id: uuid.UUID = ctx.request.path_params["assessment_id"]
    caller = ctx.operator_id
    visible = []
    for text in ctx.value("visibleTo").replace(",", " ").split():
        try:
            visible.append(uuid.UUID(text))
        except ValueError:
            raise errors.InvalidRequest(ctx.t("reuse.bad_operator")) from None
    ctx.state.write(
        lambda s: market.create_listing(
            s,
            caller=caller,
            assessment_id=assessment_id,
            location=ctx.value("location"),
            visible_to=visible,
        )
    )
    return ctx.redirect("/reuse/market", flash="reuse.listed")
