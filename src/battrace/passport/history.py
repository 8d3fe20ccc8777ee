"""Passport and model history: every change is a new version (who, when, what, why), and the
versions form a hash chain.

Each change `{path, group, before, after}` has its own SHA-256 digest; a version's hash covers
its number, time, actor, action, reason, the list of change digests and the previous version's
hash. A reader is shown the changes its role may read and only the digests of the others, so
anyone holding a copy, whatever its role, can recompute every hash (`verify_chain`) and see
that no earlier version was altered; nobody learns a hidden value from it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.passport.access import (
    DEFAULT_POLICY,
    AccessGroup,
    AccessPolicy,
    Role,
    access_group,
    reads,
)
from battrace.passport.models import BatteryModel, Passport, PassportVersion

GENESIS = "0" * 64


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def change_digest(change: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical(dict(change))).hexdigest()


def version_hash(
    *,
    subject_id: str,
    number: int,
    recorded_at: str,
    actor: str,
    action: str,
    reason: str | None,
    change_digests: Sequence[str],
    previous_hash: str,
) -> str:
    head = {
        "subject": subject_id,
        "number": number,
        "recordedAt": recorded_at,
        "actor": actor,
        "action": action,
        "reason": reason,
        "changes": list(change_digests),
        "previous": previous_hash,
    }
    return hashlib.sha256(_canonical(head)).hexdigest()


def change(path: str, group: AccessGroup, before: object, after: object) -> dict[str, Any]:
    return {"path": path, "group": group.value, "before": before, "after": after}


def diff_document(
    before: Mapping[str, Any], after: Mapping[str, Any], *, prefix: str = ""
) -> list[dict[str, Any]]:
    """The attribute changes between two `{section: {attribute: value}}` documents."""
    changes = []
    for section in sorted(set(before) | set(after)):
        old = before.get(section) or {}
        new = after.get(section) or {}
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                changes.append(
                    change(
                        f"{prefix}{section}.{name}",
                        access_group(f"{section}.{name}"),
                        old.get(name),
                        new.get(name),
                    )
                )
    return changes


# A versioned subject carries its id, its version number and its head hash.
Versioned = Passport | BatteryModel


def version_values(
    *,
    subject_id: uuid.UUID,
    number: int,
    previous_hash: str,
    actor: uuid.UUID,
    account: uuid.UUID | None,
    action: str,
    reason: str | None,
    changes: Sequence[Mapping[str, Any]],
    at: datetime,
    digests: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The column values of a subject's version `number` after the one hashed
    `previous_hash` (pure: a batch builds thousands of them as plain rows). `digests`: the
    changes' digests if the caller has them (a batch repeats most of its changes)."""
    digests = [change_digest(each) for each in changes] if digests is None else list(digests)
    digest = version_hash(
        subject_id=str(subject_id),
        number=number,
        recorded_at=at.isoformat(),
        actor=str(actor),
        action=action,
        reason=reason,
        change_digests=digests,
        previous_hash=previous_hash,
    )
    return {
        "subject_id": subject_id,
        "number": number,
        "recorded_at": at,
        "actor_operator_id": actor,
        "actor_account_id": account,
        "action": action,
        "reason": reason,
        "changes": [dict(each) for each in changes],
        "change_digests": digests,
        "previous_hash": previous_hash,
        "hash": digest,
    }


def new_version(
    subject: Versioned,
    *,
    actor: uuid.UUID,
    account: uuid.UUID | None,
    action: str,
    reason: str | None,
    changes: Sequence[Mapping[str, Any]],
    at: datetime,
) -> PassportVersion:
    """The next version of `subject` (added by the caller); advances its number and head."""
    values = version_values(
        subject_id=subject.id,
        number=subject.version + 1,
        previous_hash=subject.head_hash or GENESIS,
        actor=actor,
        account=account,
        action=action,
        reason=reason,
        changes=changes,
        at=at,
    )
    subject.version = values["number"]
    subject.head_hash = values["hash"]
    return PassportVersion(**values)


def record(
    session: Session,
    subject: Versioned,
    *,
    actor: uuid.UUID,
    account: uuid.UUID | None = None,
    action: str,
    reason: str | None = None,
    changes: Sequence[Mapping[str, Any]],
    at: datetime,
) -> PassportVersion:
    version = new_version(
        subject, actor=actor, account=account, action=action, reason=reason, changes=changes, at=at
    )
    session.add(version)
    return version


@dataclass(frozen=True)
class VersionView:
    """One version as a reader sees it: hidden changes only as their digests."""

    subject_id: uuid.UUID
    number: int
    recorded_at: datetime
    actor_operator_id: uuid.UUID
    action: str
    reason: str | None
    changes: tuple[Mapping[str, Any], ...]  # the readable ones, each with its digest
    change_digests: tuple[str, ...]
    previous_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "subjectId": str(self.subject_id),
            "number": self.number,
            "recordedAt": self.recorded_at.isoformat(),
            "actorOperatorId": str(self.actor_operator_id),
            "action": self.action,
            "reason": self.reason,
            "changes": [dict(each) for each in self.changes],
            "changeDigests": list(self.change_digests),
            "previousHash": self.previous_hash,
            "hash": self.hash,
        }


def versions_of(
    session: Session, subject_id: uuid.UUID, role: Role, policy: AccessPolicy = DEFAULT_POLICY
) -> list[VersionView]:
    """The subject's versions, oldest first, filtered for a reader of `role` (already
    entitled to see the subject)."""
    rows = session.scalars(
        select(PassportVersion)
        .where(PassportVersion.subject_id == subject_id)
        .order_by(PassportVersion.number)
    ).all()
    views = []
    for row in rows:
        shown = tuple(
            {**each, "digest": digest}
            for each, digest in zip(row.changes, row.change_digests, strict=True)
            if reads(role, AccessGroup(each["group"]), policy)
        )
        views.append(
            VersionView(
                subject_id=row.subject_id,
                number=row.number,
                recorded_at=row.recorded_at,
                actor_operator_id=row.actor_operator_id,
                action=row.action,
                reason=row.reason,
                changes=shown,
                change_digests=tuple(row.change_digests),
                previous_hash=row.previous_hash,
                hash=row.hash,
            )
        )
    return views


def verify_chain(versions: Sequence[Mapping[str, Any]]) -> list[str]:
    """Problems found in a copy of a history (`VersionView.to_dict` items, oldest first);
    empty when every hash and every shown change checks out."""
    problems = []
    previous = GENESIS
    for index, version in enumerate(versions, start=1):
        number = version.get("number")
        if number != index:
            problems.append(f"version {index}: numbered {number}")
        if version.get("previousHash") != previous:
            problems.append(f"version {index}: does not follow the version before")
        digests = list(version.get("changeDigests") or [])
        for shown in version.get("changes") or []:
            body = {key: value for key, value in shown.items() if key != "digest"}
            if change_digest(body) not in digests:
                problems.append(f"version {index}: change {body.get('path')} was altered")
        expected = version_hash(
            subject_id=str(version.get("subjectId")),
            number=int(number or 0),
            recorded_at=str(version.get("recordedAt")),
            actor=str(version.get("actorOperatorId")),
            action=str(version.get("action")),
            reason=version.get("reason"),
            change_digests=digests,
            previous_hash=str(version.get("previousHash")),
        )
        if expected != version.get("hash"):
            problems.append(f"version {index}: hash does not match its content")
        previous = str(version.get("hash"))
    return problems


__all__ = [
    "GENESIS",
    "VersionView",
    "change",
    "change_digest",
    "diff_document",
    "new_version",
    "record",
    "verify_chain",
    "versions_of",
]
