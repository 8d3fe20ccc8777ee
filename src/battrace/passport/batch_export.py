"""A whole production batch exported passport by passport, as a stream.

The batch must be the caller's (another operator's batch is "not found", as an unknown one
is); each of its passports then goes through `transfer.export`, the single export's own
check, so every outcome is exactly what the single export would give this reader. The
passports are read in chunks by identifier (keyset), the session forgetting each chunk's
rows before the next, so memory stays flat however large the batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import BattraceError, NotFound
from battrace.passport import transfer
from battrace.passport.access import DEFAULT_POLICY, AccessPolicy, Reader
from battrace.passport.models import Passport, PassportBatch

CHUNK = 500


@dataclass(frozen=True)
class BatchLine:
    """One passport of the batch: its export, or the error its single export raises."""

    passport_id: uuid.UUID
    exported: transfer.Exported | None
    error: BattraceError | None


def own_batch(session: Session, *, caller: uuid.UUID, batch_id: uuid.UUID) -> PassportBatch:
    """The caller's batch; NotFound for an unknown batch and for another operator's alike."""
    batch = session.get(PassportBatch, batch_id)
    if batch is None or batch.operator_id != caller:
        raise NotFound(f"batchId: no batch {batch_id} of yours.")
    return batch


def export_batch(
    session: Session,
    *,
    caller: uuid.UUID,
    reader: Reader,
    batch_id: uuid.UUID,
    format: transfer.Format,
    policy: AccessPolicy = DEFAULT_POLICY,
    chunk: int = CHUNK,
) -> Iterator[BatchLine]:
    """Every passport of the caller's batch once, in identifier order, as `format`.

    A passport whose export is refused (e.g. an ended passport: `NotFound`) yields its error
    instead of ending the stream. Raises NotFound before yielding anything if the batch is
    not the caller's."""
    own_batch(session, caller=caller, batch_id=batch_id)
    after: uuid.UUID | None = None
    while True:
        statement = select(Passport.id).where(Passport.batch_id == batch_id)
        if after is not None:
            statement = statement.where(Passport.id > after)
        ids = list(session.scalars(statement.order_by(Passport.id).limit(max(chunk, 1))))
        for passport_id in ids:
            try:
                made = transfer.export(
                    session, reader=reader, passport_id=passport_id, format=format, policy=policy
                )
            except BattraceError as exc:
                yield BatchLine(passport_id, None, exc)
            else:
                yield BatchLine(passport_id, made, None)
        if len(ids) < max(chunk, 1):
            return
        after = ids[-1]
        session.expunge_all()


__all__ = ["CHUNK", "BatchLine", "export_batch", "own_batch"]
