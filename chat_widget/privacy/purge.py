"""The retention job: delete what has outlived its retention period, and say so in the audit log.

Safe to run as often as wanted (it only deletes what is expired at ``now``) and from several
places at once (deletes of rows already gone count zero). Claims are never touched: they are
kept as long as the claim exists. Conversations a claim points at are kept with the claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from chat_widget.assistant.records import AssistantReviewItem
from chat_widget.audit import record
from chat_widget.claims.records import Claim
from chat_widget.domain.clock import as_aware
from chat_widget.domain.models import Channel, Conversation
from chat_widget.files import BlobStore
from chat_widget.live_chat.callbacks import CallbackRequest
from chat_widget.meetings.records import (
    CleanupKind,
    MeetingAppointment,
    MeetingCustomer,
    enqueue_cleanup,
)
from chat_widget.privacy.cleanup import (
    chunks,
    count_conversations,
    delete_by_ids,
    delete_conversations,
    ids_where,
)
from chat_widget.privacy.records import DeviceProfile
from chat_widget.privacy.retention import RetentionPolicy, current_policy, is_regulated_topic

AUDIT_ACTION = "privacy.purge"
SYSTEM_ACTOR = "retention-job"

COUNT_KEYS = (
    "assistant_conversations",
    "live_chat_conversations",
    "video_conversations",
    "messages",
    "chat_records",
    "review_items",
    "appointments",
    "device_profiles",
    "files",
    "bookings_customers",
    "callback_requests",
)


@dataclass(frozen=True)
class PurgeReport:
    now: datetime
    dry_run: bool
    counts: dict[str, int]
    cutoffs: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _bookings_customers_without_meetings(
    session: Session, leaving: set[str]
) -> list[MeetingCustomer]:
    """Bookings customers whose widget customer has no meeting left (``leaving`` ids aside)."""
    result = []
    for bookings_customer in session.exec(select(MeetingCustomer)).all():
        remaining = session.exec(
            select(MeetingAppointment.id).where(
                MeetingAppointment.customer_id == bookings_customer.customer_id
            )
        ).all()
        if not set(remaining) - leaving:
            result.append(bookings_customer)
    return result


def purge_expired(
    *,
    session: Session,
    store: BlobStore,
    now: datetime,
    policy: RetentionPolicy | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Delete expired data (or only count it with ``dry_run``); one audit event per real run.

    Files go with their records: live-chat attachments are deleted from ``store`` with their
    conversation (claim files stay with their claim, which this job never touches).
    """
    now = as_aware(now)
    policy = policy or current_policy()
    cut = {
        "assistant": policy.assistant.before(now),
        "live_chat": policy.live_chat.before(now),
        "video": policy.video.before(now),
        "video_regulated": policy.video_regulated.before(now),
        "review_items": policy.review_items.before(now),
        "device_data": policy.device_data.before(now),
    }
    with_claim = select(Claim.conversation_id).where(col(Claim.conversation_id).is_not(None))
    by_channel: dict[str, list[str]] = {}
    for channel, key in (
        (Channel.ASSISTANT, "assistant"),
        (Channel.LIVE_CHAT, "live_chat"),
        (Channel.VIDEO, "video"),
    ):
        by_channel[key] = ids_where(
            session,
            select(Conversation.id).where(
                Conversation.channel == channel.value,
                col(Conversation.updated_at) < cut[key],
                col(Conversation.id).not_in(with_claim),
            ),
        )
    expired_conversations = [cid for ids in by_channel.values() for cid in ids]
    review_ids = ids_where(
        session,
        select(AssistantReviewItem.id).where(
            col(AssistantReviewItem.created_at) < cut["review_items"]
        ),
    )
    appointment_ids = [
        row.id
        for row in session.exec(
            select(MeetingAppointment).where(col(MeetingAppointment.end_utc) < cut["video"])
        ).all()
        if not is_regulated_topic(row.topic) or as_aware(row.end_utc) < cut["video_regulated"]
    ]
    device_ids = ids_where(
        session,
        select(DeviceProfile.id).where(col(DeviceProfile.collected_at) < cut["device_data"]),
    )
    # Callback requests (message and contact) live as long as a live chat would.
    callback_ids = ids_where(
        session,
        select(CallbackRequest.id).where(col(CallbackRequest.created_at) < cut["live_chat"]),
    )
    counts = dict.fromkeys(COUNT_KEYS, 0)
    counts["callback_requests"] = len(callback_ids)
    counts["assistant_conversations"] = len(by_channel["assistant"])
    counts["live_chat_conversations"] = len(by_channel["live_chat"])
    counts["video_conversations"] = len(by_channel["video"])
    cutoffs = {name: moment.isoformat() for name, moment in cut.items()}
    if dry_run:
        would = count_conversations(session, expired_conversations)
        counts["messages"] = would["messages"]
        counts["chat_records"] = would["chat_records"]
        counts["files"] = would["files"]
        with_conversation = set()
        for part in chunks(expired_conversations):
            with_conversation |= set(
                ids_where(
                    session,
                    select(AssistantReviewItem.id).where(
                        col(AssistantReviewItem.conversation_id).in_(part)
                    ),
                )
            )
        counts["review_items"] = len(with_conversation | set(review_ids))
        counts["appointments"] = len(appointment_ids)
        counts["device_profiles"] = len(device_ids)
        counts["bookings_customers"] = len(
            _bookings_customers_without_meetings(session, set(appointment_ids))
        )
        return PurgeReport(now=now, dry_run=True, counts=counts, cutoffs=cutoffs)

    deleted = delete_conversations(session, expired_conversations, store=store)
    counts["messages"] = deleted["messages"]
    counts["files"] = deleted["files"]
    counts["chat_records"] = deleted["chat_records"]
    counts["review_items"] = deleted["review_items"] + delete_by_ids(
        session, AssistantReviewItem, review_ids
    )
    counts["appointments"] = delete_by_ids(session, MeetingAppointment, appointment_ids)
    counts["device_profiles"] = delete_by_ids(session, DeviceProfile, device_ids)
    counts["callback_requests"] = delete_by_ids(session, CallbackRequest, callback_ids)
    for bookings_customer in _bookings_customers_without_meetings(session, set()):
        # The customer's last meeting is past retention: their Bookings customer (name, e-mail)
        # goes too, through the queue the pending-bookings job carries out.
        enqueue_cleanup(
            session=session,
            kind=CleanupKind.DELETE_CUSTOMER,
            graph_id=bookings_customer.graph_customer_id,
            reason="retention",
        )
        session.delete(bookings_customer)
        counts["bookings_customers"] += 1
    session.flush()
    record(
        session=session,
        actor_kind="system",
        actor_id=SYSTEM_ACTOR,
        action=AUDIT_ACTION,
        target_type="retention",
        target_id=now.date().isoformat(),
        details={"counts": counts, "cutoffs": cutoffs, "policy": policy.as_dict()},
    )
    return PurgeReport(now=now, dry_run=False, counts=counts, cutoffs=cutoffs)
