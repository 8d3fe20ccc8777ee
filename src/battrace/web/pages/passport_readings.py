"""Uploading dynamic data (state of health and use) for many batteries as CSV."""

from __future__ import annotations

from starlette.responses import Response

from battrace import errors
from battrace.passport import readings
from battrace.web.app import Ctx, page


@page("/passports/readings")
def readings_form(ctx: Ctx) -> Response:
    return ctx.render("passport_readings.html", metrics=readings.METRICS, text="", error="")


@page("/passports/readings", methods=("POST",))
def readings_upload(ctx: Ctx) -> Response:
    upload = ctx.files.get("file")
    text = ctx.value("text")
    try:
        if upload is not None:
            text = upload.content.decode("utf-8-sig")
        if not text.strip():
            raise errors.InvalidRequest(ctx.t("passport.readings_empty"))
        parsed = readings.parse_csv(text)
        result = ctx.state.write(
            lambda s: readings.record_readings(s, caller=ctx.operator_id, readings=parsed)
        )
    except UnicodeDecodeError:
        return ctx.render(
            "passport_readings.html",
            status=400,
            metrics=readings.METRICS,
            text="",
            error=ctx.t("error.bad_form"),
        )
    except (errors.InvalidRequest, errors.NotFound) as exc:
        return ctx.render(
            "passport_readings.html",
            status=400,
            metrics=readings.METRICS,
            text=text,
            error=exc.message,
        )
    message = ctx.t(
        "passport.readings_done",
        received=result.received,
        stored=result.stored,
        passports=result.passports,
    )
    return ctx.redirect("/passports/readings", flash="=" + message)
