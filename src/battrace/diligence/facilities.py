"""The facilities (smelters, refiners, mines) a supplier names in a DD answer, and the supplier's
facility assurance list that gives each its standing.

A facility is named per requested material, by RMI facility id (CID and 6 digits) where known;
a facility written without a standing takes it from the supplier's own assurance list, which an
import replaces as a whole (`import_assurances`, from a parsed file of `assurance_lists`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.diligence.assurance_lists import FacilityAssurance, strongest_entry
from battrace.diligence.models import AssuranceScheme, AssuranceStatus, DdAssurance, DdFacility
from battrace.ids import OperatorId, new_id
from battrace.store.base import utcnow

CID_LENGTH = 9


@dataclass(frozen=True)
class FacilityWrite:
    material: str
    facility_id: str | None
    name: str
    country: str | None = None
    scheme: str | None = None
    status: str | None = None
    valid_to: date | None = None


def checked_facilities(
    session: Session, caller: OperatorId, materials: list[str], raw: Sequence[FacilityWrite]
) -> list[DdFacility]:
    """The facility rows of an answer (not yet attached to it), checked against the requested
    materials; a row without a status takes the standing of the caller's assurance list."""
    known = {
        row.facility_id: row
        for row in session.scalars(select(DdAssurance).where(DdAssurance.operator_id == caller))
    }
    rows = []
    for i, item in enumerate(raw):
        where = f"facilities[{i}]"
        if item.material not in materials:
            raise errors.ValidationFailed(
                f"{where}.material: must be one of the requested {', '.join(materials)}."
            )
        cid = (item.facility_id or "").strip().upper() or None
        if cid is not None and not (
            len(cid) == CID_LENGTH and cid.startswith("CID") and cid[3:].isdigit()
        ):
            raise errors.ValidationFailed(f"{where}.facilityId: must be CID and 6 digits.")
        if not item.name.strip() or len(item.name) > 200:
            raise errors.ValidationFailed(f"{where}.name: must be 1 to 200 characters.")
        try:
            scheme = AssuranceScheme(item.scheme) if item.scheme else None
            status = AssuranceStatus(item.status) if item.status else None
        except ValueError:
            raise errors.ValidationFailed(
                f"{where}: scheme must be RMAP, COPPER_MARK or OTHER; status conformant, "
                "active, not_enrolled or unknown."
            ) from None
        valid_to = item.valid_to
        if status is None and cid in known:
            scheme, status, valid_to = known[cid].scheme, known[cid].status, known[cid].valid_to
        rows.append(
            DdFacility(
                id=new_id(),
                material=item.material,
                facility_id=cid,
                name=item.name.strip(),
                country=item.country,
                scheme=scheme,
                status=status or AssuranceStatus.UNKNOWN,
                valid_to=valid_to,
            )
        )
    return rows


def facilities_of(
    session: Session, response_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DdFacility]]:
    found: dict[uuid.UUID, list[DdFacility]] = {r: [] for r in response_ids}
    if response_ids:
        for row in session.scalars(
            select(DdFacility)
            .where(DdFacility.response_id.in_(response_ids))
            .order_by(DdFacility.material, DdFacility.name)
        ):
            found[row.response_id].append(row)
    return found


def import_assurances(
    session: Session, *, caller: OperatorId, entries: Sequence[FacilityAssurance]
) -> int:
    """Replace the caller's facility assurance list with the rows of a parsed file. A list may
    name a facility under several schemes; the entry that decides its standing today is kept
    (`assurance_lists.strongest_entry`). Returns the number of facilities kept."""
    session.execute(delete(DdAssurance).where(DdAssurance.operator_id == caller))
    today = utcnow().date()
    kept = [
        strongest_entry(cid, entries, today)
        for cid in dict.fromkeys(e.facility_id for e in entries)
    ]
    for entry in filter(None, kept):
        session.add(
            DdAssurance(
                operator_id=caller,
                facility_id=entry.facility_id,
                scheme=entry.scheme,
                status=entry.status,
                valid_to=entry.valid_to,
            )
        )
    session.flush()
    record_event(
        session,
        action=AuditAction.DD_ASSURANCE_IMPORT,
        actor=caller,
        target_type="dd_assurance",
        target_id=caller,
        change={"rows": len(entries), "facilities": len(kept)},
    )
    return len(kept)
