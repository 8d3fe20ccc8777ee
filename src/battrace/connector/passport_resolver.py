"""The public passport resolver: the persistent address behind every battery's QR code.

- `GET /passport/{passportId}` and the GS1 Digital Link `GET /01/{gtin}/21/{serial}` (the
  newest passport of that battery) answer the public view of the passport (Annex XIII point 1
  only): an HTML page in Japanese or English (`?lang=ja|en`, else the browser's
  Accept-Language) to a browser, JSON to a client that asks for it (`Accept:
  application/json` or `?format=json`).
- A recycled battery's passport answers 410 Gone (its tombstone); a draft or an unknown one
  404. No login: this is what anyone scanning the label sees.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from battrace import errors
from battrace.connector.errors import RequestContext, Source, contract_error_response, json_response
from battrace.connector.passport_json import policy_of, public_base
from battrace.passport import lookup, page, qr
from battrace.passport.access import PUBLIC_READER
from battrace.passport.lookup import PassportView
from battrace.state import state_of

router = APIRouter(tags=["passport resolver (public)"])


def wants_json(request: Request) -> bool:
    asked = request.query_params.get("format")
    if asked is not None:
        return asked == "json"
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _answer(request: Request, view: PassportView) -> Response:
    status = 410 if view.ended else 200
    base = public_base(request, state_of(request))
    address = qr.address(base, passport_id=view.passport_id, gtin=view.gtin, serial=view.serial)
    if wants_json(request):
        body = view.to_dict()
        body["address"] = address
        return json_response(body, status)
    lang = page.language(
        request.query_params.get("lang"), request.headers.get("accept-language", "")
    )
    successor = (
        base.rstrip("/") + qr.passport_path(view.successors[-1]) if view.successors else None
    )
    # No QR code on the page the QR code leads to: drawing one costs more than the rest of
    # the answer, and whoever reads the page has just scanned it.
    html = page.render_html(view, lang=lang, address=address, successor_address=successor)
    return HTMLResponse(html, status_code=status, headers={"Vary": "Accept, Accept-Language"})


def _not_found(request: Request, message: str) -> Response:
    if wants_json(request):
        return contract_error_response(
            404, Source.DATASPACE, message, RequestContext(method=request.method)
        )
    return HTMLResponse(
        "<!doctype html><title>404</title><p>No such battery passport.</p>", status_code=404
    )


async def _resolve(request: Request, find: lookup.Finder) -> Response:
    state = state_of(request)
    try:
        view = await run_in_threadpool(state.read, find)
    except errors.NotFound as missing:
        return _not_found(request, missing.message)
    return _answer(request, view)


@router.get("/passport/{passport_id}")
async def resolve_passport(request: Request, passport_id: str) -> Response:
    try:
        wanted = lookup.parse_passport_id(passport_id)
    except errors.NotFound as missing:
        return _not_found(request, missing.message)

    def find(session: Session) -> PassportView:
        return lookup.view_passport(
            session, reader=PUBLIC_READER, passport_id=wanted, policy=policy_of(state_of(request))
        )

    return await _resolve(request, find)


@router.get("/01/{gtin}/21/{serial}")
async def resolve_digital_link(request: Request, gtin: str, serial: str) -> Response:
    def find(session: Session) -> PassportView:
        return lookup.find_passport(
            session,
            reader=PUBLIC_READER,
            gtin=gtin,
            serial=serial,
            policy=policy_of(state_of(request)),
        )

    return await _resolve(request, find)


__all__ = ["router", "wants_json"]
