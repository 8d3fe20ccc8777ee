"""Identity tables: operators (companies), their accounts and plants, API keys, refresh tokens.

Passwords, API keys and refresh tokens are stored only as hashes.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from battrace.ids import PlantId
from battrace.store.base import ModelBase, str_enum, utcnow


class ApplicationAttribute(enum.StrEnum):
    """Who an API key was issued to (contract `application_attribute`)."""

    APPLICATION = "Application"
    DATA_SPACE = "DataSpace"
    TRACEABILITY = "Traceability"


class AccountRole(enum.StrEnum):
    """What an account may do beyond its operator's own data. `authority`: a notified body, a
    market surveillance authority or the Commission, who read the passport's restricted data."""

    MEMBER = "member"
    AUTHORITY = "authority"


class Operator(ModelBase):
    __tablename__ = "operators"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, comment="operatorId (internal)")
    name: Mapped[str] = mapped_column(String(256))
    address: Mapped[str] = mapped_column(String(256))
    open_operator_id: Mapped[str] = mapped_column(
        String(20), unique=True, comment="public id, the Japanese corporate number"
    )
    global_operator_id: Mapped[str | None] = mapped_column(String(256), unique=True)
    # The company's own choice: listed (name and corporate number) in the directory others
    # pick a supplier from. Not listed until it says so.
    listed_in_directory: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Account(ModelBase):
    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), index=True)
    email: Mapped[str] = mapped_column(String(256), unique=True, comment="operatorAccountId")
    password_hash: Mapped[str] = mapped_column(String(256), comment="argon2id")
    role: Mapped[AccountRole] = mapped_column(
        str_enum(AccountRole), default=AccountRole.MEMBER, server_default=AccountRole.MEMBER.value
    )
    failed_logins: Mapped[int] = mapped_column(default=0)
    # Raised by logout and a password change: access tokens of an older generation are refused.
    token_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(ModelBase):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 hex of the key")
    key_prefix: Mapped[str] = mapped_column(String(16), comment="first characters, for display")
    application_name: Mapped[str] = mapped_column(String(256))
    application_attribute: Mapped[ApplicationAttribute] = mapped_column(
        str_enum(ApplicationAttribute)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class ApiKeyCidr(ModelBase):
    """Client address ranges an API key may be used from; none listed = any address."""

    __tablename__ = "api_key_cidrs"

    api_key_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    cidr: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiKeyOperator(ModelBase):
    """Operators bound to an API key; a key with no binding may serve any operator."""

    __tablename__ = "api_key_operators"

    api_key_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)


class RefreshToken(ModelBase):
    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Plant(ModelBase):
    __tablename__ = "plants"
    __table_args__ = (
        UniqueConstraint("operator_id", "open_plant_id"),
        UniqueConstraint("operator_id", "global_plant_id"),
        Index("ix_plants_id", "id", unique=True),
    )

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    id: Mapped[PlantId] = mapped_column(primary_key=True, comment="plantId")
    name: Mapped[str] = mapped_column(String(256))
    address: Mapped[str] = mapped_column(String(256))
    open_plant_id: Mapped[str] = mapped_column(String(26))
    global_plant_id: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ServerSecret(ModelBase):
    """Secrets shared by every worker over this database (the token signing key)."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SigningKey(ModelBase):
    """An operator's Ed25519 key for signing values that leave the company (`identity.signing`).

    Retired keys stay, public half published, so that values signed before a rotation still
    verify."""

    __tablename__ = "signing_keys"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operators.id"), primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_key: Mapped[str] = mapped_column(
        Text, comment="raw Ed25519 seed, base64url, sealed (identity.sealing)"
    )
    public_key: Mapped[str] = mapped_column(String(64), comment="raw public key, base64url")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


__all__ = [
    "Account",
    "AccountRole",
    "ApiKey",
    "ApiKeyCidr",
    "ApiKeyOperator",
    "ApplicationAttribute",
    "Operator",
    "Plant",
    "RefreshToken",
    "ServerSecret",
    "SigningKey",
]
