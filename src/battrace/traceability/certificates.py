"""CFP certificates: files a supplier attaches to a part's CFP, and who may read them.

Upload is two-step, as in the reference flow: the owner asks for upload slots (file ids),
sends the bytes to each slot, then attaches the uploaded files to the part's certificate.
File contents live behind `FileStore` (a directory, or the database); rows only name them.
A customer sees the certificate of the supplier part linked to its trade only when the
supplier released certificates to it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from battrace.audit import record_event
from battrace.audit.actions import AuditAction
from battrace.errors import InvalidRequest, NotFound
from battrace.ids import OperatorId, TraceId, TradeId, new_id
from battrace.store.base import utcnow
from battrace.store.engine import after_commit
from battrace.traceability.disclosure import released_to
from battrace.traceability.models import (
    Certificate,
    CertificateBlob,
    CertificateFile,
    CfpResponseStatus,
    Part,
    Trade,
)

ALLOWED_EXTENSIONS = frozenset(
    {
        "txt",
        "csv",
        "pdf",
        "doc",
        "docx",
        "odt",
        "ppt",
        "pptx",
        "odp",
        "xls",
        "xlsx",
        "ods",
        "jpeg",
        "jpg",
        "bmp",
        "gif",
        "png",
        "zip",
    }
)
MAX_FILES_PER_CERTIFICATE = 100

# Leading bytes of the binary formats we accept: an upload whose bytes are not what its
# extension says is refused (a renamed executable is not a PDF).
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "ppt": (b"\xd0\xcf\x11\xe0",),
}


class FileStore(Protocol):
    """Where certificate file contents live."""

    def put(self, session: Session, file_id: uuid.UUID, content: bytes) -> None: ...
    def get(self, session: Session, file_id: uuid.UUID) -> bytes | None: ...
    def remove(self, session: Session, file_id: uuid.UUID) -> None: ...


class DatabaseFileStore:
    """File contents in the `certificate_blobs` table: one backup covers everything."""

    def put(self, session: Session, file_id: uuid.UUID, content: bytes) -> None:
        blob = session.get(CertificateBlob, file_id)
        if blob is None:
            session.add(CertificateBlob(file_id=file_id, content=content))
        else:
            blob.content = content

    def get(self, session: Session, file_id: uuid.UUID) -> bytes | None:
        blob = session.get(CertificateBlob, file_id)
        return None if blob is None else blob.content

    def remove(self, session: Session, file_id: uuid.UUID) -> None:
        session.execute(delete(CertificateBlob).where(CertificateBlob.file_id == file_id))


class DirectoryFileStore:
    """File contents as files under a directory; written atomically, removed after commit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, file_id: uuid.UUID) -> Path:
        return self.root / file_id.hex[:2] / file_id.hex

    def put(self, session: Session, file_id: uuid.UUID, content: bytes) -> None:
        del session
        path = self._path(file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(content)
        temporary.replace(path)

    def get(self, session: Session, file_id: uuid.UUID) -> bytes | None:
        del session
        path = self._path(file_id)
        return path.read_bytes() if path.exists() else None

    def remove(self, session: Session, file_id: uuid.UUID) -> None:
        path = self._path(file_id)
        after_commit(session, lambda: path.unlink(missing_ok=True))


@dataclass(frozen=True)
class UploadSlot:
    file_id: uuid.UUID
    file_name: str


def create_upload_slots(
    session: Session, *, caller: OperatorId, files: list[tuple[str, str]]
) -> list[UploadSlot]:
    """Reserve a file id for each (file name, extension). Raises InvalidRequest."""
    if not files:
        raise InvalidRequest("fileInfo: cannot be blank.")
    slots = []
    for file_name, extension in files:
        ext = extension.lower().lstrip(".")
        if ext not in ALLOWED_EXTENSIONS:
            raise InvalidRequest(f"extension: {extension} is not an allowed file type.")
        if not file_name or len(file_name) > 256:
            raise InvalidRequest("fileName: the length must be between 1 and 256.")
        row = CertificateFile(operator_id=caller, id=new_id(), file_name=file_name, extension=ext)
        session.add(row)
        slots.append(UploadSlot(row.id, file_name))
    return slots


def store_upload(
    session: Session,
    *,
    owner: uuid.UUID,
    file_id: uuid.UUID,
    content: bytes,
    content_type: str | None,
    max_bytes: int,
    store: FileStore,
) -> CertificateFile:
    """Keep the bytes sent to an upload slot. Raises NotFound, InvalidRequest (size, type)."""
    row = session.get(CertificateFile, (owner, file_id))
    if row is None:
        raise NotFound("file not found")
    if row.uploaded_at is not None:
        # A slot takes one upload: a leaked link cannot replace a certificate already given.
        raise InvalidRequest("file: this upload slot has been used; ask for a new one.")
    if len(content) > max_bytes:
        raise InvalidRequest(f"file: larger than the limit of {max_bytes} bytes.")
    if not content:
        raise InvalidRequest("file: cannot be empty.")
    magic = _MAGIC.get(row.extension)
    if magic is not None and not content.startswith(magic):
        raise InvalidRequest(f"file: the content is not a {row.extension} file.")
    store.put(session, file_id, content)
    row.size = len(content)
    row.sha256 = hashlib.sha256(content).hexdigest()
    row.content_type = content_type
    row.uploaded_at = utcnow()
    record_event(
        session,
        action=AuditAction.CERTIFICATE_FILE_UPLOAD,
        actor=owner,
        target_type="file",
        target_id=file_id,
        change={"sha256": row.sha256, "size": row.size},
    )
    return row


def attach_files(
    session: Session,
    *,
    caller: OperatorId,
    trace_id: TraceId,
    certificate_id: uuid.UUID | None,
    description: str | None,
    file_ids: list[uuid.UUID],
) -> tuple[Certificate, list[CertificateFile]]:
    """Create or update the certificate of one of the caller's parts and attach files."""
    if session.get(Part, (caller, trace_id)) is None:
        raise NotFound(f"traceId: {trace_id} was not found.")
    certificate = session.scalar(
        select(Certificate).where(
            Certificate.operator_id == caller, Certificate.trace_id == trace_id
        )
    )
    if certificate_id is not None and (certificate is None or certificate.id != certificate_id):
        raise NotFound(f"cfpCertificationId: {certificate_id} was not found.")
    if description is not None and len(description) > 100:
        raise InvalidRequest("cfpCertificationDescription: the length must be no more than 100.")
    if certificate is None:
        certificate = Certificate(operator_id=caller, id=new_id(), trace_id=trace_id)
        session.add(certificate)
    if description is not None:
        certificate.description = description
    for file_id in file_ids:
        row = session.get(CertificateFile, (caller, file_id))
        if row is None:
            raise NotFound(f"fileId: {file_id} was not found.")
        if row.uploaded_at is None:
            raise InvalidRequest(f"fileId: {file_id} has no uploaded content yet.")
        if row.certificate_id not in (None, certificate.id):
            raise InvalidRequest(f"fileId: {file_id} belongs to another certificate.")
        row.certificate_id = certificate.id
    session.flush()  # count attached files including this call's
    files = certificate_files(session, owner=caller, certificate_id=certificate.id)
    if len(files) > MAX_FILES_PER_CERTIFICATE:
        raise InvalidRequest(
            f"cfpCertificationFileInfo: at most {MAX_FILES_PER_CERTIFICATE} files per certificate."
        )
    record_event(
        session,
        action=AuditAction.CERTIFICATE_ATTACH,
        actor=caller,
        target_type="certificate",
        target_id=certificate.id,
        change={"files": [str(f) for f in file_ids]},
    )
    return certificate, files


def certificate_files(
    session: Session, *, owner: uuid.UUID, certificate_id: uuid.UUID
) -> list[CertificateFile]:
    return list(
        session.scalars(
            select(CertificateFile)
            .where(
                CertificateFile.operator_id == owner,
                CertificateFile.certificate_id == certificate_id,
            )
            .order_by(CertificateFile.created_at, CertificateFile.id)
        )
    )


def certificate_of_part(
    session: Session, *, owner: uuid.UUID, trace_id: TraceId
) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.operator_id == owner, Certificate.trace_id == trace_id
        )
    )


