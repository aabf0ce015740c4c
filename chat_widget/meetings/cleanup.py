"""Carrying out the Bookings work that erasure and retention leave in ``graph_cleanup``.

Why a queue: erasure and the retention purge run in one database transaction and must not
depend on Microsoft Graph being up; what they leave in Bookings (upcoming appointments, the
customer's Bookings customer) is written down in the same transaction and done here, by the
pending-bookings job or right after the commit, until Graph has said yes (or refused for good:
then the row says why, for staff to finish in Bookings by hand).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlmodel import Session

from chat_widget.domain.calendar import AppointmentRequest, MeetingGateway, MeetingOptions
from chat_widget.domain.clock import utcnow
from chat_widget.domain.meeting_errors import AppointmentNotFound, GatewayError, GatewayUnavailable
from chat_widget.meetings.records import CleanupKind, CleanupStatus, GraphCleanup, list_cleanup
from chat_widget.meetings.texts import message

SessionFactory = Callable[[], AbstractContextManager[Session]]
#: A refusal (4xx) is tried this often before the row is marked failed: a permission the admin
#: grants in the meantime still lets it through.
REFUSED_ATTEMPTS = 3


async def process_cleanup(
    *,
    gateway: MeetingGateway,
    sessions: SessionFactory,
    limit: int = 50,
    only: Sequence[int] | None = None,
    max_attempts: int = 30,
    margin_minutes: int = 5,
) -> list[GraphCleanup]:
    """One try for each pending row (oldest first; ``only`` restricts to some ids).

    Returns the rows as they stand afterwards (``done``, still ``pending``, or ``failed``).
    """
    with sessions() as session:
        rows = [
            r for r in list_cleanup(session=session, limit=limit) if only is None or r.id in only
        ]
        for row in rows:
            session.expunge(row)
    result: list[GraphCleanup] = []
    for row in rows:
        error: GatewayError | None = None
        try:
            await _carry_out(gateway, row, margin_minutes)
        except AppointmentNotFound:
            pass  # already gone in Bookings: the goal is reached
        except GatewayError as exc:
            error = exc
        result.append(_finish(sessions, row.id, error, max_attempts))
    return result


async def _carry_out(gateway: MeetingGateway, row: GraphCleanup, margin_minutes: int) -> None:
    # Erasure: the customer is gone, so the cancellation note is in the bank's language.
    note = message("cancelled", "fr")
    if row.kind == CleanupKind.DELETE_CUSTOMER and row.graph_id:
        await gateway.delete_customer(row.graph_id)
    elif row.kind == CleanupKind.CANCEL_APPOINTMENT and row.graph_id:
        await gateway.cancel_appointment(row.graph_id, message=note)
    elif row.kind == CleanupKind.CANCEL_UNCONFIRMED and row.payload:
        data = json.loads(row.payload)
        request = AppointmentRequest(
            booking_id=data["booking_id"],
            topic=data["topic"],
            staff_id=data["staff_id"],
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            customer_name="",
            customer_email=None,
            customer_time_zone="UTC",
            locale="fr",
            options=MeetingOptions(),
            graph_customer_id=data.get("graph_customer_id"),
        )
        margin = timedelta(minutes=margin_minutes)
        found = await gateway.find_appointment(
            request, request.start - margin, request.end + margin
        )
        if found is not None:
            await gateway.cancel_appointment(found.appointment_id, message=note)


def _describe(exc: GatewayError) -> str:
    return f"{type(exc).__name__}: status={exc.status} code={exc.code}"[:500]


def _finish(
    sessions: SessionFactory, cleanup_id: int | None, error: GatewayError | None, max_attempts: int
) -> GraphCleanup:
    with sessions() as session:
        row = session.get(GraphCleanup, cleanup_id)
        assert row is not None
        row.attempts += 1
        if error is None:
            row.status = CleanupStatus.DONE
            row.done_at = utcnow()
            row.last_error = None
        else:
            row.last_error = _describe(error)
            limit = max_attempts if isinstance(error, GatewayUnavailable) else REFUSED_ATTEMPTS
            if row.attempts >= limit:
                row.status = CleanupStatus.FAILED
        session.add(row)
        session.flush()
        session.expunge(row)
        return row
