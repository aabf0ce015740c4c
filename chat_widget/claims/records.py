"""Claim tables and the functions that read and change them.

A claim is a row from its first answer on (status ``draft``), so an identified customer can
come back tomorrow and resume. ``state`` holds the flow engine's state dict; ``answers`` mirrors
its answers (the submitted ones once submitted). The human reference ``SIN-YYYY-NNNNNN`` is only
allocated on submission, from a per-year counter row that the database serialises; URLs use
the random ``id``, never the reference.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Field, Session, SQLModel, col, select

from chat_widget.audit import record
from chat_widget.claims import flow
from chat_widget.domain.clock import BANK_ZONE, as_aware, utcnow
from chat_widget.domain.models import new_id


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CLOSED = "closed"


class ActorKind(StrEnum):
    CUSTOMER = "customer"
    EMPLOYEE = "employee"
    SYSTEM = "system"


# What a handler may do next; drafts only move by submission.
TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.DRAFT: frozenset(),
    ClaimStatus.SUBMITTED: frozenset(
        {ClaimStatus.IN_REVIEW, ClaimStatus.ACCEPTED, ClaimStatus.REJECTED, ClaimStatus.CLOSED}
    ),
    ClaimStatus.IN_REVIEW: frozenset(
        {ClaimStatus.ACCEPTED, ClaimStatus.REJECTED, ClaimStatus.CLOSED}
    ),
    ClaimStatus.ACCEPTED: frozenset({ClaimStatus.CLOSED, ClaimStatus.IN_REVIEW}),
    ClaimStatus.REJECTED: frozenset({ClaimStatus.CLOSED, ClaimStatus.IN_REVIEW}),
    ClaimStatus.CLOSED: frozenset(),
}

REFERENCE_PREFIX = "SIN"


class ClaimError(Exception):
    """Base of the claim errors the UI may show as "this cannot be done"."""


class ClaimNotFound(ClaimError):
    """No such claim for this caller (also when it exists but is someone else's)."""


class ClaimNotDraft(ClaimError):
    """The claim was already submitted (e.g. a second click on "send")."""


class InvalidTransition(ClaimError):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


class Claim(SQLModel, table=True):
    __tablename__ = "claim"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    reference: str | None = Field(default=None, unique=True, index=True, max_length=20)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=32)
    conversation_id: str | None = Field(
        default=None, foreign_key="conversation.id", index=True, max_length=32
    )
    type: str = Field(max_length=32, index=True)
    status: str = Field(default=ClaimStatus.DRAFT, max_length=16, index=True)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    locale: str = Field(default="fr", max_length=5)
    policy_start: date | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = Field(default=None, index=True)
    #: The employee (agent id) who has the claim in hand; None while nobody took it. Set only
    #: through ``claims.ownership``, which checks the role and audits every change.
    owner_id: str | None = Field(default=None, index=True, max_length=32)
    owner_since: datetime | None = Field(default=None)


