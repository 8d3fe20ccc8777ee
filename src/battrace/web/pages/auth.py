"""Log in and out, change the password, switch the language.

The password check is identity's login (argon2id, and its lockout after repeated failures,
which is the login rate limit here too); every failure reads the same, whether the account
exists, the password is wrong or the account is locked.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace.identity import accounts
from battrace.identity.accounts import IssuedTokens, LoginPolicy
from battrace.identity.passwords import password_policy_error
from battrace.state import login_throttle_keys, peer_address
from battrace.web import i18n
from battrace.web.app import Ctx, page, safe_next
from battrace.web.forms import FormErrors
from battrace.web.session import LANGUAGE_COOKIE, anonymous, logged_in


def _policy(ctx: Ctx) -> LoginPolicy:
    settings = ctx.state.settings
    return LoginPolicy(
        settings.login_max_failures,
        settings.login_lockout_seconds,
        settings.refresh_token_ttl_seconds,
    )


def _login(ctx: Ctx, email: str, password: str) -> IssuedTokens | None:
    return ctx.state.write(
        lambda s: accounts.login(
            s, email=email, password=password, signer=ctx.state.signer, policy=_policy(ctx)
        )
    )


@page("/login", public=True)
def login_form(ctx: Ctx) -> Response:
    if ctx.session.logged_in:
        return ctx.redirect("/")
    return ctx.render("login.html", email="", error="", next=safe_next(ctx.value("next")))


class LoginAttempts:
    """Failed web logins per typed e-mail in this process, known account or not: after as many
    failures as lock an account, further attempts are paused for the lockout time, and the
    page says so and for how long, the same for an e-mail that has no account."""

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def paused_for(self, email: str, policy: LoginPolicy) -> int:
        """Seconds left of the pause of logins with this e-mail (0: not paused)."""
        now = time.monotonic()
        with self._lock:
            recent = [
                at
                for at in self._failures.get(email.lower(), [])
                if now - at < policy.lockout_seconds
            ]
            self._failures[email.lower()] = recent
            if len(recent) < policy.max_failures:
                return 0
            return max(1, int(policy.lockout_seconds - (now - recent[policy.max_failures - 1])))

    def failed(self, email: str) -> None:
        with self._lock:
            self._failures.setdefault(email.lower(), []).append(time.monotonic())

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(email.lower(), None)


def _attempts(ctx: Ctx) -> LoginAttempts:
    holder = ctx.request.app.state
    with _CREATE:
        attempts = getattr(holder, "web_login_attempts", None)
        if attempts is None:
            attempts = LoginAttempts()
            holder.web_login_attempts = attempts
    assert isinstance(attempts, LoginAttempts)  # noqa: S101 (only set here)
    return attempts


_CREATE = threading.Lock()


@page("/login", methods=("POST",), public=True)
def login(ctx: Ctx) -> Response:
    email, password = ctx.value("email"), ctx.form.get("password", [""])[0]
    target = safe_next(ctx.value("next"))
    attempts, policy = _attempts(ctx), _policy(ctx)
    paused = attempts.paused_for(email, policy) if email else 0
    if paused:
        minutes = -(-paused // 60)
        error = ctx.t("login.paused", minutes=minutes)
        return ctx.render("login.html", status=429, email=email, error=error, next=target)
    # The API's throttle too (per client and per account, failures of either surface count),
    # so one client cannot guess through many accounts' e-mails.
    throttled = login_throttle_keys(
        peer_address(ctx.request, ctx.state.settings.trusted_proxy_hops), email
    )
    if not ctx.state.login_failures.allows(*throttled):
        error = ctx.t("login.throttled")
        return ctx.render("login.html", status=429, email=email, error=error, next=target)
    tokens = _login(ctx, email, password) if email and password else None
    if tokens is None:
        if email:
            attempts.failed(email)
        ctx.state.login_failures.failed(*throttled)
        return ctx.render(
            "login.html", status=401, email=email, error=ctx.t("login.failed"), next=target
        )
    attempts.succeeded(email)
    claims = ctx.state.signer.verify(tokens.access_token)
    assert claims is not None  # noqa: S101 (just issued)
    ctx.session = logged_in(
        login_id=tokens.login_id,
        operator_id=claims.operator_id,
        account_id=claims.account_id,
        email=claims.email,
    )
    return ctx.redirect(target)


@page("/logout", methods=("POST",), public=True)
def logout(ctx: Ctx) -> Response:
    login_id = ctx.session.login_id
    if login_id is not None:
        ctx.state.write(lambda s: accounts.end_login(s, login_id=login_id))
    ctx.session = anonymous().with_flash("login.logged_out")
    return ctx.redirect("/login")


@page("/password")
def password_form(ctx: Ctx) -> Response:
    return ctx.render("password.html", errors=FormErrors())


@page("/password", methods=("POST",))
def change_password(ctx: Ctx) -> Response:
    current = ctx.form.get("current_password", [""])[0]
    new = ctx.form.get("new_password", [""])[0]
    confirm = ctx.form.get("confirm_password", [""])[0]
    errors = FormErrors()
    policy_error = password_policy_error(new)
    if policy_error is not None:
        errors.add("new_password", policy_error)
    elif new != confirm:
        errors.add("confirm_password", ctx.t("password.mismatch"))
    if errors:
        return ctx.render("password.html", status=400, errors=errors)
    account_id = ctx.session.account_id
    assert account_id is not None  # noqa: S101 (logged in)

    def change(session: Session) -> bool:
        # The current password is checked by a login, so failures count toward the lockout.
        tokens = accounts.login(
            session,
            email=ctx.session.email,
            password=current,
            signer=ctx.state.signer,
            policy=_policy(ctx),
        )
        if tokens is None:
            return False
        accounts.change_password(session, account_id=account_id, new_password=new)
        return True

    if not ctx.state.write(change):
        errors.add("current_password", ctx.t("password.wrong"))
        return ctx.render("password.html", status=400, errors=errors)
    # Changing the password ends every login, this one too: log in again with the new one.
    ctx.session = anonymous().with_flash("password.changed")
    return ctx.redirect("/login")


@page("/language", methods=("POST",), public=True)
def switch_language(ctx: Ctx) -> Response:
    lang = ctx.value("lang")
    response = ctx.redirect(safe_next(ctx.value("next")))
    if lang in i18n.LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/"
        )
    return response
