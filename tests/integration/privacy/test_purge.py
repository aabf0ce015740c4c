"""The retention job with an injected clock: what is past its period goes, the rest stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.assistant.records import AssistantReviewItem
from chat_widget.claims.records import Claim, ClaimStatus
from chat_widget.domain.models import AuditEvent, Channel, Conversation, Customer, Message
from chat_widget.live_chat.records import ChatRequest, InternalNote, ReadState
from chat_widget.meetings.records import MeetingAppointment
from chat_widget.privacy import policy_from, purge_expired
from chat_widget.privacy.records import DeviceProfile
from chat_widget.privacy.retention import subtract_months
from tests.integration.privacy.helpers import add_agent

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _seed(engine: Engine) -> dict[str, str]:
    agent = add_agent(engine)
    ids: dict[str, str] = {}
    with session_scope(engine) as session:
        customer = Customer(external_ref="REF-P")
        session.add(customer)
        session.flush()

        def conversation(
            key: str, channel: str, age: timedelta | None = None, months: int | None = None
        ) -> str:
            when = (
                subtract_months(NOW, months) if months is not None else NOW - (age or timedelta())
            )
            row = Conversation(
                customer_id=customer.id,
                channel=channel,
                created_at=when,
                updated_at=when,
                last_seq=1,
            )
            session.add(row)
            session.flush()
            session.add(
                Message(
                    conversation_id=row.id,
                    seq=1,
                    client_msg_id="m1",
                    author_kind="customer",
                    body=key,
                    created_at=when,
                )
            )
            ids[key] = row.id
            return row.id

        conversation("assistant_old", Channel.ASSISTANT, timedelta(days=91))
        conversation("assistant_new", Channel.ASSISTANT, timedelta(days=89))
        conversation("assistant_of_claim", Channel.ASSISTANT, timedelta(days=400))
        conversation("live_old", Channel.LIVE_CHAT, months=25)
        conversation("live_new", Channel.LIVE_CHAT, months=23)
        conversation("claim_chat_old", Channel.CLAIM, timedelta(days=2000))
        session.add(
            ChatRequest(
                conversation_id=ids["live_old"],
                customer_id=customer.id,
                language="fr",
                agent_id=agent,
            )
        )
        session.add(InternalNote(conversation_id=ids["live_old"], agent_id=agent, body="note"))
        session.add(
            ReadState(
                conversation_id=ids["live_old"], participant_kind="agent", participant_id=agent
            )
        )
        session.add(
            AssistantReviewItem(
                conversation_id=ids["assistant_old"],
                reason="x",
                locale="fr",
                text="q1",
                created_at=NOW - timedelta(days=91),
            )
        )
        for key, days in (("review_old", 91), ("review_new", 89)):
            item = AssistantReviewItem(
                reason="x", locale="fr", text=key, created_at=NOW - timedelta(days=days)
            )
            session.add(item)
            session.flush()
            ids[key] = item.id
        for key, status in (
            ("claim_submitted", ClaimStatus.SUBMITTED),
            ("claim_draft", ClaimStatus.DRAFT),
        ):
            conv = (
                ids["claim_chat_old"]
                if status == ClaimStatus.SUBMITTED
                else ids["assistant_of_claim"]
            )
            claim = Claim(
                customer_id=customer.id,
                type="car_glass",
                status=status,
                conversation_id=conv,
                created_at=NOW - timedelta(days=3000),
                updated_at=NOW - timedelta(days=3000),
            )
            session.add(claim)
            session.flush()
            ids[key] = claim.id
        for key, topic, months in (
            ("daily_old", "daily_banking", 13),
            ("daily_new", "daily_banking", 11),
            ("mifid_new", "investments", 13),
            ("mifid_old", "investments", 61),
        ):
            end = subtract_months(NOW, months)
            row = MeetingAppointment(
                customer_id=customer.id,
                topic=topic,
                locale="fr",
                customer_name="N",
                start_utc=end - timedelta(minutes=30),
                end_utc=end,
                staff_id="s",
                advisor_first_name="B",
                status="booked",
            )
            session.add(row)
            session.flush()
            ids[key] = row.id
        for key, months in (("device_old", 13), ("device_new", 1)):
            profile = DeviceProfile(
                customer_id=customer.id, collected_at=subtract_months(NOW, months), data={"os": key}
            )
            session.add(profile)
            session.flush()
            ids[key] = profile.id
    return ids


def _exists(engine: Engine, table: type, key: str) -> bool:
    with session_scope(engine) as session:
        return session.get(table, key) is not None


def test_dry_run_counts_and_deletes_nothing(engine: Engine, store: LocalFileStore) -> None:
    ids = _seed(engine)
    with session_scope(engine) as session:
        report = purge_expired(
            session=session, store=store, now=NOW, policy=policy_from({}), dry_run=True
        )
    assert report.dry_run
    assert (
        report.counts["assistant_conversations"] == 1
        and report.counts["live_chat_conversations"] == 1
    )
    assert report.counts["appointments"] == 2 and report.counts["device_profiles"] == 1
    assert (
        report.counts["messages"] == 2
        and report.counts["chat_records"] == 3
        and report.counts["review_items"] == 2
    )
    assert _exists(engine, Conversation, ids["assistant_old"]) and _exists(
        engine, DeviceProfile, ids["device_old"]
    )
    with session_scope(engine) as session:
        assert session.exec(select(AuditEvent)).all() == []


def test_purge_deletes_what_expired_keeps_claims_and_logs_once(
    engine: Engine, store: LocalFileStore
) -> None:
    ids = _seed(engine)
    with session_scope(engine) as session:
        report = purge_expired(session=session, store=store, now=NOW, policy=policy_from({}))

    gone = [
        (Conversation, "assistant_old"),
        (Conversation, "live_old"),
        (AssistantReviewItem, "review_old"),
        (MeetingAppointment, "daily_old"),
        (MeetingAppointment, "mifid_old"),
        (DeviceProfile, "device_old"),
    ]
    stays = [
        (Conversation, "assistant_new"),
        (Conversation, "live_new"),
        (Conversation, "claim_chat_old"),
        (Conversation, "assistant_of_claim"),
        (AssistantReviewItem, "review_new"),
        (Claim, "claim_submitted"),
        (Claim, "claim_draft"),
        (MeetingAppointment, "daily_new"),
        (MeetingAppointment, "mifid_new"),
        (DeviceProfile, "device_new"),
    ]
    for table, key in gone:
        assert not _exists(engine, table, ids[key]), key
    for table, key in stays:
        assert _exists(engine, table, ids[key]), key
    with session_scope(engine) as session:
        for table in (ChatRequest, InternalNote, ReadState):
            assert (
                session.exec(select(table).where(table.conversation_id == ids["live_old"])).all()
                == []
            )
        assert (
            session.exec(
                select(Message).where(Message.conversation_id == ids["assistant_old"])
            ).all()
            == []
        )
        assert session.exec(
            select(Message).where(Message.conversation_id == ids["claim_chat_old"])
        ).one()
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "privacy.purge")).all()
    assert report.counts["messages"] == 2 and report.counts["chat_records"] == 3
    assert report.counts["review_items"] == 2  # one with its conversation, one by age
    assert len(events) == 1 and events[0].actor_kind == "system"
    assert events[0].details["counts"] == report.counts

    with session_scope(engine) as session:
        again = purge_expired(session=session, store=store, now=NOW, policy=policy_from({}))
    assert again.total == 0


def test_settings_shorten_a_period(engine: Engine, store: LocalFileStore) -> None:
    ids = _seed(engine)
    with session_scope(engine) as session:
        report = purge_expired(
            session=session,
            store=store,
            now=NOW,
            policy=policy_from({"CW_RETENTION_ASSISTANT_DAYS": "30"}),
        )
    assert report.counts["assistant_conversations"] == 2
    assert not _exists(engine, Conversation, ids["assistant_new"])
    assert _exists(engine, Conversation, ids["assistant_of_claim"])
