"""What a handler does to a claim besides reading it: take it, pass it on, move its status.

Ownership tells colleagues who has a claim in hand, so two handlers do not call the same
customer; it can go only to an active employee who may handle claims, and every change is
audited (from whom, to whom, by whom). Accepting and refusing are told to the customer and are
not undone lightly, so they need an explicit confirmation; the console never preselects a
status.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from chat_widget.agents.records import Agent
from chat_widget.audit import record
from chat_widget.claims.console import HANDLER_ROLES
from chat_widget.claims.records import (
    ActorKind,
    Claim,
    ClaimError,
    ClaimNotFound,
    ClaimStatus,
)
from chat_widget.domain.clock import utcnow

#: Statuses the customer is told about as a decision: the console asks "are you sure?" first.
CONFIRMED_STATUSES = frozenset({ClaimStatus.ACCEPTED, ClaimStatus.REJECTED})


class OwnerRefused(ClaimError):
    """The chosen employee may not handle claims (or no longer exists)."""


def needs_confirmation(status: str) -> bool:
    return status in CONFIRMED_STATUSES


def claim_handlers(*, session: Session) -> list[list[str]]:
    """[id, display name] of every active employee who may own a claim, by name."""
    agents = session.exec(select(Agent).where(col(Agent.active).is_(True))).all()
    return sorted(
        ([a.id, a.display_name] for a in agents if set(a.roles) & set(HANDLER_ROLES)),
        key=lambda pair: pair[1].casefold(),
    )


def assign_owner(*, session: Session, claim_id: str, owner_id: str | None, actor_id: str) -> None:
    """Give the claim to ``owner_id`` (``None`` releases it); audited with before and after."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status == ClaimStatus.DRAFT:
        raise ClaimNotFound(claim_id)
    if owner_id is not None and owner_id not in {a for a, _ in claim_handlers(session=session)}:
        raise OwnerRefused(owner_id)
    previous = claim.owner_id
    if previous == owner_id:
        return
    # Guarded on the owner we read: two handlers taking the same claim at once, one wins.
    result = session.execute(
        update(Claim)
        .where(col(Claim.id) == claim_id)
        .where(
            col(Claim.owner_id).is_(None) if previous is None else col(Claim.owner_id) == previous
        )
        .values(owner_id=owner_id, owner_since=utcnow() if owner_id else None)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise OwnerRefused(owner_id or "")
    record(
        session=session,
        actor_kind=ActorKind.EMPLOYEE,
        actor_id=actor_id,
        action="claim.assign",
        target_type="claim",
        target_id=claim_id,
        details={"from": previous, "to": owner_id},
    )
    session.flush()