def released_certificate(
    session: Session, *, caller: OperatorId, trade_id: TradeId, disclose_by_default: bool
) -> tuple[Trade, Certificate, list[CertificateFile]]:
    """The certificate of the supplier part that answered the caller's request, as far as the
    supplier released certificates to the caller. Raises NotFound otherwise (no such request
    of the caller, not answered, no certificate, or withheld)."""
    trade = session.get(Trade, trade_id)
    if (
        trade is None
        or trade.downstream_operator_id != caller
        or trade.upstream_trace_id is None
        or trade.cfp_response_status != CfpResponseStatus.COMPLETED
    ):
        raise NotFound("file not found")
    supplier, supplier_part = trade.upstream_operator_id, trade.upstream_trace_id
    certificate = certificate_of_part(session, owner=supplier, trace_id=supplier_part)
    released = released_to(
        session,
        supplier=supplier,
        trace_id=supplier_part,
        customer=caller,
        disclose_by_default=disclose_by_default,
    )
    if certificate is None or not released.certificate:
        raise NotFound("file not found")
    return (
        trade,
        certificate,
        certificate_files(session, owner=supplier, certificate_id=certificate.id),
    )


def read_file(
    session: Session, *, owner: uuid.UUID, file_id: uuid.UUID, store: FileStore
) -> tuple[CertificateFile, bytes]:
    row = session.get(CertificateFile, (owner, file_id))
    if row is None or row.uploaded_at is None:
        raise NotFound("file not found")
    content = store.get(session, file_id)
    if content is None:
        raise NotFound("file not found")
    return row, content


def delete_files(
    session: Session,
    *,
    caller: OperatorId,
    trace_id: TraceId,
    file_id: uuid.UUID | None,
    store: FileStore,
) -> None:
    """Remove one file (or all) of a part's certificate; the certificate goes with its last file."""
    certificate = certificate_of_part(session, owner=caller, trace_id=trace_id)
    if certificate is None:
        raise NotFound(f"traceId: {trace_id} has no certificate.")
    files = certificate_files(session, owner=caller, certificate_id=certificate.id)
    doomed = [row for row in files if file_id is None or row.id == file_id]
    if file_id is not None and not doomed:
        raise NotFound(f"fileId: {file_id} was not found.")
    for row in doomed:
        store.remove(session, row.id)
        session.delete(row)
    if len(doomed) == len(files):
        session.delete(certificate)
    record_event(
        session,
        action=AuditAction.CERTIFICATE_FILE_DELETE,
        actor=caller,
        target_type="certificate",
        target_id=certificate.id,
        change={"files": [str(row.id) for row in doomed]},
    )


def delete_certificates_of_part(
    session: Session, *, caller: OperatorId, trace_id: TraceId, store: FileStore
) -> None:
    """Used when a part is deleted: its certificate and every file go too."""
    certificate = certificate_of_part(session, owner=caller, trace_id=trace_id)
    if certificate is not None:
        delete_files(session, caller=caller, trace_id=trace_id, file_id=None, store=store)
