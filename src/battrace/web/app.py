"""The operators' web application: its router, the request context every page gets, the
session and CSRF checks, rendering, and the one place domain errors become error pages.

Pages are plain functions `handler(ctx) -> Response` registered with `@page(path)`; they run in
a worker thread and call the same domain services as the API, with the logged-in operator's
id. Every POST is checked against the session's CSRF token before a handler sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from battrace import errors
from battrace.identity import accounts, operators
from battrace.ids import OperatorId
from battrace.state import AppState, state_of
from battrace.store.base import tidy_decimal
from battrace.web import i18n
from battrace.web.forms import FormErrors
from battrace.web.session import (
    COOKIE,
    CSRF_FIELD,
    LANGUAGE_COOKIE,
    WebSession,
    anonymous,
    csrf_matches,
    decode,
    encode,
    session_key,
)

log = logging.getLogger("battrace.web")
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class NavItem:
    label: str  # catalogue key
    path: str


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


# The navigation, by domain: the CFP group, then the due-diligence group.
NAV: list[NavGroup] = [
    NavGroup(
        "nav.cfp",
        (
            NavItem("nav.home", "/"),
            NavItem("nav.parts", "/parts"),
            NavItem("nav.sent", "/requests/sent"),
            NavItem("nav.received", "/requests/received"),
            NavItem("nav.inbox", "/inbox"),
            NavItem("nav.factors", "/factors"),
            NavItem("nav.plants", "/plants"),
            NavItem("nav.directory", "/directory"),
        ),
    ),
    NavGroup(
        "nav.dd",
        (
            NavItem("nav.dd_templates", "/dd/templates"),
            NavItem("nav.dd_sent", "/dd/sent"),
            NavItem("nav.dd_received", "/dd/received"),
            NavItem("nav.dd_assurances", "/dd/assurances"),
        ),
    ),
    NavGroup(
        "nav.passport",
        (
            NavItem("nav.passports", "/passports"),
            NavItem("nav.passport_models", "/passports/models"),
            NavItem("nav.passport_readings", "/passports/readings"),
        ),
    ),
    NavGroup(
        "nav.pact",
        (NavItem("nav.pact_publish", "/pact"), NavItem("nav.pact_hosts", "/pact/hosts")),
    ),
    NavGroup(
        "nav.recycling",
        (
            NavItem("nav.rec_lots", "/recycling/lots"),
            NavItem("nav.rec_reports", "/recycling/reports"),
            NavItem("nav.rec_content", "/recycling/content"),
            NavItem("nav.rec_market", "/recycling/market"),
            NavItem("nav.rec_dashboard", "/recycling/dashboard"),
        ),
    ),
    NavGroup(
        "nav.reuse",
        (
            NavItem("nav.reuse_intakes", "/reuse"),
            NavItem("nav.reuse_market", "/reuse/market"),
            NavItem("nav.reuse_proposals", "/reuse/proposals"),
            NavItem("nav.reuse_rules", "/reuse/rules"),
        ),
    ),
]


@dataclass(frozen=True)
class UploadedFile:
    file_name: str
    content_type: str | None
    content: bytes


def _number(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(tidy_decimal(value), "f")
    if isinstance(value, float):  # DD answers are stored as JSON numbers: 50.0 reads 50
        return format(tidy_decimal(Decimal(repr(value))), "f")
    return str(value)


# Display rule for figures (exports keep full precision): kgCO2e and quantities to 3 decimals,
# DQR ratings to 2, half to even, with thousands separators; trailing zeros dropped.
FIGURE_PLACES = 3
DQR_PLACES = 2


def _figure(value: Decimal | float | int | None, places: int = FIGURE_PLACES) -> str:
    if value is None:
        return ""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not exact.is_finite():
        return str(exact)
    try:
        shown = tidy_decimal(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))
    except InvalidOperation:  # beyond 28 digits: shown as it is
        shown = tidy_decimal(exact)
    return format(shown, ",f")


def _when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


_ENV = Environment(
    loader=PackageLoader("battrace.web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["num"] = _number
_ENV.filters["fig"] = _figure
_ENV.filters["dqr"] = lambda value: _figure(value, DQR_PLACES) or "–"
_ENV.filters["when"] = _when
_ENV.filters["pairs"] = lambda values: [(value, value) for value in values]
_ENV.filters["urlquote"] = lambda value: quote(str(value), safe="")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def render_fragment(template: str, **values: Any) -> Markup:  # noqa: ANN401
    """A piece of a page rendered on its own (e.g. a page's charts, kept between visits)."""
    return Markup(_ENV.get_template(template).render(**values))  # noqa: S704 (autoescaped)


@dataclass
class Ctx:
    """One page request: who asks (session), in which language, with which form values."""

    request: Request
    state: AppState
    session: WebSession
    lang: str
    form: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    operator_name: str = ""

    @property
    def operator_id(self) -> OperatorId:
        if self.session.operator_id is None:
            raise errors.Unauthenticated("login required")
        return OperatorId(self.session.operator_id)

    def t(self, key: str, **values: object) -> str:
        return i18n.translate(self.lang, key, **values)

    def unit_name(self, unit: str | None) -> str:
        """A unit of the contract (`kilogram`, `kgCO2e/kilogram`) in the page's language."""
        if not unit:
            return ""
        per = unit.removeprefix("kgCO2e/")
        name = self.t(f"unit.{per}")
        if name == f"unit.{per}":
            return unit
        return name if per == unit else f"kgCO2e/{name}"

    def note(self, line: object) -> str:
        """A domain's sentence (`notes.Note`) in the page's language (`i18n.note`)."""
        return i18n.note(self.lang, line)

    def value(self, name: str, default: str = "") -> str:
        """A form field (POST) or query parameter (GET), stripped."""
        values = self.form.get(name)
        if values is None:
            raw = self.request.query_params.get(name)
            return default if raw is None else raw.strip()
        return values[0].strip() if values else default

    def values(self, name: str) -> list[str]:
        return [v.strip() for v in self.form.get(name, [])]

    def render(self, template: str, *, status: int = 200, **values: Any) -> Response:  # noqa: ANN401
        flash = self.session.flash
        self.session = self.session.without_flash()
        for name, value in values.items():
            if isinstance(value, FormErrors):  # problems in the page's language
                values[name] = value.translated(lambda text: i18n.message(self.lang, text))
        html = _ENV.get_template(template).render(
            t=self.t,
            unit_name=self.unit_name,
            note=self.note,
            lang=self.lang,
            csrf_field=CSRF_FIELD,
            csrf=self.session.csrf,
            session=self.session,
            operator_name=self.operator_name,
            nav=NAV if self.session.logged_in else [],
            path=self.request.url.path,
            current=self.request.url.path
            + (f"?{self.request.url.query}" if self.request.url.query else ""),
            flash=self._flash_text(flash),
            flash_error=flash.startswith("!"),
            **values,
        )
        return self.finish(HTMLResponse(html, status_code=status))

    def _flash_text(self, flash: str) -> str:
        """A flash: a catalogue key, `=` + a text, or `!` + a refusal's message (an error)."""
        if flash.startswith("="):
            return flash[1:]
        if flash.startswith("!"):
            return i18n.message(self.lang, flash[1:])
        return self.t(flash) if flash else ""

    def redirect(self, url: str, *, flash: str | None = None) -> Response:
        if flash is not None:
            self.session = self.session.with_flash(flash)
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, response: Response) -> Response:
        """Security headers, and the session cookie when the session changed."""
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if self.session.fresh:
            settings = self.state.settings
            response.set_cookie(
                COOKIE,
                encode(
                    self.session,
                    session_key(self.state.signer.secret),
                    seconds=settings.web_session_seconds,
                ),
                max_age=settings.web_session_seconds if self.session.logged_in else None,
                httponly=True,
                samesite="lax",
                secure=is_https(self.request, self.state),
                path="/",
            )
        return response


