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
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from jinja2 import Environment, PackageLoader, StrictUndefined
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
        html = _ENV.get_template(template).render(
            t=self.t,
            lang=self.lang,
            csrf_field=CSRF_FIELD,
            csrf=self.session.csrf,
            session=self.session,
            operator_name=self.operator_name,
            nav=NAV if self.session.logged_in else [],
            path=self.request.url.path,
            current=self.request.url.path
            + (f"?{self.request.url.query}" if self.request.url.query else ""),
            flash=flash[1:] if flash.startswith("=") else self.t(flash) if flash else "",
            **values,
        )
        return self.finish(HTMLResponse(html, status_code=status))

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
        return ctx.render("error.html", status=400, message=exc.message)
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
