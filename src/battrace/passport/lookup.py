"""Reading passports: one passport as a reader's role shows it, the resolver's look-ups (by
passport id, by GS1 GTIN + serial, by battery identifier) and the responsible operator's
search over its own passports.

A draft is seen by its responsible operator only; to everyone else it does not exist. An
ended passport (the battery was recycled) is a tombstone to the public; readers with a
legitimate interest, authorities and the last responsible operator still read the archive.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import InvalidRequest, NotFound
from battrace.identity.models import Operator
from battrace.passport import composing, readings
from battrace.passport.access import (
    DEFAULT_POLICY,
    AccessGroup,
    AccessPolicy,
    Reader,
    Role,
    can_read,
    interests_of,
    reader_for,
    reads,
)
from battrace.passport.document import PassportDocument
from battrace.passport.grants import role_of
from battrace.passport.history import VersionView, versions_of
from battrace.passport.identifiers import normalise_gtin, passport_identifier
from battrace.passport.models import (
    BatteryModel,
    BatteryStatus,
    Passport,
    PassportLink,
    Publication,
)

# Any dynamic attribute: who reads one reads them all (Annex XIII point 4).
DYNAMIC_PROBE = "performance.stateOfCharge"


@dataclass(frozen=True)
class PassportView:
    """A passport as one reader sees it. `status` is None when the role may not read it;
    `sections` merges the model's data and the battery's, filtered."""

    passport_id: uuid.UUID
    role: Role
    battery_identifier: str
    gtin: str | None
    serial: str | None
    category: str
    publication: Publication
    responsible_operator_id: uuid.UUID
    responsible_operator_name: str
    model_id: uuid.UUID | None
    model_name: str | None
    status: BatteryStatus | None
    ended_at: datetime | None
    created_at: datetime
    version: int
    head_hash: str
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    latest: dict[str, readings.LatestReading] = field(default_factory=dict)
    predecessors: tuple[uuid.UUID, ...] = ()
    successors: tuple[uuid.UUID, ...] = ()
    document: PassportDocument | None = None  # the whole visible document (None: a tombstone)

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def identifier(self) -> str:
        return passport_identifier(self.passport_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passportId": str(self.passport_id),
            "passportIdentifier": self.identifier,
            "viewedAs": self.role.value,
            "batteryIdentifier": self.battery_identifier,
            "gtin": self.gtin,
            "serial": self.serial,
            "category": self.category,
            "publication": self.publication.value,
            "status": self.status.value if self.status else None,
            "ended": self.ended,
            "endedAt": self.ended_at.isoformat() if self.ended_at else None,
            "responsibleOperator": {
                "operatorId": str(self.responsible_operator_id),
                "name": self.responsible_operator_name,
            },
            "model": {"modelId": str(self.model_id), "name": self.model_name}
            if self.model_id
            else None,
            "createdAt": self.created_at.isoformat(),
            "version": self.version,
            "headHash": self.head_hash,
            "sections": self.sections,
            "provenance": self.provenance,
            "dynamic": {name: each.to_dict() for name, each in self.latest.items()},
            "predecessors": [str(each) for each in self.predecessors],
            "successors": [str(each) for each in self.successors],
        }


def visible_passport(
    session: Session, reader: Reader, passport_id: uuid.UUID, policy: AccessPolicy = DEFAULT_POLICY
) -> tuple[Passport, Role]:
    """The passport and the reader's role, or NotFound for a draft not the reader's."""
    passport = session.get(Passport, passport_id)
    if passport is None:
        raise NotFound(f"passportId: no passport {passport_id}.")
    role = role_of(session, reader, passport, interests=interests_of(policy))
    if passport.publication == Publication.DRAFT and role != Role.RESPONSIBLE_OPERATOR:
        raise NotFound(f"passportId: no passport {passport_id}.")
    return passport, role


def view_passport(
    session: Session,
    *,
    reader: Reader,
    passport_id: uuid.UUID,
    policy: AccessPolicy = DEFAULT_POLICY,
) -> PassportView:
    """One passport as this reader's role shows it."""
    passport, role = visible_passport(session, reader, passport_id, policy)
    return _view(session, passport, role, policy)


