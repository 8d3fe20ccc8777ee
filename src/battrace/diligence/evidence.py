"""Evidence documents: stored with their SHA-256, each with a confidentiality level.

The owner (the supplier that uploaded it) always reads its documents. A customer may read a
document's metadata and hash when a submitted answer to one of its requests cites it, and its
content only when the document is `public` or `customer`. A `hash_only` document's content
never leaves its owner: the customer can check a copy it was shown elsewhere against the hash.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace import errors
from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.diligence.models import Confidentiality, DdEvidence, DdRequest, DdResponse
from battrace.diligence.questions import DocumentType
from battrace.ids import OperatorId, new_id

MAX_BYTES = 20 * 1024 * 1024
ALLOWED_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel.sheet.macroEnabled.12",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class EvidenceWrite:
    document_type: str
    title: str
    file_name: str
    content_type: str
    confidentiality: str
    issuer: str | None = None
    third_party: bool = False
    valid_from: date | None = None
    valid_to: date | None = None


def store_evidence(
    session: Session, *, caller: OperatorId, write: EvidenceWrite, content: bytes
) -> DdEvidence:
    """Keep one document of the caller's; the SHA-256 is of the exact bytes received."""
    problems = []
    try:
        document_type = DocumentType(write.document_type)
    except ValueError:
        problems.append(
            "documentType: must be one of " + ", ".join(d.value for d in DocumentType) + "."
        )
    try:
        confidentiality = Confidentiality(write.confidentiality)
    except ValueError:
        problems.append("confidentiality: must be public, customer or hash_only.")
    if not write.title.strip() or len(write.title) > 200:
        problems.append("title: must be 1 to 200 characters.")
    if not write.file_name.strip() or len(write.file_name) > 256 or "/" in write.file_name:
        problems.append("fileName: must be a plain file name of at most 256 characters.")
    if write.content_type not in ALLOWED_TYPES:
        problems.append(f"contentType: {write.content_type} is not accepted.")
    if not content:
        problems.append("content: the file is empty.")
    if len(content) > MAX_BYTES:
        problems.append(f"content: larger than {MAX_BYTES} bytes.")
    if write.valid_from and write.valid_to and write.valid_to < write.valid_from:
        problems.append("validTo: must not be before validFrom.")
    if problems:
        raise errors.ValidationFailed("; ".join(problems))
    row = DdEvidence(
        id=new_id(),
        operator_id=caller,
        document_type=document_type.value,
        title=write.title.strip(),
        file_name=write.file_name.strip(),
        content_type=write.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        confidentiality=confidentiality,
        issuer=write.issuer,
        third_party=write.third_party,
        valid_from=write.valid_from,
        valid_to=write.valid_to,
        content=content,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        action=AuditAction.DD_EVIDENCE_STORE,
        actor=caller,
        target_type="dd_evidence",
        target_id=row.id,
        change={"sha256": row.sha256, "confidentiality": row.confidentiality.value},
    )
    return row


def _cited_to(session: Session, evidence: DdEvidence, viewer: uuid.UUID) -> bool:
    """Does a submitted answer of the owner to one of `viewer`'s requests cite it?"""
    responses = session.scalars(
        select(DdResponse.answers)
        .join(DdRequest, DdRequest.id == DdResponse.request_id)
        .where(
            DdRequest.downstream_operator_id == viewer,
            DdRequest.upstream_operator_id == evidence.operator_id,
            DdResponse.version.is_not(None),
        )
    )
    wanted = str(evidence.id)
    return any(wanted in answer.get("evidence", []) for answers in responses for answer in answers)


def visible_evidence(session: Session, *, caller: OperatorId, evidence_id: uuid.UUID) -> DdEvidence:
    """The document's record if the caller owns it or a submitted answer to it cites it."""
    row = session.get(DdEvidence, evidence_id)
    if row is None or (row.operator_id != caller and not _cited_to(session, row, caller)):
        raise errors.NotFound(f"evidenceId: no document {evidence_id}.")
    return row


def read_content(session: Session, *, caller: OperatorId, evidence_id: uuid.UUID) -> DdEvidence:
    """The document with its content, for its owner or, unless hash-only, a cited customer."""
    row = visible_evidence(session, caller=caller, evidence_id=evidence_id)
    if row.operator_id != caller and row.confidentiality is Confidentiality.HASH_ONLY:
        raise errors.NotFound(
            f"evidenceId: the content of {evidence_id} is not shared (hash only)."
        )
    session.refresh(row, ["content"])  # deferred column: load it while the session is open
    return row


def list_own(session: Session, *, caller: OperatorId) -> list[DdEvidence]:
    return list(
        session.scalars(
            select(DdEvidence)
            .where(DdEvidence.operator_id == caller)
            .order_by(DdEvidence.created_at.desc())
        )
    )


def documents(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, DdEvidence]:
    if not ids:
        return {}
    return {
        row.id: row for row in session.scalars(select(DdEvidence).where(DdEvidence.id.in_(ids)))
    }
