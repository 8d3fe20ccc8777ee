"""The directory of companies one may trade with (name and corporate number), and the
logged-in company's own choice whether it is listed there."""

from __future__ import annotations

from starlette.responses import Response

from battrace.identity import operators
from battrace.traceability import partners
from battrace.web.app import Ctx, page


@page("/directory")
def directory_page(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    query = ctx.value("q")[:256]
    rows, me = ctx.state.read(
        lambda s: (
            partners.directory(s, caller=caller, name_contains=query),
            operators.get_operator(s, caller),
        )
    )
    return ctx.render(
        "directory.html",
        partners=rows,
        query=query,
        listed=me.listed_in_directory,
        me=me,
        limit=partners.DIRECTORY_LIMIT,
    )


@page("/directory/listing", methods=("POST",))
def directory_listing(ctx: Ctx) -> Response:
    """The company's own decision: list its name and corporate number, or not."""
    caller = ctx.operator_id
    listed = ctx.value("listed") == "1"
    ctx.state.write(lambda s: operators.set_listing(s, caller=caller, listed=listed))
    return ctx.redirect("/directory", flash="directory.listed" if listed else "directory.unlisted")
