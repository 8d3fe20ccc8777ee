"""Issuing passports: one battery or a whole production run in one call and one transaction,
publishing them, and changing a passport's item-level data.

A batch writes its passports and their first versions with set-based inserts, in chunks, and
reports progress after each chunk; nothing of it is stored if any battery is refused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.ids import new_id
from battrace.passport import composing, history
from battrace.passport.access import access_group
from battrace.passport.battery_models import get_own_model
from battrace.passport.document import PassportDocument
from battrace.passport.identifiers import BatteryIdentifier, battery_identifier
from battrace.passport.models import (
    BatteryCategory,
    BatteryModel,
    BatteryStatus,
    Passport,
    PassportBatch,
    PassportVersion,
    Publication,
)
from battrace.passport.values import check_document, check_sections, merged
from battrace.store import bulk, version
from battrace.store.base import utcnow

MAX_BATCH = 100_000
CHUNK = 2_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NewBattery:
    """One battery to issue a passport for: a serial (with the model's or its own GTIN) or
    an ISO/IEC 15459 identifier, and optional item-level data."""

    serial: str | None = None
    gtin: str | None = None
    identifier: str | None = None
    data: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class IssuedBatch:
    batch: PassportBatch
    passport_ids: tuple[uuid.UUID, ...]


def field_change(path: str, before: object, after: object) -> dict[str, Any]:
    """A change of one field, named by its attribute path (`general.status`)."""
    return history.change(path, access_group(path), before, after)


def identify(battery: NewBattery, *, default_gtin: str | None, field: str) -> BatteryIdentifier:
    try:
        if battery.identifier is not None and battery.serial is None:
            return battery_identifier(identifier=battery.identifier)
        return battery_identifier(gtin=battery.gtin or default_gtin, serial=battery.serial)
    except InvalidRequest as exc:
        raise InvalidRequest(f"{field}.{exc.message}") from None


def taken_identifiers(session: Session, texts: Sequence[str]) -> set[str]:
    """Which of these battery identifiers some passport already carries."""
    taken: set[str] = set()
    for start in range(0, len(texts), 500):
        chunk = texts[start : start + 500]
        taken.update(
            session.scalars(
                select(Passport.battery_identifier).where(Passport.battery_identifier.in_(chunk))
            )
        )
    return taken


class _Digests:
    """Change digests kept for one batch: its passports share every change but the battery
    identifier (the same category, status, publication, operator and, mostly, item data)."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    def of(self, change: Mapping[str, Any], shared: bool) -> str:
        if not shared:
            return history.change_digest(change)
        key = json.dumps(change, sort_keys=True, default=str)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = history.change_digest(change)
        return found


def _first_version(
    passport: Mapping[str, Any],
    *,
    actor: uuid.UUID,
    account: uuid.UUID | None,
    at: datetime,
    digests: _Digests,
) -> dict[str, Any]:
    changes = [
        field_change("general.batteryIdentifier", None, passport["battery_identifier"]),
        field_change("general.category", None, passport["category"].value),
        field_change("general.status", None, passport["status"].value),
        field_change("passport.publication", None, passport["publication"].value),
        field_change("general.responsibleOperator", None, str(passport["responsible_operator_id"])),
        *history.diff_document({}, passport["data"]),
    ]
    first = history.version_values(
        subject_id=passport["id"],
        number=1,
        previous_hash=history.GENESIS,
        actor=actor,
        account=account,
        action="issue",
        reason=None,
        changes=changes,
        at=at,
        digests=[digests.of(change, index > 0) for index, change in enumerate(changes)],
    )
    passport_row = dict(passport)
    passport_row["version"], passport_row["head_hash"] = 1, first["hash"]
    return {"passport": passport_row, "version": first}


def check_item(
    model: BatteryModel | None,
    data: Mapping[str, Any],
    *,
    category: BatteryCategory,
    field: str = "data",
) -> None:
    """Refuse item data that makes the battery's document invalid (every problem by path)."""
    document = PassportDocument.compose(model.data if model else {}, data).with_values(
        composing.identity_values(
            passport_id=uuid.UUID(int=0),
            battery_identifier="CHECK",
            category=category,
            status=BatteryStatus.ORIGINAL.value,
            model=model,
        )
    )
    check_document(document, subject=field)


def create_batch(
    session: Session,
    *,
    caller: uuid.UUID,
    model_id: uuid.UUID,
    batteries: Sequence[NewBattery],
    label: str = "",
    publish: bool = False,
    account: uuid.UUID | None = None,
    progress: Progress | None = None,
) -> IssuedBatch:
    """Issue an original passport for every battery of a production run of one model."""
    model = get_own_model(session, caller=caller, model_id=model_id)
    if not batteries:
        raise InvalidRequest("batteries: give at least one battery.")
    if len(batteries) > MAX_BATCH:
        raise InvalidRequest(f"batteries: at most {MAX_BATCH} in one batch.")
    identifiers = [
        identify(each, default_gtin=model.gtin, field=f"batteries[{index}]")
        for index, each in enumerate(batteries)
    ]
    item_data = [
        check_sections(each.data, field=f"batteries[{index}].data")
        for index, each in enumerate(batteries)
    ]
    checked: set[str] = set()
    for index, data in enumerate(item_data):
        canonical = json.dumps(data, sort_keys=True)
        if canonical not in checked:  # a production run repeats the same few item values
            check_item(model, data, category=model.category, field=f"batteries[{index}].data")
            checked.add(canonical)
    seen: set[str] = set()
    for index, identifier in enumerate(identifiers):
        if identifier.text in seen:
            raise InvalidRequest(f"batteries[{index}]: {identifier.text} is given twice.")
        seen.add(identifier.text)
    taken = taken_identifiers(session, [each.text for each in identifiers])
    if taken:
        raise InvalidRequest(
            f"batteries: a passport already exists for {', '.join(sorted(taken)[:5])}."
        )
    now = utcnow()
    batch = PassportBatch(
        id=new_id(),
        operator_id=caller,
        model_id=model.id,
        label=label.strip()[:128] or now.strftime("%Y-%m-%d %H:%M"),
        size=len(batteries),
        created_at=now,
    )
    session.add(batch)
    session.flush()
    publication = Publication.ACTIVE if publish else Publication.DRAFT
    ids: list[uuid.UUID] = []
    digests = _Digests()
    for start in range(0, len(batteries), CHUNK):
        rows = [
            _first_version(
                _passport_row(model, batch.id, identifier, data, caller, publication, now),
                actor=caller,
                account=account,
                at=now,
                digests=digests,
            )
            for identifier, data in zip(
                identifiers[start : start + CHUNK], item_data[start : start + CHUNK], strict=True
            )
        ]
        bulk.insert_rows(session, Passport.__table__, [row["passport"] for row in rows])
        bulk.insert_rows(session, PassportVersion.__table__, [row["version"] for row in rows])
        ids.extend(row["passport"]["id"] for row in rows)
        if progress is not None:
            progress(len(ids), len(batteries))
    version.touch(session, [caller])  # the rows went in below the ORM's notice
    record_event(
        session,
        action=AuditAction.PASSPORT_ISSUE_BATCH,
        actor=caller,
        target_type="passport-batch",
        target_id=batch.id,
        change={"model": str(model.id), "size": len(ids), "publication": publication.value},
    )
    return IssuedBatch(batch, tuple(ids))


def _passport_row(
    model: BatteryModel,
    batch_id: uuid.UUID,
    identifier: BatteryIdentifier,
    data: dict[str, Any],
    caller: uuid.UUID,
    publication: Publication,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "responsible_operator_id": caller,
        "issuer_operator_id": caller,
        "model_id": model.id,
        "batch_id": batch_id,
        "battery_identifier": identifier.text,
        "gtin": identifier.gtin,
        "serial": identifier.serial,
        "category": model.category,
        "status": BatteryStatus.ORIGINAL,
        "publication": publication,
        "data": data,
        "created_at": now,
        "updated_at": now,
        "ended_at": None,
    }


def create_passport(
    session: Session,
    *,
    caller: uuid.UUID,
    model_id: uuid.UUID,
    battery: NewBattery,
    publish: bool = False,
    account: uuid.UUID | None = None,
) -> Passport:
    """Issue one original passport (a batch of one)."""
    issued = create_batch(
        session,
        caller=caller,
        model_id=model_id,
        batteries=[battery],
        publish=publish,
        account=account,
    )
    passport = session.get(Passport, issued.passport_ids[0])
    assert passport is not None  # noqa: S101 (just inserted)
    return passport


def own_passport(session: Session, *, caller: uuid.UUID, passport_id: uuid.UUID) -> Passport:
    """A passport the caller is responsible for, locked for the change. Raises NotFound."""
    passport = session.get(Passport, passport_id, with_for_update=True)
    if passport is None or passport.responsible_operator_id != caller:
        raise NotFound(f"passportId: no passport {passport_id} you are responsible for.")
    return passport


def writable(passport: Passport) -> Passport:
    if passport.ended_at is not None:
        raise InvalidRequest("passportId: the battery was recycled; its passport has ended.")
    if passport.publication == Publication.ARCHIVED:
        raise InvalidRequest("passportId: the passport is archived (a successor replaced it).")
    return passport


def update_passport(
    session: Session,
    *,
    caller: uuid.UUID,
    passport_id: uuid.UUID,
    data: Mapping[str, Any],
    reason: str | None = None,
    account: uuid.UUID | None = None,
) -> Passport:
    """Set (None removes) item-level attributes of one of the caller's passports."""
    passport = writable(own_passport(session, caller=caller, passport_id=passport_id))
    after = merged(passport.data, check_sections(data))
    changes = history.diff_document(passport.data, after)
    if changes:
        model = session.get(BatteryModel, passport.model_id) if passport.model_id else None
        check_item(model, after, category=passport.category)
        now = utcnow()
        passport.data = after
        passport.updated_at = now
        history.record(
            session,
            passport,
            actor=caller,
            account=account,
            action="update",
            reason=reason,
            changes=changes,
            at=now,
        )
    return passport


def publish(
    session: Session,
    *,
    caller: uuid.UUID,
    passport_ids: Sequence[uuid.UUID],
    account: uuid.UUID | None = None,
) -> int:
    """Make draft passports of the caller's public; returns how many changed."""
    changed = 0
    now = utcnow()
    for start in range(0, len(passport_ids), 500):
        chunk = list(passport_ids[start : start + 500])
        found = session.scalars(
            select(Passport)
            .where(Passport.id.in_(chunk), Passport.responsible_operator_id == caller)
            .with_for_update()
        ).all()
        missing = set(chunk) - {each.id for each in found}
        if missing:
            raise NotFound(f"passportIds: no passport {min(missing)} you are responsible for.")
        for passport in found:
            if passport.publication != Publication.DRAFT:
                continue
            passport.publication = Publication.ACTIVE
            passport.updated_at = now
            history.record(
                session,
                passport,
                actor=caller,
                account=account,
                action="publish",
                changes=[field_change("passport.publication", "draft", "active")],
                at=now,
            )
            changed += 1
    return changed


def publish_batch(
    session: Session,
    *,
    caller: uuid.UUID,
    batch_id: uuid.UUID,
    account: uuid.UUID | None = None,
) -> int:
    """Publish every draft of one of the caller's batches."""
    ids = batch_passport_ids(session, caller=caller, batch_id=batch_id)
    return publish(session, caller=caller, passport_ids=ids, account=account)


def batch_passport_ids(
    session: Session, *, caller: uuid.UUID, batch_id: uuid.UUID
) -> list[uuid.UUID]:
    batch = session.get(PassportBatch, batch_id)
    if batch is None or batch.operator_id != caller:
        raise NotFound(f"batchId: no batch {batch_id} of yours.")
    return list(
        session.scalars(
            select(Passport.id).where(Passport.batch_id == batch_id).order_by(Passport.serial)
        )
    )


__all__ = [
    "IssuedBatch",
    "NewBattery",
    "batch_passport_ids",
    "create_batch",
    "create_passport",
    "field_change",
    "own_passport",
    "publish",
    "publish_batch",
    "update_passport",
    "writable",
]