class ClaimFile(SQLModel, table=True):
    """Metadata of a stored file; the bytes live in the file store under ``stored_name``."""

    __tablename__ = "claim_file"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    claim_id: str = Field(foreign_key="claim.id", index=True, max_length=32)
    original_name: str = Field(max_length=200)
    stored_name: str = Field(unique=True, max_length=64)
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    width: int | None = Field(default=None)
    height: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class ClaimStatusChange(SQLModel, table=True):
    """Append-only history of a claim's status, shown to handlers and (as status) to customers."""

    __tablename__ = "claim_status_change"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    claim_id: str = Field(foreign_key="claim.id", index=True, max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor_kind: str = Field(max_length=16)
    actor_id: str = Field(max_length=64)
    note: str | None = Field(default=None, max_length=1000)
    at: datetime = Field(default_factory=utcnow, index=True)


class ClaimReferenceCounter(SQLModel, table=True):
    """Last reference number handed out per year; its row lock serialises submissions."""

    __tablename__ = "claim_reference_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = Field(default=0)


# --- drafts -----------------------------------------------------------------------------------


def save_draft(
    *,
    session: Session,
    customer_id: str,
    state: dict[str, Any],
    locale: str,
    claim_id: str | None = None,
    conversation_id: str | None = None,
    policy_start: date | None = None,
) -> Claim:
    """Create the draft (no ``claim_id``) or store the latest flow state of the customer's draft."""
    checked = flow.load_state(state)
    if policy_start is None and checked.get("policy_start"):
        policy_start = date.fromisoformat(checked["policy_start"])
    if claim_id is None:
        claim = Claim(
            customer_id=customer_id,
            conversation_id=conversation_id,
            type=checked["claim_type"],
            locale=locale,
            policy_start=policy_start,
        )
    else:
        found = _owned(session, customer_id, claim_id)
        if found.status != ClaimStatus.DRAFT:
            raise ClaimNotDraft(claim_id)
        if found.type != checked["claim_type"]:
            raise ClaimError("a draft cannot change claim type")
        claim = found
        claim.locale = locale
        if conversation_id is not None:
            claim.conversation_id = conversation_id
    claim.state = checked
    claim.answers = dict(checked["answers"])
    claim.updated_at = utcnow()
    session.add(claim)
    session.flush()
    return claim


def get_draft_for_customer(
    *, session: Session, customer_id: str, claim_type: str | None = None
) -> Claim | None:
    """The customer's most recently touched draft, to resume it."""
    query = select(Claim).where(Claim.customer_id == customer_id, Claim.status == ClaimStatus.DRAFT)
    if claim_type is not None:
        query = query.where(Claim.type == claim_type)
    return session.exec(query.order_by(col(Claim.updated_at).desc())).first()


def discard_draft(*, session: Session, customer_id: str, claim_id: str) -> bool:
    """Delete a draft and its file rows (the caller deletes stored bytes via attachments)."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.customer_id != customer_id or claim.status != ClaimStatus.DRAFT:
        return False
    for row in session.exec(select(ClaimFile).where(ClaimFile.claim_id == claim_id)).all():
        session.delete(row)
    session.flush()
    session.delete(claim)
    session.flush()
    return True


# --- submission -------------------------------------------------------------------------------


def submit_claim(
    *, session: Session, customer_id: str, claim_id: str, now: datetime | None = None
) -> Claim:
    """Freeze the answers, give the claim its reference and record who sent it.

    Raises :class:`flow.IncompleteClaim` when required answers are missing, :class:`ClaimNotDraft`
    when it was submitted already (two clicks, two tabs), :class:`ClaimNotFound` if not theirs.
    """
    claim = _owned(session, customer_id, claim_id)
    if claim.status != ClaimStatus.DRAFT:
        raise ClaimNotDraft(claim_id)
    answers = flow.submit(flow.load_state(claim.state))
    _check_file_answers(session, claim_id, answers)
    moment = as_aware(now) if now is not None else utcnow()
    # The guarded UPDATE is the first write: it takes SQLite's write lock (so the counter read
    # below is serialised) and, on PostgreSQL, the row lock that makes a double submit lose.
    result = session.execute(
        update(Claim)
        .where(col(Claim.id) == claim_id, col(Claim.status) == ClaimStatus.DRAFT)
        .values(status=ClaimStatus.SUBMITTED, submitted_at=moment, updated_at=moment)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise ClaimNotDraft(claim_id)
    reference = _allocate_reference(session, moment.astimezone(BANK_ZONE).year)
    session.refresh(claim)
    claim.reference = reference
    claim.answers = answers
    session.add(claim)
    session.add(
        ClaimStatusChange(
            claim_id=claim_id,
            from_status=ClaimStatus.DRAFT,
            to_status=ClaimStatus.SUBMITTED,
            actor_kind=ActorKind.CUSTOMER,
            actor_id=customer_id,
            at=moment,
        )
    )
    record(
        session=session,
        actor_kind=ActorKind.CUSTOMER,
        actor_id=customer_id,
        action="claim.submit",
        target_type="claim",
        target_id=claim_id,
        details={"reference": reference},
    )
    session.flush()
    return claim


def format_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"


def _allocate_reference(session: Session, year: int) -> str:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        ensure: Any = pg_insert(ClaimReferenceCounter).values(year=year, last=0)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        ensure = sqlite_insert(ClaimReferenceCounter).values(year=year, last=0)
    else:  # pragma: no cover - the project runs on these two only
        raise ClaimError(f"unsupported database {dialect}")
    session.execute(ensure.on_conflict_do_nothing(index_elements=["year"]))
    number = session.execute(
        update(ClaimReferenceCounter)
        .where(col(ClaimReferenceCounter.year) == year)
        .values(last=col(ClaimReferenceCounter.last) + 1)
        .returning(col(ClaimReferenceCounter.last))
    ).scalar_one()
    return format_reference(year, int(number))


def _check_file_answers(session: Session, claim_id: str, answers: dict[str, Any]) -> None:
    """Every file id in the answers must be a file uploaded to this very claim."""
    wanted = {
        fid
        for value in answers.values()
        if isinstance(value, list)
        for fid in value
        if isinstance(fid, str)
    }
    if not wanted:
        return
    owned = set(
        session.exec(
            select(ClaimFile.id).where(
                ClaimFile.claim_id == claim_id, col(ClaimFile.id).in_(wanted)
            )
        ).all()
    )
    if owned != wanted:
        raise ClaimError("answers refer to files that are not part of this claim")


# --- reading ----------------------------------------------------------------------------------


def get_claim_for_customer(*, session: Session, customer_id: str, claim_id: str) -> Claim | None:
    """The claim if it is this customer's; None otherwise, exactly as if it did not exist."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.customer_id != customer_id:
        return None
    return claim


def list_claims_for_customer(*, session: Session, customer_id: str) -> list[Claim]:
    query = (
        select(Claim).where(Claim.customer_id == customer_id).order_by(col(Claim.created_at).desc())
    )
    return list(session.exec(query).all())


def get_claim_for_handler(
    *, session: Session, handler_id: str, claim_id: str, reason: str
) -> Claim | None:
    """A claim opened in the employee console. Every opening is audited, with its reason.

    ``handler_id`` must already be authenticated and authorised for claims by the caller.
    """
    if not reason.strip():
        raise ValueError("a reason is required to open a claim")
    claim = session.get(Claim, claim_id)
    record(
        session=session,
        actor_kind=ActorKind.EMPLOYEE,
        actor_id=handler_id,
        action="claim.view" if claim is not None else "claim.view_missing",
        target_type="claim",
        target_id=claim_id,
        reason=reason,
        details={"reference": claim.reference} if claim is not None else {},
    )
    session.flush()
    return claim


def list_claims(
    *,
    session: Session,
    claim_type: str | None = None,
    status: str | None = None,
    submitted_from: datetime | None = None,
    submitted_to: datetime | None = None,
    include_drafts: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[Claim]:
    """Claims for the console list, newest submission first; drafts are private until sent."""
    query = select(Claim)
    if not include_drafts:
        query = query.where(Claim.status != ClaimStatus.DRAFT)
    if claim_type is not None:
        query = query.where(Claim.type == claim_type)
    if status is not None:
        query = query.where(Claim.status == status)
    if submitted_from is not None:
        query = query.where(col(Claim.submitted_at) >= as_aware(submitted_from))
    if submitted_to is not None:
        query = query.where(col(Claim.submitted_at) < as_aware(submitted_to))
    query = (
        query.order_by(col(Claim.submitted_at).desc(), col(Claim.id)).offset(offset).limit(limit)
    )
    return list(session.exec(query).all())


def status_history(*, session: Session, claim_id: str) -> list[ClaimStatusChange]:
    query = (
        select(ClaimStatusChange)
        .where(ClaimStatusChange.claim_id == claim_id)
        .order_by(col(ClaimStatusChange.at), col(ClaimStatusChange.id))
    )
    return list(session.exec(query).all())


def files_of_claim(*, session: Session, claim_id: str) -> list[ClaimFile]:
    query = (
        select(ClaimFile)
        .where(ClaimFile.claim_id == claim_id)
        .order_by(col(ClaimFile.created_at), col(ClaimFile.id))
    )
    return list(session.exec(query).all())


# --- handling ---------------------------------------------------------------------------------


def set_status(
    *,
    session: Session,
    claim_id: str,
    status: ClaimStatus | str,
    actor_id: str,
    actor_kind: ActorKind | str = ActorKind.EMPLOYEE,
    note: str | None = None,
) -> Claim:
    """Move a submitted claim along; writes the history row and an audit event."""
    wanted = ClaimStatus(status)
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ClaimNotFound(claim_id)
    current = ClaimStatus(claim.status)
    if wanted not in TRANSITIONS[current]:
        raise InvalidTransition(current, wanted)
    moment = utcnow()
    # Guarded on the status we read, so two handlers clicking at once cannot both win.
    result = session.execute(
        update(Claim)
        .where(col(Claim.id) == claim_id, col(Claim.status) == current)
        .values(status=wanted, updated_at=moment)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise InvalidTransition(current, wanted)
    session.refresh(claim)
    session.add(
        ClaimStatusChange(
            claim_id=claim_id,
            from_status=current,
            to_status=wanted,
            actor_kind=ActorKind(actor_kind),
            actor_id=actor_id,
            note=note,
            at=moment,
        )
    )
    record(
        session=session,
        actor_kind=ActorKind(actor_kind),
        actor_id=actor_id,
        action="claim.set_status",
        target_type="claim",
        target_id=claim_id,
        reason=note,
        details={"from": current.value, "to": wanted.value},
    )
    session.flush()
    return claim


def _owned(session: Session, customer_id: str, claim_id: str) -> Claim:
    claim = get_claim_for_customer(session=session, customer_id=customer_id, claim_id=claim_id)
    if claim is None:
        raise ClaimNotFound(claim_id)
    return claim
