"""Who reads what of a passport (Art. 77(2), Annex XIII), decided here and nowhere else.

A reader has one role per passport (`catalogue.Reader`, called `Role` here): the public, a
person with a legitimate interest (an operator the responsible operator granted access to,
see `grants`), an authority (an account with the `authority` role) or the responsible
operator. Which access groups each role reads, and each attribute's group, is the catalogue's
`AccessPolicy` (configurable: the implementing act defining legitimate interest is not adopted);
which interests a grant may name is `DEFAULT_INTERESTS` (configurable per call).

`access_group(path)` is the one place an attribute's group is looked up.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from battrace.identity.accounts import account_role
from battrace.identity.models import AccountRole
from battrace.passport.catalogue import AccessGroup, AccessPolicy, Section, find
from battrace.passport.catalogue import Reader as Role

SECTIONS = tuple(section.value for section in Section)
DEFAULT_POLICY = AccessPolicy.default()

# The passport's own fields that are not Annex XIII attributes but appear in its history.
_OWN_FIELDS: Mapping[str, AccessGroup] = {
    "passport.publication": AccessGroup.PUBLIC,
    "passport.successor": AccessGroup.PUBLIC,
    "passport.endedAt": AccessGroup.PUBLIC,
}


def access_group(path: str, policy: AccessPolicy = DEFAULT_POLICY) -> AccessGroup:
    """The access group of one attribute path (`section.key`). A path the catalogue does not
    know is legitimate interest: never public by accident."""
    if path in _OWN_FIELDS:
        return _OWN_FIELDS[path]
    if find(path) is not None:
        return policy.group_of(path)
    return AccessGroup.LEGITIMATE_INTEREST


def reads(role: Role, group: AccessGroup, policy: AccessPolicy = DEFAULT_POLICY) -> bool:
    return group in policy.groups_for(role)


def can_read(role: Role, path: str, policy: AccessPolicy = DEFAULT_POLICY) -> bool:
    return reads(role, access_group(path, policy), policy)


DEFAULT_INTERESTS = frozenset(
    {"owner", "repairer", "reuser", "repurposer", "remanufacturer", "recycler", "customer"}
)
# Interests that let a grantee prepare the battery for its next life (make a successor).
LIFECYCLE_INTERESTS = frozenset({"reuser", "repurposer", "remanufacturer"})


@dataclass(frozen=True)
class Reader:
    """Who is reading: no operator for the public; `authority` for an authority's account."""

    operator_id: uuid.UUID | None = None
    authority: bool = False


PUBLIC_READER = Reader()


def reader_for(session: Session, *, operator_id: uuid.UUID, account_id: uuid.UUID | None) -> Reader:
    """The reader behind a verified login (its account's role decides `authority`)."""
    is_authority = account_id is not None and (
        account_role(session, account_id) == AccountRole.AUTHORITY
    )
    return Reader(operator_id=operator_id, authority=is_authority)


def filter_document(
    data: Mapping[str, Any], role: Role, policy: AccessPolicy = DEFAULT_POLICY
) -> dict[str, dict[str, Any]]:
    """The sections of a `{section: {key: value}}` document this role may read; sections
    left empty go."""
    shown: dict[str, dict[str, Any]] = {}
    for section, values in data.items():
        if not isinstance(values, Mapping):
            continue
        kept = {
            name: value
            for name, value in values.items()
            if can_read(role, f"{section}.{name}", policy)
        }
        if kept:
            shown[section] = kept
    return shown


def role_by_facts(reader: Reader, *, responsible_operator_id: uuid.UUID, has_grant: bool) -> Role:
    """The reader's role, given whether it holds a valid legitimate-interest grant."""
    if reader.operator_id is not None and reader.operator_id == responsible_operator_id:
        return Role.RESPONSIBLE_OPERATOR
    if reader.authority:
        return Role.AUTHORITY
    if has_grant:
        return Role.LEGITIMATE_INTEREST
    return Role.PUBLIC


def grant_is_valid(
    *,
    valid_from: datetime,
    valid_until: datetime | None,
    revoked_at: datetime | None,
    interest: str,
    now: datetime,
    interests: frozenset[str] = DEFAULT_INTERESTS,
) -> bool:
    return (
        revoked_at is None
        and valid_from <= now
        and (valid_until is None or now < valid_until)
        and interest in interests
    )


__all__ = [
    "DEFAULT_INTERESTS",
    "DEFAULT_POLICY",
    "LIFECYCLE_INTERESTS",
    "PUBLIC_READER",
    "SECTIONS",
    "AccessGroup",
    "AccessPolicy",
    "Reader",
    "Role",
    "access_group",
    "can_read",
    "filter_document",
    "grant_is_valid",
    "reader_for",
    "reads",
    "role_by_facts",
]
