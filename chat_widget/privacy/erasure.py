"""Erasure ("right to be forgotten") for one customer: delete what the bank may, keep what the
law requires, and say per category which is which and why (texts: the ``privacy`` catalogs).

Decisions (see docs/data-rights.md):
- erased: every conversation and its messages, live-chat rows, attachments and internal notes,
  callback requests (message and contact left when live chat was closed), the
  assistant's review items of those conversations, claims never submitted (with their files),
  device data, appointments not held or not about investments, consents not tied to a kept
  meeting;
- kept: submitted claims with their answers, history and files (insurance law), held
  investment-advice meetings and the video consents behind them (MiFID II), the audit log
  (append-only; the erasure itself is recorded there);
- the customer row is anonymised (bank reference removed) when anything is kept, else deleted.

Bytes in the file store are deleted before the database commit: if the commit then fails, the
request is simply run again, and a half-erased draft is still erased data.

Microsoft Bookings holds a copy too: each upcoming appointment and the customer's Bookings
customer (name, e-mail). Their Graph ids are written to the ``graph_cleanup`` queue in the same
transaction that deletes the local rows, so they cannot be lost; the pending-bookings job (or
the caller, right after the commit) cancels the appointments and deletes the Bookings customer,
retrying while Graph is away.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, delete, select

from chat_widget.audit import record
from chat_widget.claims.attachments import erase_claim_files
from chat_widget.claims.records import Claim, ClaimStatus, ClaimStatusChange
from chat_widget.domain.clock import as_aware, utcnow
from chat_widget.domain.models import Channel, ConsentRecord, Conversation, Customer
from chat_widget.files import BlobStore
from chat_widget.live_chat.callbacks import erase_for_customer as erase_callbacks
from chat_widget.meetings.consent import VIDEO_PURPOSE
from chat_widget.meetings.records import (
    AppointmentStatus,
    CleanupKind,
    MeetingAppointment,
    MeetingCustomer,
    enqueue_cleanup,
)
from chat_widget.privacy.cleanup import delete_by_ids, delete_conversations
from chat_widget.privacy.errors import CustomerNotFound
from chat_widget.privacy.records import DeviceProfile
from chat_widget.privacy.retention import is_regulated_topic
from chat_widget.privacy.texts import category_text

AUDIT_ACTION = "privacy.erase"

ERASED_ORDER = (
    "assistant_conversations",
    "live_chat_conversations",
    "callback_requests",
    "other_conversations",
    "draft_claims",
    "review_items",
    "device_data",
    "appointments",
    "consents",
)
KEPT_ORDER = ("submitted_claims", "investment_meetings", "audit_log", "customer_record")


@dataclass(frozen=True, slots=True)
class StatementItem:
    """One line of what the widget shows after erasure."""

    category: str
    status: str  # "erased" or "kept"
    count: int | None  # None where counting means nothing (the audit log)
    title: str
    text: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class ErasureReport:
    customer_id: str
    erased: dict[str, int]
    kept: dict[str, int]
    kept_claim_references: tuple[str, ...]
    kept_appointment_ids: tuple[str, ...]
    files_deleted: int
    customer_deleted: bool
    #: Microsoft Bookings ids of upcoming meetings whose local row was erased: queued for
    #: cancellation in Bookings (``graph_cleanup``), with the customer's Bookings customer.
    bookings_to_cancel: tuple[str, ...] = field(default_factory=tuple)
    #: The ``graph_cleanup`` rows written by this erasure (to carry out right away).
    cleanup_ids: tuple[int, ...] = field(default_factory=tuple)

    def statement(self, locale: str) -> list[StatementItem]:
        """Erased categories that had data, then everything kept and why, in ``locale``."""
        items: list[StatementItem] = []
        for category in ERASED_ORDER:
            count = self.erased.get(category, 0)
            if count:
                title, text = category_text(category, locale)
                items.append(StatementItem(category, "erased", count, title, text))
        for category in KEPT_ORDER:
            if category == "audit_log":
                title, text = category_text(category, locale)
                items.append(StatementItem(category, "kept", None, title, text))
                continue
            count = self.kept.get(category, 0)
            if not count:
                continue
            title, text = category_text(category, locale)
            refs = self.kept_claim_references if category == "submitted_claims" else ()
            items.append(StatementItem(category, "kept", count, title, text, refs))
        return items


def erase_customer(
    *,
    session: Session,
    store: BlobStore,
    customer_id: str,
    actor: str,
    actor_kind: str = "employee",
    reason: str | None = None,
    now: datetime | None = None,
) -> ErasureReport:
    """Erase the customer's data that the bank may erase; see the module docstring.

    ``actor`` is who asked (an admin's username, or the customer id when the customer erases
    from the widget with ``actor_kind="customer"``). Raises :class:`CustomerNotFound`.
    """
    moment = as_aware(now) if now is not None else utcnow()
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(customer_id)
    erased = dict.fromkeys(ERASED_ORDER, 0)
    kept = dict.fromkeys(KEPT_ORDER, 0)
    files_deleted = 0

    claims = list(session.exec(select(Claim).where(Claim.customer_id == customer_id)).all())
    submitted = [c for c in claims if c.status != ClaimStatus.DRAFT]
    for claim in claims:
        if claim.status == ClaimStatus.DRAFT:
            files_deleted += erase_claim_files(session=session, store=store, claim_id=claim.id)
            session.execute(
                delete(ClaimStatusChange).where(col(ClaimStatusChange.claim_id) == claim.id)
            )
            session.delete(claim)
            erased["draft_claims"] += 1
    session.flush()
    kept["submitted_claims"] = len(submitted)
    references = tuple(sorted(c.reference or c.id for c in submitted))

    conversations = list(
        session.exec(select(Conversation).where(Conversation.customer_id == customer_id)).all()
    )
    for conversation in conversations:
        if conversation.channel == Channel.ASSISTANT:
            erased["assistant_conversations"] += 1
        elif conversation.channel == Channel.LIVE_CHAT:
            erased["live_chat_conversations"] += 1
        else:
            erased["other_conversations"] += 1
    deleted = delete_conversations(session, [c.id for c in conversations], store=store)
    files_deleted += deleted["files"]
    erased["review_items"] = deleted["review_items"]

    erased["callback_requests"] = erase_callbacks(session=session, customer_id=customer_id)

    erased["device_data"] = delete_by_ids(
        session,
        DeviceProfile,
        [
            p.id
            for p in session.exec(
                select(DeviceProfile).where(DeviceProfile.customer_id == customer_id)
            )
        ],
    )

    to_delete: list[str] = []
    kept_meetings: list[MeetingAppointment] = []
    to_cancel: list[str] = []
    cleanup: list[int | None] = []
    bookings_customer = session.get(MeetingCustomer, customer_id)
    for appointment in session.exec(
        select(MeetingAppointment).where(MeetingAppointment.customer_id == customer_id)
    ).all():
        held = (
            appointment.status == AppointmentStatus.BOOKED
            and as_aware(appointment.start_utc) <= moment
        )
        if held and is_regulated_topic(appointment.topic):
            kept_meetings.append(appointment)
            continue
        upcoming = as_aware(appointment.start_utc) > moment
        if upcoming and appointment.status in (AppointmentStatus.BOOKED, AppointmentStatus.PENDING):
            if appointment.graph_appointment_id:
                to_cancel.append(appointment.graph_appointment_id)
                cleanup.append(
                    enqueue_cleanup(
                        session=session,
                        kind=CleanupKind.CANCEL_APPOINTMENT,
                        graph_id=appointment.graph_appointment_id,
                        reason="erasure",
                    ).id
                )
            elif appointment.attempts > 0:
                # An attempt whose answer never came may have booked it: look it up and cancel.
                cleanup.append(
                    enqueue_cleanup(
                        session=session,
                        kind=CleanupKind.CANCEL_UNCONFIRMED,
                        payload=json.dumps(
                            {
                                "booking_id": appointment.id,
                                "topic": appointment.topic,
                                "staff_id": appointment.staff_id,
                                "start": as_aware(appointment.start_utc).isoformat(),
                                "end": as_aware(appointment.end_utc).isoformat(),
                                "graph_customer_id": bookings_customer.graph_customer_id
                                if bookings_customer
                                else None,
                            }
                        ),
                        reason="erasure",
                    ).id
                )
        to_delete.append(appointment.id)
    for appointment in kept_meetings:
        # The meeting is over: its Teams link is no evidence of anything, the rest is the record.
        appointment.join_url = None
        session.add(appointment)
    erased["appointments"] = delete_by_ids(session, MeetingAppointment, to_delete)
    kept["investment_meetings"] = len(kept_meetings)
    if bookings_customer is not None:
        # The Bookings customer holds name and e-mail: deleted after the cancellations above.
        cleanup.append(
            enqueue_cleanup(
                session=session,
                kind=CleanupKind.DELETE_CUSTOMER,
                graph_id=bookings_customer.graph_customer_id,
                reason="erasure",
            ).id
        )
        session.delete(bookings_customer)
        session.flush()

    consent_query = select(ConsentRecord.id).where(ConsentRecord.customer_id == customer_id)
    if kept_meetings:
        # The video consent proves the kept meeting (and its recording) was agreed to.
        consent_query = consent_query.where(ConsentRecord.purpose != VIDEO_PURPOSE)
    erased["consents"] = delete_by_ids(session, ConsentRecord, list(session.exec(consent_query)))

    keeps_something = bool(submitted or kept_meetings)
    if keeps_something:
        customer.external_ref = None
        session.add(customer)
        kept["customer_record"] = 1
    else:
        session.delete(customer)
    session.flush()

    record(
        session=session,
        actor_kind=actor_kind,
        actor_id=actor,
        action=AUDIT_ACTION,
        target_type="customer",
        target_id=customer_id,
        reason=reason,
        details={
            "erased": erased,
            "kept": kept,
            "files_deleted": files_deleted,
            "kept_claim_references": list(references),
            "customer_deleted": not keeps_something,
            "bookings_cleanup_queued": len(cleanup),
        },
    )
    return ErasureReport(
        customer_id=customer_id,
        erased=erased,
        kept=kept,
        kept_claim_references=references,
        kept_appointment_ids=tuple(a.id for a in kept_meetings),
        files_deleted=files_deleted,
        customer_deleted=not keeps_something,
        bookings_to_cancel=tuple(to_cancel),
        cleanup_ids=tuple(i for i in cleanup if i is not None),
    )
