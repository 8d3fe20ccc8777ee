"""Dynamic data (Annex XIII point 4, Annex VII): timestamped readings of a battery's state of
health, sent in batches for many batteries (JSON items or CSV rows) by the responsible
operator or an operator it granted reporting to (the owner, a fleet's BMS service). The whole
series is kept; `latest` reads the newest value of every metric of a passport in one query.
A reading already stored (same passport, metric and time) is skipped, so a batch can be sent
again after a failure.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import CursorResult, Table, func, or_, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.ids import new_id
from battrace.passport.access import grant_is_valid
from battrace.passport.catalogue import Section, in_section
from battrace.passport.models import Passport, PassportGrant, PassportReading
from battrace.store import statistics, version
from battrace.store.base import tidy_decimal, utcnow

# The catalogue's dynamic `reading` attributes: performance.<metric>, each with its unit.
READING_METRICS: Mapping[str, str] = {
    item.key: item.unit or ""
    for item in in_section(Section.PERFORMANCE)
    if item.dynamic and item.value_type == "reading"
}
# Cumulative hours outside the temperature range: `performance.temperatureExposure`.
TEMPERATURE_METRICS = (
    "hoursAboveUpper",
    "hoursBelowLower",
    "hoursAboveUpperCharging",
    "hoursBelowLowerCharging",
)
# Negative events (value: how many; note: what happened): `performance.negativeEvents`.
EVENT_METRICS: Mapping[str, str] = {
    "deepDischarge": "deepDischarge",
    "overTemperature": "overTemperature",
    "overCharge": "overCharge",
    "accident": "accident",
    "otherNegativeEvent": "other",
}
# Resistance is read at pack level (the reading's value) and also per module and cell.
PART_METRICS: Mapping[str, str] = {
    f"{metric}.{part}": READING_METRICS.get(metric, "")
    for metric in ("internalResistance", "internalResistanceIncrease")
    for part in ("module", "cell")
}
METRICS: Mapping[str, str] = {
    **READING_METRICS,
    **PART_METRICS,
    **dict.fromkeys(TEMPERATURE_METRICS, "h"),
    **dict.fromkeys(EVENT_METRICS, "events"),
}
PERCENT_METRICS = frozenset(name for name, unit in METRICS.items() if unit == "%")
MAX_VALUE = Decimal("9999999999.99999")
MAX_BATCH = 200_000
CLOCK_SKEW = timedelta(minutes=10)
CSV_COLUMNS = ("passportId", "metric", "measuredAt", "value", "note", "source", "method")


@dataclass(frozen=True)
class Reading:
    passport_id: uuid.UUID
    metric: str
    measured_at: datetime
    value: Decimal
    note: str | None = None
    source: str | None = None
    method: str | None = None


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int  # the rest were stored before
    passports: int


@dataclass(frozen=True)
class LatestReading:
    metric: str
    unit: str
    value: Decimal
    measured_at: datetime
    source: str | None
    method: str | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "unit": self.unit,
            "value": str(tidy_decimal(self.value)),
            "measuredAt": self.measured_at.isoformat(),
            "source": self.source,
            "method": self.method,
            "note": self.note,
        }


def check_reading(reading: Reading, *, field: str, now: datetime) -> None:
    if reading.metric not in METRICS:
        raise InvalidRequest(f"{field}.metric: {reading.metric!r} is not a known metric.")
    if reading.measured_at.tzinfo is None:
        raise InvalidRequest(f"{field}.measuredAt: give the time zone (e.g. Z).")
    if reading.measured_at > now + CLOCK_SKEW:
        raise InvalidRequest(f"{field}.measuredAt: in the future.")
    value = reading.value
    if not value.is_finite() or abs(value) > MAX_VALUE or value != round(value, 5):
        raise InvalidRequest(f"{field}.value: a number with at most 5 decimals.")
    if reading.metric in PERCENT_METRICS and not -100 <= value <= 1000:
        raise InvalidRequest(f"{field}.value: a percentage.")
    for name in ("note", "source", "method"):
        text = getattr(reading, name)
        if text is not None and len(text) > (512 if name == "note" else 128):
            raise InvalidRequest(f"{field}.{name}: too long.")


def _reportable(
    session: Session, caller: uuid.UUID, passport_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, uuid.UUID]:
    """Of these passports, those the caller may send readings for, each with its
    responsible operator."""
    allowed: dict[uuid.UUID, uuid.UUID] = {}
    for start in range(0, len(passport_ids), 500):
        chunk = passport_ids[start : start + 500]
        rows = session.execute(
            select(
                Passport.id, Passport.responsible_operator_id, Passport.model_id, Passport.ended_at
            ).where(Passport.id.in_(chunk))
        ).all()
        others = [row for row in rows if row.responsible_operator_id != caller]
        allowed.update(
            (row.id, caller)
            for row in rows
            if row.responsible_operator_id == caller and not row.ended_at
        )
        if not others:
            continue
        grants = session.scalars(
            select(PassportGrant).where(
                PassportGrant.grantee_operator_id == caller,
                PassportGrant.may_report.is_(True),
                PassportGrant.revoked_at.is_(None),
                or_(
                    PassportGrant.passport_id.in_([row.id for row in others]),
                    PassportGrant.model_id.in_({row.model_id for row in others if row.model_id}),
                ),
            )
        ).all()
        for row in others:
            if row.ended_at is not None:
                continue
            if any(
                grant.grantor_operator_id == row.responsible_operator_id
                and (grant.passport_id == row.id or grant.model_id == row.model_id)
                and grant_is_valid(
                    valid_from=grant.valid_from,
                    valid_until=grant.valid_until,
                    revoked_at=grant.revoked_at,
                    interest=grant.interest,
                    now=now,
                )
                for grant in grants
            ):
                allowed[row.id] = row.responsible_operator_id
    return allowed


# PostgreSQL: the whole batch in one statement of ten parameters (one array per column,
# turned into rows by `unnest`): a multi-row VALUES list of 10,000 rows spends most of its
# time in the driver rendering and parsing 90,000 placeholders.
_UNNEST_INSERT = text(
    """
    INSERT INTO passport_readings (passport_id, metric, measured_at, value, note, source,
        method, reported_by_operator_id, received_at)
    SELECT r.passport_id, r.metric, r.measured_at, r.value, r.note, r.source, r.method,
        CAST(:reporter AS uuid), CAST(:received_at AS timestamptz)
    FROM unnest(CAST(:passport_ids AS uuid[]), CAST(:metrics AS varchar[]),
        CAST(:times AS timestamptz[]), CAST(:amounts AS numeric[]), CAST(:notes AS varchar[]),
        CAST(:sources AS varchar[]), CAST(:methods AS varchar[]))
        AS r(passport_id, metric, measured_at, value, note, source, method)
    ON CONFLICT DO NOTHING
    """
)
CHUNK = 50_000


def _insert_postgresql(
    session: Session, readings: Sequence[Reading], *, caller: uuid.UUID, now: datetime
) -> int:
    stored = 0
    for start in range(0, len(readings), CHUNK):
        chunk = readings[start : start + CHUNK]
        result = session.execute(
            _UNNEST_INSERT,
            {
                "reporter": caller,
                "received_at": now,
                "passport_ids": [each.passport_id for each in chunk],
                "metrics": [each.metric for each in chunk],
                "times": [each.measured_at for each in chunk],
                "amounts": [each.value for each in chunk],
                "notes": [each.note for each in chunk],
                "sources": [each.source for each in chunk],
                "methods": [each.method for each in chunk],
            },
        )
        stored += cast(CursorResult[Any], result).rowcount
    statistics.note_written(session.connection(), PassportReading.__tablename__, stored)
    return stored


def _insert_sqlite(
    session: Session, readings: Sequence[Reading], *, caller: uuid.UUID, now: datetime
) -> int:
    # Core's executemany (the driver's loop in C), not the ORM's bulk insert, which spends
    # half a batch's time in its bookkeeping; SQLite counts the rows each run stored.
    statement = sqlite.insert(cast(Table, PassportReading.__table__)).on_conflict_do_nothing()
    rows = [
        {
            "passport_id": reading.passport_id,
            "metric": reading.metric,
            "measured_at": reading.measured_at,
            "value": reading.value,
            "note": reading.note,
            "source": reading.source,
            "method": reading.method,
            "reported_by_operator_id": caller,
            "received_at": now,
        }
        for reading in readings
    ]
    result = session.connection().execute(statement, rows)
    return cast(CursorResult[Any], result).rowcount


def record_readings(
    session: Session, *, caller: uuid.UUID, readings: Sequence[Reading]
) -> IngestResult:
    """Store a batch of readings for many batteries; all or nothing."""
    if not readings:
        raise InvalidRequest("readings: give at least one reading.")
    if len(readings) > MAX_BATCH:
        raise InvalidRequest(f"readings: at most {MAX_BATCH} in one batch.")
    now = utcnow()
    for index, reading in enumerate(readings):
        check_reading(reading, field=f"readings[{index}]", now=now)
    wanted = list({reading.passport_id for reading in readings})
    allowed = _reportable(session, caller, wanted, now)
    for index, reading in enumerate(readings):
        if reading.passport_id not in allowed:
            raise NotFound(
                f"readings[{index}].passportId: no passport {reading.passport_id} you may "
                "report on."
            )
    insert = (
        _insert_postgresql if session.get_bind().dialect.name == "postgresql" else _insert_sqlite
    )
    stored = insert(session, readings, caller=caller, now=now)
    # The readings are part of their passports: a view kept under the responsible operators'
    # data versions (`passport.stamps`) is made again. The statements above name no operator
    # the version hook could see.
    version.touch(session, {caller, *allowed.values()})
    record_event(
        session,
        action=AuditAction.PASSPORT_READINGS,
        actor=caller,
        target_type="passport-readings",
        target_id=new_id(),
        change={"passports": len(wanted), "readings": len(readings)},
    )
    return IngestResult(received=len(readings), stored=stored, passports=len(wanted))


def latest(session: Session, passport_id: uuid.UUID) -> dict[str, LatestReading]:
    """The newest reading of every metric of one passport, in one query."""
    newest = (
        select(PassportReading.metric, func.max(PassportReading.measured_at).label("at"))
        .where(PassportReading.passport_id == passport_id)
        .group_by(PassportReading.metric)
        .subquery()
    )
    rows = session.scalars(
        select(PassportReading)
        .join(
            newest,
            (PassportReading.metric == newest.c.metric)
            & (PassportReading.measured_at == newest.c.at),
        )
        .where(PassportReading.passport_id == passport_id)
    ).all()
    return {row.metric: _latest(row) for row in sorted(rows, key=lambda each: each.metric)}


def latest_many(
    session: Session, passport_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, LatestReading]]:
    """`latest` for many passports, one query per 500 of them."""
    found: dict[uuid.UUID, dict[str, LatestReading]] = {}
    for start in range(0, len(passport_ids), 500):
        chunk = list(passport_ids[start : start + 500])
        newest = (
            select(
                PassportReading.passport_id,
                PassportReading.metric,
                func.max(PassportReading.measured_at).label("at"),
            )
            .where(PassportReading.passport_id.in_(chunk))
            .group_by(PassportReading.passport_id, PassportReading.metric)
            .subquery()
        )
        rows = session.scalars(
            select(PassportReading).join(
                newest,
                (PassportReading.passport_id == newest.c.passport_id)
                & (PassportReading.metric == newest.c.metric)
                & (PassportReading.measured_at == newest.c.at),
            )
        ).all()
        for row in rows:
            found.setdefault(row.passport_id, {})[row.metric] = _latest(row)
    return found


def events(session: Session, passport_id: uuid.UUID, *, limit: int = 100) -> list[LatestReading]:
    """The passport's negative events, newest first (at most `limit`)."""
    rows = session.scalars(
        select(PassportReading)
        .where(
            PassportReading.passport_id == passport_id,
            PassportReading.metric.in_(list(EVENT_METRICS)),
        )
        .order_by(PassportReading.measured_at.desc())
        .limit(limit)
    ).all()
    return [_latest(row) for row in rows]


