"""Access and portability: everything the widget holds about one customer, as one ZIP archive.

``data.json`` (machine-readable), ``files/`` (the claim files and live-chat attachments as
uploaded, after cleaning) and a
``README.txt`` in four languages. Left out on purpose: employees' internal notes and handler
notes on status changes (working notes of the bank, not data the customer gave), employee ids,
and the audit log (the bank's security record; an admin exports it separately).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from chat_widget.assistant.records import AssistantReviewItem
from chat_widget.audit import record
from chat_widget.claims.records import Claim, ClaimFile, ClaimStatusChange
from chat_widget.domain.models import ConsentRecord, Conversation, Customer, Message
from chat_widget.files import BlobStore
from chat_widget.live_chat.attachments import attachment_of, files_of
from chat_widget.live_chat.callbacks import export_for_customer as export_callbacks
from chat_widget.live_chat.records import ChatRequest
from chat_widget.meetings.records import MeetingAppointment, MeetingCustomer
from chat_widget.privacy.errors import CustomerNotFound
from chat_widget.privacy.records import DeviceProfile
from chat_widget.privacy.texts import readme

AUDIT_ACTION = "privacy.export"
FORMAT_VERSION = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# A fixed timestamp inside the ZIP so the same data gives the same archive bytes.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def safe_name(name: str, *, limit: int = 80) -> str:
    """A file name that cannot escape its folder or upset an unzip tool."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "file"
    return cleaned[-limit:]