def is_https(request: Request, state: AppState) -> bool:
    return request.url.scheme == "https" or (state.settings.public_url or "").startswith("https:")


def safe_next(target: str | None) -> str:
    """A local path to go to after login or a language switch (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


Handler = Callable[[Ctx], Response]


def page(
    path: str, *, methods: tuple[str, ...] = ("GET",), public: bool = False
) -> Callable[[Handler], Handler]:
    """Register a page handler (logged-in operators only unless `public`)."""

    def register(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            return await _serve(request, handler, public=public)

        router.add_api_route(path, endpoint, methods=list(methods), name=f"web.{handler.__name__}")
        return handler

    return register


async def _serve(request: Request, handler: Handler, *, public: bool) -> Response:
    state = state_of(request)
    session = decode(request.cookies.get(COOKIE), session_key(state.signer.secret))
    if session is not None:
        request.state.operator_id = session.operator_id  # for the request log
    lang = request.cookies.get(LANGUAGE_COOKIE, i18n.DEFAULT)
    ctx = Ctx(
        request, state, session or anonymous(), lang if lang in i18n.LANGUAGES else i18n.DEFAULT
    )
    if any("\x00" in value for value in request.query_params.values()):
        return ctx.render("error.html", status=400, message=ctx.t("error.bad_form"))
    if request.method == "POST":
        try:
            data = await request.form(max_files=10, max_fields=5000)
        except Exception:
            return ctx.render("error.html", status=400, message=ctx.t("error.bad_form"))
        for name, item in data.multi_items():
            if isinstance(item, UploadFile):
                if item.filename:
                    content = await item.read()
                    ctx.files[name] = UploadedFile(item.filename, item.content_type, content)
            elif "\x00" in item or "\x00" in name:  # no text column can store it
                return ctx.render("error.html", status=400, message=ctx.t("error.bad_form"))
            else:
                ctx.form.setdefault(name, []).append(item)
        await data.close()
        if session is None or not csrf_matches(session, ctx.value(CSRF_FIELD)):
            return ctx.render("error.html", status=403, message=ctx.t("error.csrf"))
    return await run_in_threadpool(_run, handler, ctx, public)


# Paths of the APIs, whose unknown endpoints answer in the contract's error shape.
API_PREFIXES = ("/api/", "/auth/", "/openapi", "/docs", "/redoc")


def not_found_page(request: Request) -> Response | None:
    """The web's not-found page for a browser's unknown path (GET or HEAD outside the APIs);
    None for the APIs' paths."""
    if request.method not in ("GET", "HEAD") or request.url.path.startswith(API_PREFIXES):
        return None
    state = state_of(request)
    session = decode(request.cookies.get(COOKIE), session_key(state.signer.secret))
    lang = request.cookies.get(LANGUAGE_COOKIE, i18n.DEFAULT)
    ctx = Ctx(
        request, state, session or anonymous(), lang if lang in i18n.LANGUAGES else i18n.DEFAULT
    )
    return ctx.render("error.html", status=404, message=ctx.t("error.not_found"))


