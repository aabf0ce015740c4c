"""The claims console's work list: who may use it, and the claims a handler works from.

Plain Python, called by the Reflex state in one step per event. The list is searchable by what
a handler has in hand when a customer calls (the reference, the policy number, the plate, the
bank's customer number), filtered by type, status, day and owner, and sorted by age, because a
claims desk works oldest-first against a target time (``CW_CLAIM_AGE_TARGET_HOURS``). Every
list shown is audited with the claims it showed, like the opening of one claim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from chat_widget import agents
from chat_widget.agents.records import Agent, Role
from chat_widget.audit import record
from chat_widget.claims.i18n import pick, status_label
from chat_widget.claims.questions import questionnaire, questionnaires
from chat_widget.claims.records import ActorKind, Claim, ClaimStatus
from chat_widget.domain.clock import BANK_ZONE, as_aware
from chat_widget.domain.models import Customer
from chat_widget.i18n import t

#: Roles that may open the claims console (kept in step with ``agents.console.PAGE_ROLES``).
HANDLER_ROLES = (Role.CLAIMS_HANDLER, Role.ADMIN)
#: Still to be decided by a handler: these count against the age target.
OPEN_STATUSES = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW})
STATUS_OPEN = "open"
OWNER_MINE = "mine"
OWNER_NONE = "none"
SORT_OLDEST = "oldest"
SORT_NEWEST = "newest"
MAX_SEARCH = 40
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


class HandlerDenied(Exception):
    """Signed in, but without a role that may handle claims."""


def handler_of(session: Session, token: str) -> tuple[str, str]:
    """(id, display name) of the console session's employee if they may handle claims.

    Raises ``agents.NotAuthenticated`` for no live session, :class:`HandlerDenied` for one
    without the role; checked on every page load, event and file request."""
    for role in HANDLER_ROLES:
        try:
            agent = agents.require_role(session=session, session_token=token, role=role)
        except agents.NotAuthenticated:
            raise  # a subclass of NotAuthorized: no session at all is not "another role"
        except agents.NotAuthorized:
            continue
        return agent.id, agent.display_name
    raise HandlerDenied


@dataclass
class ClaimQuery:
    """The list's search and filters as the handler typed them (strings, already bounded)."""

    text: str = ""
    claim_type: str = ""
    status: str = STATUS_OPEN
    submitted_from: str = ""
    submitted_to: str = ""
    owner: str = ""
    sort: str = SORT_OLDEST

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> ClaimQuery:
        """Anything the browser sent, reduced to values the list understands."""

        def field(name: str, size: int) -> str:
            return str(form.get(name) or "").strip()[:size]

        claim_type = field("type", 32)
        status = field("status", 16)
        owner = field("owner", 8)
        return cls(
            text=field("q", MAX_SEARCH),
            claim_type=claim_type if claim_type in questionnaires() else "",
            status=status if status in {STATUS_OPEN, *(s.value for s in ClaimStatus)} else "",
            submitted_from=field("from", 10) if _day(field("from", 10)) else "",
            submitted_to=field("to", 10) if _day(field("to", 10)) else "",
            owner=owner if owner in {OWNER_MINE, OWNER_NONE} else "",
            sort=SORT_NEWEST if field("sort", 8) == SORT_NEWEST else SORT_OLDEST,
        )


@dataclass
class ClaimRow:
    id: str
    reference: str
    customer: str
    policy: str
    plate: str
    type: str
    status: str
    owner: str
    age: str
    #: "overdue (target 48 h)" in the console language, "" when on time or decided
    late: str
    submitted: str


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def normalise_search(raw: str) -> str:
    """Letters and digits only, upper case: ``sin-2026/12`` finds ``SIN-2026-000012``'s part
    ``SIN202600001…``, ``1 abc 123`` finds the plate ``1-ABC-123``."""
    return _NOT_ALNUM.sub("", raw).upper()[:MAX_SEARCH]


def _squashed(expression: Any) -> Any:
    """The SQL twin of :func:`normalise_search` for the separators people type."""
    for separator in ("-", " ", ".", "/"):
        expression = func.replace(expression, separator, "")
    return func.upper(expression)


def type_label(claim_type: str, locale: str) -> str:
    try:
        return pick(questionnaire(claim_type).label, locale)
    except KeyError:
        return claim_type


def type_options(locale: str) -> list[list[str]]:
    """[type, label] of every claim type, for the type filter."""
    return [[k, type_label(k, locale)] for k in sorted(questionnaires())]


def status_options(locale: str) -> list[list[str]]:
    """[status, label] of every status a sent claim can have, for the status filter."""
    return [[s.value, status_label(s.value, locale)] for s in ClaimStatus if s != ClaimStatus.DRAFT]