def _latest(row: PassportReading) -> LatestReading:
    return LatestReading(
        metric=row.metric,
        unit=METRICS.get(row.metric, ""),
        value=row.value,
        measured_at=row.measured_at,
        source=row.source,
        method=row.method,
        note=row.note,
    )


def series(
    session: Session,
    passport_id: uuid.UUID,
    metric: str,
    *,
    since: datetime | None = None,
    limit: int = 1000,
) -> list[tuple[datetime, Decimal]]:
    """One metric's readings of one passport, oldest first."""
    statement = select(PassportReading.measured_at, PassportReading.value).where(
        PassportReading.passport_id == passport_id, PassportReading.metric == metric
    )
    if since is not None:
        statement = statement.where(PassportReading.measured_at >= since)
    rows = session.execute(statement.order_by(PassportReading.measured_at).limit(limit)).all()
    return [(row.measured_at, row.value) for row in rows]


def _parse_time(value: object, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(
            f"{field}.measuredAt: an ISO 8601 time, e.g. 2027-03-01T10:00:00Z."
        ) from None
    if moment.tzinfo is None:
        raise InvalidRequest(f"{field}.measuredAt: give the time zone (e.g. Z).")
    return moment


def _parse_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InvalidRequest(f"{field}.value: a number.")
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidRequest(f"{field}.value: a number.") from None


def _parse_uuid(value: object, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidRequest(f"{field}.passportId: a UUID.") from None


def _optional(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def reading_from(item: Mapping[str, Any], *, field: str) -> Reading:
    """One reading from its JSON/CSV form (camelCase keys)."""
    return Reading(
        passport_id=_parse_uuid(item.get("passportId"), field),
        metric=str(item.get("metric") or ""),
        measured_at=_parse_time(item.get("measuredAt"), field),
        value=_parse_decimal(item.get("value"), field),
        note=_optional(item.get("note")),
        source=_optional(item.get("source")),
        method=_optional(item.get("method")),
    )


def parse_json(items: object) -> list[Reading]:
    if not isinstance(items, list):
        raise InvalidRequest("readings: a list of readings.")
    parsed = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InvalidRequest(f"readings[{index}]: an object.")
        parsed.append(reading_from(item, field=f"readings[{index}]"))
    return parsed


def parse_csv(text: str) -> list[Reading]:
    """Readings from CSV with a header row naming `passportId, metric, measuredAt, value` and
    optionally `note, source, method`. Errors name the line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"passportId", "metric", "measuredAt", "value"} - set(reader.fieldnames or ())
    if missing:
        raise InvalidRequest(f"csv: the header lacks {', '.join(sorted(missing))}.")
    return [reading_from(row, field=f"line {index}") for index, row in enumerate(reader, start=2)]


__all__ = [
    "CSV_COLUMNS",
    "EVENT_METRICS",
    "METRICS",
    "PART_METRICS",
    "READING_METRICS",
    "TEMPERATURE_METRICS",
    "IngestResult",
    "LatestReading",
    "Reading",
    "events",
    "latest",
    "latest_many",
    "parse_csv",
    "parse_json",
    "reading_from",
    "record_readings",
    "series",
]