def collect_customer_data(*, session: Session, customer_id: str) -> dict[str, Any]:
    """The content of ``data.json`` (without the archive's file paths)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(customer_id)
    conversations = list(
        session.exec(
            select(Conversation)
            .where(Conversation.customer_id == customer_id)
            .order_by(col(Conversation.created_at), col(Conversation.id))
        ).all()
    )
    conversation_ids = [c.id for c in conversations]
    return {
        "format_version": FORMAT_VERSION,
        "customer": {
            "id": customer.id,
            "bank_reference": customer.external_ref,
            "locale": customer.locale,
            "created_at": _iso(customer.created_at),
            "last_seen_at": _iso(customer.last_seen_at),
        },
        "conversations": [_conversation(session, c) for c in conversations],
        "callback_requests": export_callbacks(session=session, customer_id=customer_id),
        "assistant_questions_kept_for_review": _review_items(session, conversation_ids),
        "consents": [
            {
                "purpose": c.purpose,
                "notice_version": c.notice_version,
                "locale": c.locale,
                "granted": c.granted,
                "at": _iso(c.created_at),
            }
            for c in session.exec(
                select(ConsentRecord)
                .where(ConsentRecord.customer_id == customer_id)
                .order_by(col(ConsentRecord.created_at), col(ConsentRecord.id))
            ).all()
        ],
        "claims": [
            _claim(session, c)
            for c in session.exec(
                select(Claim)
                .where(Claim.customer_id == customer_id)
                .order_by(col(Claim.created_at), col(Claim.id))
            ).all()
        ],
        "appointments": [
            {
                "id": a.id,
                "topic": a.topic,
                "status": a.status,
                "start": _iso(a.start_utc),
                "end": _iso(a.end_utc),
                "time_zone": a.customer_time_zone,
                "name": a.customer_name,
                "email": a.customer_email,
                "advisor_first_name": a.advisor_first_name,
                "join_url": a.join_url,
                "locale": a.locale,
                "booked_at": _iso(a.created_at),
            }
            for a in session.exec(
                select(MeetingAppointment)
                .where(MeetingAppointment.customer_id == customer_id)
                .order_by(col(MeetingAppointment.start_utc))
            ).all()
        ],
        # The customer's record in Microsoft Bookings (its id there), used by every booking.
        "bookings_customer": [
            {"bookings_customer_id": c.graph_customer_id, "created_at": _iso(c.created_at)}
            for c in session.exec(
                select(MeetingCustomer).where(MeetingCustomer.customer_id == customer_id)
            ).all()
        ],
        "device_data": [
            {"collected_at": _iso(p.collected_at), "data": dict(p.data)}
            for p in session.exec(
                select(DeviceProfile)
                .where(DeviceProfile.customer_id == customer_id)
                .order_by(col(DeviceProfile.collected_at))
            ).all()
        ],
    }


def _conversation(session: Session, conversation: Conversation) -> dict[str, Any]:
    messages = session.exec(
        select(Message).where(Message.conversation_id == conversation.id).order_by(col(Message.seq))
    ).all()
    entry: dict[str, Any] = {
        "id": conversation.id,
        "channel": conversation.channel,
        "status": conversation.status,
        "locale": conversation.locale,
        "topic": conversation.topic,
        "page_url": conversation.page_url,
        "summary": conversation.summary,
        "started_at": _iso(conversation.created_at),
        "closed_at": _iso(conversation.closed_at),
        # Who wrote (customer, assistant, agent, system), never which employee.
        "messages": [_message(m) for m in messages],
        "files": [
            {
                "id": f.id,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "uploaded_at": _iso(f.created_at),
                "stored_name": f.stored_name,
            }
            for f in files_of(session=session, conversation_id=conversation.id)
        ],
    }
    chat = session.get(ChatRequest, conversation.id)
    if chat is not None:
        entry["live_chat"] = {
            "language": chat.language,
            "requested_at": _iso(chat.requested_at),
            "accepted_at": _iso(chat.accepted_at),
            "closed_at": _iso(chat.closed_at),
            "handover_summary": chat.handover_summary,
            "left_message": chat.left_message,
            "rating": chat.rating,
            "rating_comment": chat.rating_comment,
        }
    return entry


def _message(message: Message) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "seq": message.seq,
        "from": message.author_kind,
        "text": message.body,
        "at": _iso(message.created_at),
    }
    attachment = attachment_of(message)
    if attachment is not None:
        entry["file_id"] = attachment["id"]
    return entry


def _review_items(session: Session, conversation_ids: list[str]) -> list[dict[str, Any]]:
    if not conversation_ids:
        return []
    rows = session.exec(
        select(AssistantReviewItem)
        .where(col(AssistantReviewItem.conversation_id).in_(conversation_ids))
        .order_by(col(AssistantReviewItem.created_at))
    ).all()
    return [
        {"conversation_id": r.conversation_id, "text": r.text, "at": _iso(r.created_at)}
        for r in rows
    ]


def _claim(session: Session, claim: Claim) -> dict[str, Any]:
    history = session.exec(
        select(ClaimStatusChange)
        .where(ClaimStatusChange.claim_id == claim.id)
        .order_by(col(ClaimStatusChange.at), col(ClaimStatusChange.id))
    ).all()
    files = session.exec(
        select(ClaimFile)
        .where(ClaimFile.claim_id == claim.id)
        .order_by(col(ClaimFile.created_at), col(ClaimFile.id))
    ).all()
    return {
        "id": claim.id,
        "reference": claim.reference,
        "type": claim.type,
        "status": claim.status,
        "locale": claim.locale,
        "answers": dict(claim.answers),
        "policy_start": _iso(claim.policy_start),
        "created_at": _iso(claim.created_at),
        "submitted_at": _iso(claim.submitted_at),
        "status_history": [
            {"from": h.from_status, "to": h.to_status, "by": h.actor_kind, "at": _iso(h.at)}
            for h in history
        ],
        "files": [
            {
                "id": f.id,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "uploaded_at": _iso(f.created_at),
                "stored_name": f.stored_name,
            }
            for f in files
        ],
    }


def export_customer(
    *,
    session: Session,
    store: BlobStore,
    customer_id: str,
    actor: str | None = None,
    actor_kind: str = "customer",
) -> bytes:
    """The archive as bytes; the export is audited (by default as done by the customer)."""
    data = collect_customer_data(session=session, customer_id=customer_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        missing: list[str] = []
        folders = [
            (f"files/{safe_name(claim['reference'] or claim['id'])}", claim["files"])
            for claim in data["claims"]
        ] + [
            (f"files/chat-{conversation['id'][:8]}", conversation["files"])
            for conversation in data["conversations"]
        ]
        for folder, entries in folders:
            for entry in entries:
                stored_name = entry.pop("stored_name")
                content = store.read(stored_name)
                if content is None:
                    entry["path"] = None
                    missing.append(entry["id"])
                    continue
                entry["path"] = f"{folder}/{entry['id'][:8]}-{safe_name(entry['name'])}"
                _write(archive, entry["path"], content)
        data["files_missing"] = missing
        _write(
            archive,
            "data.json",
            json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8"),
        )
        _write(archive, "README.txt", readme(data["customer"]["locale"]).encode("utf-8"))
    record(
        session=session,
        actor_kind=actor_kind,
        actor_id=actor or customer_id,
        action=AUDIT_ACTION,
        target_type="customer",
        target_id=customer_id,
        details={"conversations": len(data["conversations"]), "claims": len(data["claims"])},
    )
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    archive.writestr(info, content)