def preview(
    session: Session,
    *,
    caller: uuid.UUID,
    passport_id: uuid.UUID,
    role: Role,
    policy: AccessPolicy = DEFAULT_POLICY,
) -> PassportView:
    """One of the caller's passports as a reader of `role` would see it (the responsible
    operator checking what the public, a person with a legitimate interest or an authority
    is shown)."""
    passport, own = visible_passport(session, Reader(operator_id=caller), passport_id, policy)
    if own != Role.RESPONSIBLE_OPERATOR:
        raise NotFound(f"passportId: no passport {passport_id} you are responsible for.")
    return _view(session, passport, role, policy)


def view_for_login(
    session: Session,
    *,
    operator_id: uuid.UUID,
    account_id: uuid.UUID | None,
    passport_id: uuid.UUID,
    policy: AccessPolicy = DEFAULT_POLICY,
) -> PassportView:
    """`view_passport` for a logged-in account (an authority's account reads as one)."""
    reader = reader_for(session, operator_id=operator_id, account_id=account_id)
    return view_passport(session, reader=reader, passport_id=passport_id, policy=policy)


def passport_history(
    session: Session,
    *,
    reader: Reader,
    passport_id: uuid.UUID,
    policy: AccessPolicy = DEFAULT_POLICY,
) -> list[VersionView]:
    """The passport's versions, each showing the changes the reader's role may read."""
    _passport, role = visible_passport(session, reader, passport_id, policy)
    return versions_of(session, passport_id, role, policy)


def reading_series(
    session: Session,
    *,
    reader: Reader,
    passport_id: uuid.UUID,
    metric: str,
    since: datetime | None = None,
    limit: int = 1000,
    policy: AccessPolicy = DEFAULT_POLICY,
) -> list[tuple[datetime, Decimal]]:
    """One metric's readings, for a reader whose role reads dynamic data (else NotFound)."""
    passport, role = visible_passport(session, reader, passport_id, policy)
    if not can_read(role, DYNAMIC_PROBE, policy) or (passport.ended_at and role == Role.PUBLIC):
        raise NotFound(f"passportId: no dynamic data of passport {passport_id} for you.")
    return readings.series(session, passport_id, metric, since=since, limit=limit)


def _view(session: Session, passport: Passport, role: Role, policy: AccessPolicy) -> PassportView:
    model = session.get(BatteryModel, passport.model_id) if passport.model_id else None
    operator = session.get(Operator, passport.responsible_operator_id)
    links = session.execute(
        select(PassportLink.successor_id, PassportLink.predecessor_id).where(
            (PassportLink.successor_id == passport.id)
            | (PassportLink.predecessor_id == passport.id)
        )
    ).all()
    return build_view(
        session,
        passport,
        role,
        policy,
        model=model,
        operator=operator,
        predecessors=tuple(row.predecessor_id for row in links if row.successor_id == passport.id),
        successors=tuple(row.successor_id for row in links if row.predecessor_id == passport.id),
    )


def build_view(
    session: Session,
    passport: Passport,
    role: Role,
    policy: AccessPolicy,
    *,
    model: BatteryModel | None,
    operator: Operator | None,
    predecessors: tuple[uuid.UUID, ...],
    successors: tuple[uuid.UUID, ...],
) -> PassportView:
    """The view of a passport whose model, operator and links are loaded (the session reads
    the readings, if the role sees them)."""
    tombstone = passport.ended_at is not None and role == Role.PUBLIC
    sees_dynamic = can_read(role, DYNAMIC_PROBE, policy) and not tombstone
    latest = readings.latest(session, passport.id) if sees_dynamic else {}
    document = composing.passport_document(
        passport,
        model=model,
        responsible=operator,
        predecessors=predecessors,
        latest=latest,
        events=readings.events(session, passport.id) if sees_dynamic else (),
    )
    visible = document.visible_to(role, policy)
    shown = visible.to_json()
    shown.pop("schemaVersion", None)
    sections = {} if tombstone else shown
    provenance = {
        section: source
        for section, source in (model.provenance if model else {}).items()
        if section in sections
    }
    return PassportView(
        passport_id=passport.id,
        role=role,
        battery_identifier=passport.battery_identifier,
        gtin=passport.gtin,
        serial=passport.serial,
        category=passport.category.value,
        publication=passport.publication,
        responsible_operator_id=passport.responsible_operator_id,
        responsible_operator_name=operator.name if operator else "",
        model_id=model.id if model else None,
        model_name=model.name if model else None,
        status=passport.status if can_read(role, "general.status", policy) else None,
        ended_at=passport.ended_at,
        created_at=passport.created_at,
        version=passport.version,
        head_hash=passport.head_hash,
        sections=sections,
        provenance=provenance,
        latest=latest,
        predecessors=predecessors,
        successors=successors,
        document=None if tombstone else visible,
    )


