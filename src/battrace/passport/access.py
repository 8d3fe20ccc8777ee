"""Who reads what of a passport (Art. 77(2), Annex XIII), decided here and nowhere else.

Every attribute belongs to one access group: `public` (Annex XIII point 1), `legitimateInterest`
(points 2 and 4: persons with a legitimate interest and the Commission) or
`notifiedBodiesAndAuthorities` (point 3). A reader has one role per passport: the public,
a person with a legitimate interest (an operator the responsible operator granted access to,
see `grants`), an authority (an account with the `authority` role) or the responsible
operator. `AccessPolicy` says which groups each role reads and which interests count as
legitimate: the implementing act that defines them is not adopted, so both are configurable.

`access_group(section, attribute)` is the one place an attribute's group is looked up.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from battrace.identity.accounts import account_role
from battrace.identity.models import AccountRole


class AccessGroup(enum.StrEnum):
    """The Commission guidance's access tiers."""

    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimateInterest"
    AUTHORITIES = "notifiedBodiesAndAuthorities"


class Role(enum.StrEnum):
    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimate-interest"
    AUTHORITY = "authority"
    RESPONSIBLE = "responsible"


# The Annex XIII sections a passport document groups its attributes into.
SECTIONS = (
    "general",
    "labels",
    "carbon_footprint",
    "due_diligence",
    "materials",
    "circularity",
    "performance",
)

# The group of each section, and the attributes whose group differs from their section's
# (Annex XIII point 2: detailed composition, part numbers, spare-part sources, dismantling,
# safety; point 3: test reports). Point 4 (the individual battery's state) is the dynamic data
# and the status, which `readings` and the passport's own fields carry.
# `passport` names the passport's own fields (identifiers, responsible operator, status).
_SECTION_GROUP: Mapping[str, AccessGroup] = dict.fromkeys(
    (*SECTIONS, "passport"), AccessGroup.PUBLIC
)
_ATTRIBUTE_GROUP: Mapping[tuple[str, str], AccessGroup] = {
    ("materials", "detailed_composition"): AccessGroup.LEGITIMATE_INTEREST,
    ("materials", "cathode_composition"): AccessGroup.LEGITIMATE_INTEREST,
    ("materials", "anode_composition"): AccessGroup.LEGITIMATE_INTEREST,
    ("materials", "electrolyte_composition"): AccessGroup.LEGITIMATE_INTEREST,
    ("circularity", "part_numbers"): AccessGroup.LEGITIMATE_INTEREST,
    ("circularity", "spare_parts_sources"): AccessGroup.LEGITIMATE_INTEREST,
    ("circularity", "dismantling_information"): AccessGroup.LEGITIMATE_INTEREST,
    ("circularity", "safety_measures"): AccessGroup.LEGITIMATE_INTEREST,
    ("labels", "test_reports"): AccessGroup.AUTHORITIES,
    ("performance", "dynamic"): AccessGroup.LEGITIMATE_INTEREST,
    ("passport", "status"): AccessGroup.LEGITIMATE_INTEREST,
}


def access_group(section: str, attribute: str) -> AccessGroup:
    """The access group of one attribute. Unknown attributes are the strictest group that
    still reaches the persons the passport is for: legitimate interest, never public."""
    found = _ATTRIBUTE_GROUP.get((section, attribute))
    if found is not None:
        return found
    if section in _SECTION_GROUP and not attribute.startswith("_"):
        return _SECTION_GROUP[section]
    return AccessGroup.LEGITIMATE_INTEREST


DEFAULT_INTERESTS = frozenset(
    {"owner", "repairer", "reuser", "repurposer", "remanufacturer", "recycler", "customer"}
)
# Interests that let a grantee prepare the battery for its next life (make a successor).
LIFECYCLE_INTERESTS = frozenset({"reuser", "repurposer", "remanufacturer"})


def _default_groups() -> Mapping[Role, frozenset[AccessGroup]]:
    every = frozenset(AccessGroup)
    return {
        Role.PUBLIC: frozenset({AccessGroup.PUBLIC}),
        Role.LEGITIMATE_INTEREST: frozenset({AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST}),
        Role.AUTHORITY: every,
        Role.RESPONSIBLE: every,
    }


@dataclass(frozen=True)
class AccessPolicy:
    """Which interests count as legitimate and which groups each role reads."""

    interests: frozenset[str] = DEFAULT_INTERESTS
    groups: Mapping[Role, frozenset[AccessGroup]] = field(default_factory=_default_groups)

    def reads(self, role: Role, group: AccessGroup) -> bool:
        return group in self.groups.get(role, frozenset())


DEFAULT_POLICY = AccessPolicy()


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
    """The sections of a passport document this role may read; sections left empty go."""
    shown: dict[str, dict[str, Any]] = {}
    for section, values in data.items():
        if not isinstance(values, Mapping):
            continue
        kept = {
            name: value
            for name, value in values.items()
            if policy.reads(role, access_group(section, name))
        }
        if kept:
            shown[section] = kept
    return shown


def role_by_facts(reader: Reader, *, responsible_operator_id: uuid.UUID, has_grant: bool) -> Role:
    """The reader's role, given whether it holds a valid legitimate-interest grant."""
    if reader.operator_id is not None and reader.operator_id == responsible_operator_id:
        return Role.RESPONSIBLE
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
    policy: AccessPolicy = DEFAULT_POLICY,
) -> bool:
    return (
        revoked_at is None
        and valid_from <= now
        and (valid_until is None or now < valid_until)
        and interest in policy.interests
    )


__all__ = [
    "DEFAULT_POLICY",
    "LIFECYCLE_INTERESTS",
    "PUBLIC_READER",
    "SECTIONS",
    "AccessGroup",
    "AccessPolicy",
    "Reader",
    "Role",
    "access_group",
    "filter_document",
    "grant_is_valid",
    "reader_for",
    "role_by_facts",
]
