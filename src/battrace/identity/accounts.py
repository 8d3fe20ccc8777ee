"""Accounts: login, token refresh, password change, and creating accounts (CLI, seeds).

Login failures are counted per account, by one atomic update (parallel guesses cannot lose
a count); `max_failures` in a row lock the account for a while (the reference IdP does the
same). Every failure answers the same "Invalid credentials", so the API tells nobody which
accounts exist.

Access tokens carry the account's token generation; logout and a password change raise it,
which revokes every access token issued before (`token_generation` is what verification
compares against).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import AccessDenied, InvalidRequest, NotFound, Unauthenticated
from battrace.identity import passwords
from battrace.identity.models import Account, AccountRole, Operator, RefreshToken
from battrace.identity.tokens import TokenSigner, new_opaque_token, token_hash
from battrace.ids import new_id
from battrace.store.base import utcnow

INVALID_CREDENTIALS = "Invalid credentials"
NO_PRIVILEGES = "You do not have the necessary privileges"


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    lockout_seconds: int
    refresh_ttl_seconds: int


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    login_id: uuid.UUID  # the refresh token's row: a web session rests on it


def create_account(
    session: Session,
    *,
    operator_id: uuid.UUID,
    email: str,
    password: str,
    role: AccountRole = AccountRole.MEMBER,
) -> Account:
    """Create a login for an operator. Raises NotFound (operator), InvalidRequest (email taken)."""
    if session.get(Operator, operator_id) is None:
        raise NotFound(f"operator {operator_id} does not exist")
    if session.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise InvalidRequest(f"operatorAccountId: {email} is already exists.")
    account = Account(
        id=new_id(),
        operator_id=operator_id,
        email=email,
        password_hash=passwords.hash_password(password),
        role=role,
    )
    session.add(account)
    record_event(
        session,
        action=AuditAction.ACCOUNT_CREATE,
        actor=operator_id,
        target_type="account",
        target_id=account.id,
        change={"email": email, "role": role.value},
    )
    return account


def account_role(session: Session, account_id: uuid.UUID) -> AccountRole:
    """The role of an account (a member when the account is unknown)."""
    role = session.scalar(select(Account.role).where(Account.id == account_id))
    return role or AccountRole.MEMBER


def login(
    session: Session,
    *,
    email: str,
    password: str,
    signer: TokenSigner,
    policy: LoginPolicy,
    may_serve: Callable[[uuid.UUID], bool] = lambda _operator: True,
) -> IssuedTokens | None:
    """Check a password and issue an access and a refresh token.

    Raises AccessDenied when the API key used may not serve the account's operator.

    Returns None for bad credentials, after counting the failure (so the caller commits the
    counter and answers "Invalid credentials").
    """
    account = session.scalar(select(Account).where(Account.email == email))
    now = utcnow()
    if account is not None and account.locked_until is not None and account.locked_until > now:
        passwords.verify_password(None, password)  # same cost as a real check
        return None
    if account is None or not passwords.verify_password(account.password_hash, password):
        if account is not None:
            _count_failure(session, account.id, policy, now)
        return None
    if not may_serve(account.operator_id):
        raise AccessDenied(NO_PRIVILEGES)
    account.failed_logins = 0
    account.locked_until = None
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    refresh = new_opaque_token("btr_")
    login_id = new_id()
    session.add(
        RefreshToken(
            id=login_id,
            account_id=account.id,
            token_hash=token_hash(refresh),
            issued_at=now,
            expires_at=now + timedelta(seconds=policy.refresh_ttl_seconds),
        )
    )
    access = signer.issue(
        operator_id=account.operator_id,
        account_id=account.id,
        email=email,
        generation=account.token_generation,
    )
    return IssuedTokens(access_token=access, refresh_token=refresh, login_id=login_id)


def _count_failure(
    session: Session, account_id: uuid.UUID, policy: LoginPolicy, now: datetime
) -> None:
    """One more failure, counted in the database (the row lock orders parallel guesses);
    the `max_failures`-th locks the account and starts the count again."""
    failures = Account.failed_logins + 1
    locks = failures >= policy.max_failures
    session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(
            failed_logins=case((locks, 0), else_=failures),
            locked_until=case(
                (locks, now + timedelta(seconds=policy.lockout_seconds)),
                else_=Account.locked_until,
            ),
        )
        .execution_options(synchronize_session=False)
    )


def token_generation(session: Session, account_id: uuid.UUID) -> int | None:
    """The account's current token generation (None: no such account, no token is valid)."""
    return session.scalar(select(Account.token_generation).where(Account.id == account_id))


def revoke_access_tokens(session: Session, *, account_id: uuid.UUID) -> None:
    """Every access token issued to the account so far stops being accepted."""
    session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(token_generation=Account.token_generation + 1)
        .execution_options(synchronize_session=False)
    )


def live_login(session: Session, *, login_id: uuid.UUID) -> Account | None:
    """The account of a login that is neither revoked nor expired (a web session's check:
    logout and a password change end it at once)."""
    row = session.get(RefreshToken, login_id)
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return session.get(Account, row.account_id)


def end_login(session: Session, *, login_id: uuid.UUID) -> None:
    """Revoke one login (web logout)."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == login_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def refresh_access_token(
    session: Session,
    *,
    refresh_token: str,
    signer: TokenSigner,
    may_serve: Callable[[uuid.UUID], bool] = lambda _operator: True,
) -> str:
    """A new access token for a live refresh token. Raises Unauthenticated."""
    row = session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash(refresh_token))
    )
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise Unauthenticated(INVALID_CREDENTIALS)
    account = session.get(Account, row.account_id)
    if account is None:
        raise Unauthenticated(INVALID_CREDENTIALS)
    if not may_serve(account.operator_id):
        raise AccessDenied(NO_PRIVILEGES)
    return signer.issue(
        operator_id=account.operator_id,
        account_id=account.id,
        email=account.email,
        generation=account.token_generation,
    )


def revoke_refresh_token(session: Session, *, refresh_token: str) -> uuid.UUID | None:
    """Log out: revoke one refresh token and the account's access tokens. Returns the
    account whose live token was revoked (None: no such live token, nothing changed)."""
    account_id = session.scalar(
        update(RefreshToken)
        .where(RefreshToken.token_hash == token_hash(refresh_token))
        .where(RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .returning(RefreshToken.account_id)
    )
    if account_id is not None:
        revoke_access_tokens(session, account_id=account_id)
    return account_id


def change_password(session: Session, *, account_id: uuid.UUID, new_password: str) -> None:
    """Set a new password and revoke every refresh token of the account."""
    account = session.get(Account, account_id)
    if account is None:
        raise Unauthenticated("Invalid or expired token")
    account.password_hash = passwords.hash_password(new_password)
    account.password_changed_at = utcnow()
    revoke_access_tokens(session, account_id=account_id)
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.account_id == account_id)
        .where(RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    record_event(
        session,
        action=AuditAction.ACCOUNT_PASSWORD_CHANGE,
        actor=account.operator_id,
        target_type="account",
        target_id=account_id,
        account=account_id,
    )