Finder = Callable[[Session], PassportView]


def parse_passport_id(text: str) -> uuid.UUID:
    """A passport id from its address form (a UUID, or `urn:uuid:<UUID>`); NotFound if not."""
    try:
        return uuid.UUID(text.removeprefix("urn:uuid:"))
    except ValueError:
        raise NotFound(f"no passport {text}.") from None


def find_by_gs1(session: Session, *, gtin: str, serial: str) -> uuid.UUID:
    """The current passport of a GS1-identified battery: the newest one issued for it (a
    repurposed battery that kept its identifier answers with its successor)."""
    try:
        full = normalise_gtin(gtin)
    except InvalidRequest:
        raise NotFound(f"no battery {gtin}/{serial}.") from None
    found = session.scalar(
        select(Passport.id)
        .where(Passport.gtin == full, Passport.serial == serial)
        .order_by(Passport.created_at.desc(), Passport.version.desc())
        .limit(1)
    )
    if found is None:
        raise NotFound(f"no battery {gtin}/{serial}.")
    return found


def find_by_identifier(session: Session, *, battery_identifier: str) -> uuid.UUID:
    found = session.scalar(
        select(Passport.id)
        .where(Passport.battery_identifier == battery_identifier)
        .order_by(Passport.created_at.desc())
        .limit(1)
    )
    if found is None:
        raise NotFound(f"no battery {battery_identifier}.")
    return found


def find_passport(
    session: Session,
    *,
    reader: Reader,
    passport_id: uuid.UUID | None = None,
    gtin: str | None = None,
    serial: str | None = None,
    battery_identifier: str | None = None,
    policy: AccessPolicy = DEFAULT_POLICY,
) -> PassportView:
    """Look a battery's passport up by passport id, GTIN + serial, or battery identifier,
    and show it as the reader's role may see it."""
    if passport_id is None:
        if gtin is not None and serial is not None:
            passport_id = find_by_gs1(session, gtin=gtin, serial=serial)
        elif battery_identifier is not None:
            passport_id = find_by_identifier(session, battery_identifier=battery_identifier)
        else:
            raise InvalidRequest("give a passportId, a gtin and serial, or a batteryIdentifier.")
    return view_passport(session, reader=reader, passport_id=passport_id, policy=policy)


@dataclass(frozen=True)
class PassportSearch:
    serial: str | None = None
    model_id: uuid.UUID | None = None
    status: BatteryStatus | None = None
    publication: Publication | None = None
    batch_id: uuid.UUID | None = None
    limit: int = 100
    offset: int = 0


def search_passports(
    session: Session, *, caller: uuid.UUID, search: PassportSearch
) -> Sequence[Passport]:
    """The caller's passports (those it is responsible for), newest first."""
    statement = select(Passport).where(Passport.responsible_operator_id == caller)
    if search.serial:
        statement = statement.where(
            (Passport.serial == search.serial)
            | Passport.battery_identifier.contains(search.serial, autoescape=True)
        )
    if search.model_id is not None:
        statement = statement.where(Passport.model_id == search.model_id)
    if search.status is not None:
        statement = statement.where(Passport.status == search.status)
    if search.publication is not None:
        statement = statement.where(Passport.publication == search.publication)
    if search.batch_id is not None:
        statement = statement.where(Passport.batch_id == search.batch_id)
    limit = max(1, min(search.limit, 1000))
    return session.scalars(
        statement.order_by(Passport.created_at.desc(), Passport.serial)
        .limit(limit)
        .offset(max(search.offset, 0))
    ).all()


def readable_groups(role: Role, policy: AccessPolicy = DEFAULT_POLICY) -> list[AccessGroup]:
    return [group for group in AccessGroup if reads(role, group, policy)]


__all__ = [
    "Finder",
    "PassportSearch",
    "PassportView",
    "build_view",
    "find_by_gs1",
    "find_by_identifier",
    "find_passport",
    "parse_passport_id",
    "passport_history",
    "preview",
    "readable_groups",
    "reading_series",
    "search_passports",
    "view_for_login",
    "view_passport",
    "visible_passport",
]
