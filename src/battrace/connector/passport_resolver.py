"""The public passport resolver: the persistent address behind every battery's QR code.

- `GET /passport/{passportId}` and the GS1 Digital Link `GET /01/{gtin}/21/{serial}` (the
  newest passport of that battery) answer the public view of the passport (Annex XIII point 1
  only): an HTML page in Japanese or English (`?lang=ja|en`, else the browser's
  Accept-Language) to a browser, JSON to a client that asks for it (`Accept:
  application/json` or `?format=json`).
- A recycled battery's passport answers 410 Gone (its tombstone); a draft or an unknown one
  404. No login: this is what anyone scanning the label sees.

Each answer is kept per worker (`AppState.passport_pages`) under the passport's stamp
(`passport.resolving`: the version numbers its public view is made from), so a request for a
passport seen before costs one indexed read. The routes are plain Starlette routes, like
`/api/v1/datatransport`: FastAPI's per-request dependency solving would cost more than the
rest of a kept answer; FastAPI routes after them describe the paths in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from battrace import errors
from battrace.connector.errors import RequestContext, Source, contract_error_response, json_text
from battrace.connector.passport_json import policy_of, public_base
from battrace.passport import lookup, page, qr, resolving
from battrace.passport.lookup import PassportView
from battrace.state import AppState, state_of
from battrace.store.engine import Database

router = APIRouter(tags=["passport resolver (public)"])
VARY = {"Vary": "Accept, Accept-Language"}


@dataclass(frozen=True)
class Answer:
    """A rendered answer, as kept between requests."""

    status: int
    body: bytes
    media_type: str

    def response(self) -> Response:
        return Response(
            self.body, status_code=self.status, media_type=self.media_type, headers=VARY
        )


def wants_json(request: Request) -> bool:
    asked = request.query_params.get("format")
    if asked is not None:
        return asked == "json"
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _variant(request: Request, state: AppState) -> tuple[str, str]:
    """What the answer depends on besides the passport: the format (and language), and the
    public base address the answer links to."""
    base = public_base(request, state)
    if wants_json(request):
        return ("json", base)
    lang = page.language(
        request.query_params.get("lang"), request.headers.get("accept-language", "")
    )
    return (lang, base)


def _render(view: PassportView, variant: tuple[str, str]) -> Answer:
    shape, base = variant
    status = 410 if view.ended else 200
    address = qr.address(base, passport_id=view.passport_id, gtin=view.gtin, serial=view.serial)
    if shape == "json":
        body = view.to_dict()
        body["address"] = address
        text = json_text(body)
        return Answer(status, text.encode("utf-8", "backslashreplace"), "application/json")
    successor = (
        base.rstrip("/") + qr.passport_path(view.successors[-1]) if view.successors else None
    )
    # No QR code on the page the QR code leads to: drawing one costs more than the rest of
    # the answer, and whoever reads the page has just scanned it.
    html = page.render_html(view, lang=shape, address=address, successor_address=successor)
    return Answer(status, html.encode(), "text/html; charset=utf-8")


def _not_found(request: Request, message: str) -> Response:
    if wants_json(request):
        return contract_error_response(
            404, Source.DATASPACE, message, RequestContext(method=request.method)
        )
    return HTMLResponse(
        "<!doctype html><title>404</title><p>No such battery passport.</p>", status_code=404
    )


Stamper = Callable[[Database], resolving.PublicStamp | None]


def _answer(state: AppState, stamp_of: Stamper, variant: tuple[str, str]) -> Answer:
    """The kept answer if its stamp still holds, else a fresh one (then kept)."""
    stamp = stamp_of(state.db)  # first, so the data read after is at least this new
    if stamp is None:
        raise errors.NotFound("no such battery passport.")
    key = (stamp.passport_id, variant)
    kept: Answer | None = state.passport_pages.get(key, stamp.numbers)
    if kept is not None:
        return kept
    # One more statement reads the view and the stamp it was made from, together.
    view, made_under = resolving.public_view(state.db, stamp.passport_id, policy_of(state))
    answer = _render(view, variant)
    state.passport_pages.put(key, made_under.numbers, answer)
    return answer


async def _resolve(request: Request, stamp_of: Stamper) -> Response:
    state = state_of(request)
    variant = _variant(request, state)
    try:
        answer = await run_in_threadpool(_answer, state, stamp_of, variant)
    except errors.NotFound as missing:
        return _not_found(request, missing.message)
    return answer.response()


async def resolve_passport(request: Request) -> Response:
    text = request.path_params["passport_id"]
    try:
        wanted = lookup.parse_passport_id(text)
    except errors.NotFound as missing:
        return _not_found(request, missing.message)
    return await _resolve(request, lambda database: resolving.stamp_by_id(database, wanted))


async def resolve_digital_link(request: Request) -> Response:
    gtin, serial = request.path_params["gtin"], request.path_params["serial"]
    return await _resolve(
        request, lambda database: resolving.stamp_by_gs1(database, gtin=gtin, serial=serial)
    )


PASSPORT_PATH = "/passport/{passport_id}"
DIGITAL_LINK_PATH = "/01/{gtin}/21/{serial}"
router.add_route(PASSPORT_PATH, resolve_passport, methods=["GET"], include_in_schema=False)
router.add_route(DIGITAL_LINK_PATH, resolve_digital_link, methods=["GET"], include_in_schema=False)


# For the OpenAPI document only: the plain routes above match first.
@router.get(PASSPORT_PATH, summary="A passport's public view (HTML or JSON)")
async def describe_passport(request: Request, passport_id: str) -> Response:
    return await resolve_passport(request)


@router.get(DIGITAL_LINK_PATH, summary="A GS1-identified battery's passport (HTML or JSON)")
async def describe_digital_link(request: Request, gtin: str, serial: str) -> Response:
    return await resolve_digital_link(request)


__all__ = ["router", "wants_json"]