def _run(handler: Handler, ctx: Ctx, public: bool) -> Response:
    try:
        if ctx.session.logged_in and not _still_logged_in(ctx):
            ctx.session = anonymous()
        if not public and not ctx.session.logged_in:
            target = quote(ctx.request.url.path, safe="/")
            return ctx.redirect(f"/login?next={target}")
        return handler(ctx)
    except errors.NotFound:
        return ctx.render("error.html", status=404, message=ctx.t("error.not_found"))
    except errors.BattraceError as exc:
        return ctx.render("error.html", status=400, message=i18n.message(ctx.lang, exc.message))
    except OperationalError:
        log.exception("database unavailable")
        return ctx.render("error.html", status=503, message=ctx.t("error.unavailable"))


def _still_logged_in(ctx: Ctx) -> bool:
    """The login behind the session is live (not logged out, no password change since)."""
    login_id = ctx.session.login_id
    assert login_id is not None  # noqa: S101 (logged_in checked by the caller)

    def check(session: Any) -> str | None:  # noqa: ANN401
        account = accounts.live_login(session, login_id=login_id)
        if account is None or account.id != ctx.session.account_id:
            return None
        return operators.get_operator(session, account.operator_id).name

    name = ctx.state.read(check)
    if name is None:
        return False
    ctx.operator_name = name
    return True
