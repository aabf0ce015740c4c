"""Files attached to a claim: the only way to store or read back their bytes.

The store knows nothing of owners; these functions check that the claim is the customer's (or
audit the employee who opens it) before any byte is read. Anyone else gets None, exactly as for
a file that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from chat_widget.audit import record
from chat_widget.claims.records import (
    ActorKind,
    Claim,
    ClaimFile,
    ClaimNotDraft,
    ClaimNotFound,
    ClaimStatus,
    get_claim_for_customer,
)
from chat_widget.files import BlobStore, CheckedFile, FileRejected, UploadLimits, check_upload
from chat_widget.files.store import FileContent, read_content, read_for_customer
from chat_widget.observability import metrics

#: A claim file's row and bytes (the shared ``files.FileContent``).
ClaimFileContent = FileContent[ClaimFile]


def count_files(*, session: Session, claim_id: str) -> int:
    query = select(func.count()).select_from(ClaimFile).where(col(ClaimFile.claim_id) == claim_id)
    return int(session.exec(query).one())


def add_claim_file(
    *,
    session: Session,
    store: BlobStore,
    customer_id: str,
    claim_id: str,
    filename: str,
    data: bytes,
    limits: UploadLimits,
) -> ClaimFile:
    """Check, clean and store one upload for the customer's draft.

    Raises :class:`FileRejected` (show ``.message(locale)``; the rest of the claim is untouched),
    :class:`ClaimNotFound` or :class:`ClaimNotDraft`.
    """
    claim = get_claim_for_customer(session=session, customer_id=customer_id, claim_id=claim_id)
    if claim is None:
        raise ClaimNotFound(claim_id)
    if claim.status != ClaimStatus.DRAFT:
        raise ClaimNotDraft(claim_id)
    checked = metrics.upload_checked("claim", check_upload)(
        data,
        filename=filename,
        limits=limits,
        existing_count=count_files(session=session, claim_id=claim_id),
    )
    return _store(session, store, claim, checked)


def _store(session: Session, store: BlobStore, claim: Claim, checked: CheckedFile) -> ClaimFile:
    stored_name = store.put(checked.data, suffix=checked.extension)
    row = ClaimFile(
        claim_id=claim.id,
        original_name=checked.original_name,
        stored_name=stored_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        width=checked.width,
        height=checked.height,
    )
    try:
        session.add(row)
        session.flush()
    except BaseException:
        # No row, no file: do not leave orphans on disk.
        store.delete(stored_name)
        raise
    return row


def open_file_for_customer(
    *, session: Session, store: BlobStore, customer_id: str, file_id: str
) -> ClaimFileContent | None:
    """The file if it belongs to one of this customer's claims, else None."""
    row = session.get(ClaimFile, file_id)
    claim = session.get(Claim, row.claim_id) if row is not None else None
    return read_for_customer(store, row, claim, customer_id)


def open_file_for_handler(
    *, session: Session, store: BlobStore, handler_id: str, file_id: str, reason: str
) -> ClaimFileContent | None:
    """A file opened by an (already authorised) employee; audited like a claim view.

    Files of drafts are not shown: the customer has not sent them yet.
    """
    if not reason.strip():
        raise ValueError("a reason is required to open a claim file")
    row = session.get(ClaimFile, file_id)
    claim = session.get(Claim, row.claim_id) if row is not None else None
    record(
        session=session,
        actor_kind=ActorKind.EMPLOYEE,
        actor_id=handler_id,
        action="claim_file.view",
        target_type="claim_file",
        target_id=file_id,
        reason=reason,
        details={"claim_id": row.claim_id} if row is not None else {},
    )
    session.flush()
    if row is None or claim is None or claim.status == ClaimStatus.DRAFT:
        return None
    return read_content(store, row)


def remove_claim_file(
    *, session: Session, store: BlobStore, customer_id: str, file_id: str
) -> bool:
    """The customer takes a file back out of their draft."""
    row = session.get(ClaimFile, file_id)
    if row is None:
        return False
    claim = session.get(Claim, row.claim_id)
    if claim is None or claim.customer_id != customer_id or claim.status != ClaimStatus.DRAFT:
        return False
    session.delete(row)
    session.flush()
    store.delete(row.stored_name)
    return True


def erase_claim_files(*, session: Session, store: BlobStore, claim_id: str) -> int:
    """Delete every file of a claim, bytes and rows (data erasure). Returns how many."""
    rows = list(session.exec(select(ClaimFile).where(ClaimFile.claim_id == claim_id)).all())
    for row in rows:
        store.delete(row.stored_name)
        session.delete(row)
    session.flush()
    return len(rows)


__all__ = [
    "ClaimFileContent",
    "FileRejected",
    "add_claim_file",
    "count_files",
    "erase_claim_files",
    "open_file_for_customer",
    "open_file_for_handler",
    "remove_claim_file",
]