def when_label(moment: datetime | None) -> str:
    """Console timestamps are on the bank's wall clock, like the day filters."""
    if moment is None:
        return "—"
    return as_aware(moment).astimezone(BANK_ZONE).strftime("%Y-%m-%d %H:%M")


def age_label(submitted: datetime | None, now: datetime, locale: str) -> str:
    if submitted is None:
        return "—"
    minutes = max(0, int((now - as_aware(submitted)).total_seconds() // 60))
    if minutes < 60:
        return t(locale, "claims.age_minutes", m=minutes)
    hours = minutes // 60
    if hours < 24:
        return t(locale, "claims.age_hours", h=hours)
    return t(locale, "claims.age_days", d=hours // 24, h=hours % 24)


def late_label(claim: Claim, now: datetime, target_hours: int, locale: str) -> str:
    """Open for longer than the target: the console marks it and oldest-first puts it on top."""
    if claim.submitted_at is None or claim.status not in OPEN_STATUSES:
        return ""
    if now - as_aware(claim.submitted_at) < timedelta(hours=target_hours):
        return ""
    return t(locale, "claims.late", hours=target_hours)


def answer_text(claim: Claim, question_id: str) -> str:
    value = claim.answers.get(question_id)
    return value if isinstance(value, str) else ""


def agent_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.exec(select(Agent.id, Agent.display_name).where(col(Agent.id).in_(ids)))
    return dict(rows.all())


def list_for_handler(
    *,
    session: Session,
    handler_id: str,
    query: ClaimQuery,
    locale: str,
    now: datetime,
    target_hours: int,
    limit: int = 200,
) -> list[ClaimRow]:
    """The claims matching ``query`` as rows for the console, audited with what was shown."""
    statement = select(Claim, Customer.external_ref).join(
        Customer, col(Customer.id) == col(Claim.customer_id), isouter=True
    )
    statement = statement.where(Claim.status != ClaimStatus.DRAFT)
    if query.claim_type:
        statement = statement.where(Claim.type == query.claim_type)
    if query.status == STATUS_OPEN:
        statement = statement.where(col(Claim.status).in_(OPEN_STATUSES))
    elif query.status:
        statement = statement.where(Claim.status == query.status)
    start, end = _day(query.submitted_from), _day(query.submitted_to)
    if start is not None:
        since = datetime.combine(start, time(), BANK_ZONE)
        statement = statement.where(col(Claim.submitted_at) >= as_aware(since))
    if end is not None:
        until = datetime.combine(end + timedelta(days=1), time(), BANK_ZONE)
        statement = statement.where(col(Claim.submitted_at) < as_aware(until))
    if query.owner == OWNER_MINE:
        statement = statement.where(Claim.owner_id == handler_id)
    elif query.owner == OWNER_NONE:
        statement = statement.where(col(Claim.owner_id).is_(None))
    needle = normalise_search(query.text)
    if needle:
        pattern = f"%{needle}%"
        answers = col(Claim.answers)
        statement = statement.where(
            or_(
                _squashed(col(Claim.reference)).like(pattern),
                _squashed(answers["policy_number"].as_string()).like(pattern),
                _squashed(answers["vehicle_plate"].as_string()).like(pattern),
                _squashed(col(Customer.external_ref)).like(pattern),
            )
        )
    submitted = col(Claim.submitted_at)
    order = submitted.desc() if query.sort == SORT_NEWEST else submitted.asc()
    found = list(session.exec(statement.order_by(order, col(Claim.id)).limit(limit)).all())
    # The list shows who declared what and when: it is audited too, with what it showed.
    record(
        session=session,
        actor_kind=ActorKind.EMPLOYEE,
        actor_id=handler_id,
        action="claim.list",
        target_type="claim",
        target_id="*",
        details={
            "search": query.text or None,
            "type": query.claim_type or None,
            "status": query.status or None,
            "from": query.submitted_from or None,
            "to": query.submitted_to or None,
            "owner": query.owner or None,
            "claim_ids": [claim.id for claim, _ in found],
        },
    )
    owners = agent_names(session, {c.owner_id for c, _ in found if c.owner_id})
    nobody = t(locale, "claims.owner_none")
    return [
        ClaimRow(
            id=claim.id,
            reference=claim.reference or "—",
            customer=customer or t(locale, "claims.customer_anonymous"),
            policy=answer_text(claim, "policy_number") or "—",
            plate=answer_text(claim, "vehicle_plate"),
            type=type_label(claim.type, locale),
            status=status_label(claim.status, locale),
            owner=owners.get(claim.owner_id or "", nobody),
            age=age_label(claim.submitted_at, now, locale),
            late=late_label(claim, now, target_hours, locale),
            submitted=when_label(claim.submitted_at),
        )
        for claim, customer in found
    ]
