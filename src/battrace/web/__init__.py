"""The operators' web application (issue 5): server-rendered pages in Japanese and English
over the same domain services as the API, at `/` of `battrace serve`.

`install(app)` adds the pages and the static files to the ASGI app built by `create_app`.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles


def install(app: FastAPI) -> None:
    from battrace.web import pages  # noqa: F401, PLC0415 (registers every page's routes)
    from battrace.web.app import router  # noqa: PLC0415

    app.include_router(router)
    app.mount("/static", StaticFiles(packages=[("battrace.web", "static")]), name="web-static")


def not_found_page(request: Request) -> Response | None:
    """The HTML not-found page for a browser's unknown path; None for the APIs' paths."""
    from battrace.web.app import not_found_page as page  # noqa: PLC0415

    return page(request)
