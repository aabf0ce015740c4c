"""Seeding a customer with data in every table, and scanning the whole database and store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, String, Text, TypeDecorator, cast, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.agents.records import Agent
from chat_widget.assistant.records import AssistantReviewItem
from chat_widget.claims.records import Claim, ClaimFile, ClaimStatus, ClaimStatusChange
from chat_widget.domain.models import Channel, ConsentRecord, Conversation, Customer, Message
from chat_widget.live_chat.records import ChatFile, ChatRequest, InternalNote, ReadState
from chat_widget.meetings.records import AppointmentStatus, MeetingAppointment
from chat_widget.privacy.device import record_device_consent, store_device_data

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass
class Seeded:
    customer_id: str
    prefix: str
    submitted_reference: str
    canaries: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def c(self, key: str) -> str:
        return self.canaries[key]


def _canary(prefix: str, key: str) -> str:
    return f"CANARY-{prefix}-{key}-7f3a"


def add_agent(engine: Engine, username: str = "agent.anna") -> str:
    with session_scope(engine) as session:
        agent = Agent(username=username, display_name="Anna A.", first_name="Anna")
        session.add(agent)
        session.flush()
        return agent.id


def _conversation(
    session, customer_id: str, channel: str, bodies: list[str], when: datetime
) -> Conversation:  # type: ignore[no-untyped-def]
    conversation = Conversation(
        customer_id=customer_id,
        channel=channel,
        locale="fr",
        created_at=when,
        updated_at=when,
        last_seq=len(bodies),
    )
    session.add(conversation)
    session.flush()
    for seq, body in enumerate(bodies, start=1):
        kind = "customer" if seq % 2 else "agent"
        session.add(
            Message(
                conversation_id=conversation.id,
                seq=seq,
                client_msg_id=f"m{seq}",
                author_kind=kind,
                body=body,
                created_at=when,
            )
        )
    session.flush()
    return conversation


def seed_customer(
    engine: Engine,
    store: LocalFileStore,
    *,
    prefix: str,
    external_ref: str,
    agent_id: str,
    reference_number: int = 1,
    when: datetime = NOW - timedelta(days=3),
) -> Seeded:
    """One identified customer with a canary in every place their data can live."""
    keys = [
        "assistant",
        "summary",
        "review",
        "live",
        "rating",
        "note",
        "chat_file",
        "device",
        "draft",
        "draft_file",
        "claim_chat",
        "kept",
        "kept_file",
        "appt_future",
        "appt_past",
        "appt_mifid",
    ]
    canaries = {key: _canary(prefix, key) for key in keys}
    reference = f"SIN-2026-{reference_number:06d}"
    seeded = Seeded(customer_id="", prefix=prefix, submitted_reference=reference, canaries=canaries)
    with session_scope(engine) as session:
        customer = Customer(external_ref=external_ref, locale="nl")
        session.add(customer)
        session.flush()
        cid = customer.id
        seeded.customer_id = cid

        assistant = _conversation(
            session, cid, Channel.ASSISTANT, [f"my card {canaries['assistant']}", "ok"], when
        )
        assistant.summary = f"customer asked about {canaries['summary']}"
        session.add(assistant)
        session.add(
            AssistantReviewItem(
                conversation_id=assistant.id,
                reason="low_confidence",
                locale="nl",
                text=canaries["review"],
                created_at=when,
            )
        )
        live = _conversation(
            session, cid, Channel.LIVE_CHAT, [f"hello {canaries['live']}", "Hi, Anna here"], when
        )
        session.add(
            ChatRequest(
                conversation_id=live.id,
                customer_id=cid,
                language="nl",
                agent_id=agent_id,
                requested_at=when,
                rating=5,
                rating_comment=canaries["rating"],
                handover_summary="handover",
            )
        )
        session.add(
            InternalNote(
                conversation_id=live.id, agent_id=agent_id, body=canaries["note"], created_at=when
            )
        )
        session.add(
            ReadState(
                conversation_id=live.id,
                participant_kind="customer",
                participant_id=cid,
                last_read_seq=2,
            )
        )
        # A file the customer sent in the live chat, and the message carrying it.
        chat_stored = store.put(f"bytes {canaries['chat_file']}".encode(), suffix=".png")
        chat_file = ChatFile(
            conversation_id=live.id,
            customer_id=cid,
            sender_kind="customer",
            original_name=f"{canaries['chat_file']}.png",
            stored_name=chat_stored,
            content_type="image/png",
            size=10,
            sha256="2" * 64,
            created_at=when,
        )
        session.add(chat_file)
        session.flush()
        live.last_seq = 3
        session.add(live)
        session.add(
            Message(
                conversation_id=live.id,
                seq=3,
                client_msg_id="m3",
                author_kind="customer",
                body=chat_file.original_name,
                meta={"attachment": {"id": chat_file.id, "name": chat_file.original_name}},
                created_at=when,
            )
        )
        claim_chat = _conversation(
            session, cid, Channel.CLAIM, [f"glass broke {canaries['claim_chat']}"], when
        )

        record_device_consent(
            session=session, customer_id=cid, locale="nl", granted=True, notice_version="device-1"
        )
        store_device_data(
            session=session, customer_id=cid, raw={"browser": canaries["device"], "os": "Linux"}
        )
        session.add(
            ConsentRecord(
                customer_id=cid, purpose="video", notice_version="v1", locale="nl", granted=True
            )
        )

        draft = Claim(
            customer_id=cid,
            type="car_glass",
            answers={"what": canaries["draft"]},
            state={"answers": {"what": canaries["draft"]}},
            created_at=when,
            updated_at=when,
        )
        session.add(draft)
        session.flush()
        draft_stored = store.put(f"bytes {canaries['draft_file']}".encode(), suffix=".png")
        session.add(
            ClaimFile(
                claim_id=draft.id,
                original_name=f"{canaries['draft_file']}.png",
                stored_name=draft_stored,
                content_type="image/png",
                size=10,
                sha256="0" * 64,
            )
        )

        submitted = Claim(
            customer_id=cid,
            type="car_glass",
            status=ClaimStatus.SUBMITTED,
            reference=reference,
            conversation_id=claim_chat.id,
            answers={"what": canaries["kept"]},
            state={"answers": {"what": canaries["kept"]}},
            created_at=when,
            updated_at=when,
            submitted_at=when,
        )
        session.add(submitted)
        session.flush()
        kept_stored = store.put(f"%PDF {canaries['kept_file']}".encode(), suffix=".pdf")
        session.add(
            ClaimFile(
                claim_id=submitted.id,
                original_name=f"{canaries['kept_file']}.pdf",
                stored_name=kept_stored,
                content_type="application/pdf",
                size=10,
                sha256="1" * 64,
            )
        )
        session.add(
            ClaimStatusChange(
                claim_id=submitted.id,
                from_status="draft",
                to_status="submitted",
                actor_kind="customer",
                actor_id=cid,
                at=when,
            )
        )
        session.add(
            ClaimStatusChange(
                claim_id=submitted.id,
                from_status="submitted",
                to_status="in_review",
                actor_kind="employee",
                actor_id=agent_id,
                note="handler remark",
                at=when + timedelta(hours=1),
            )
        )

        def appointment(
            topic: str, start: datetime, name: str, status: str = AppointmentStatus.BOOKED
        ) -> MeetingAppointment:
            row = MeetingAppointment(
                customer_id=cid,
                topic=topic,
                locale="nl",
                customer_name=name,
                customer_email=f"{prefix}@example.test",
                start_utc=start,
                end_utc=start + timedelta(minutes=30),
                staff_id="staff-1",
                advisor_first_name="Bert",
                join_url="https://teams.example.test/meet/1",
                status=status,
                graph_appointment_id=f"graph-{prefix}-{topic}-{start.day}",
            )
            session.add(row)
            return row

        appointment("daily_banking", NOW + timedelta(days=5), canaries["appt_future"])
        appointment("daily_banking", NOW - timedelta(days=20), canaries["appt_past"])
        appointment("investments", NOW - timedelta(days=10), canaries["appt_mifid"])
        session.flush()
        seeded.ids.update(
            assistant=assistant.id,
            live=live.id,
            claim_chat=claim_chat.id,
            draft=draft.id,
            submitted=submitted.id,
            draft_stored=draft_stored,
            kept_stored=kept_stored,
            chat_stored=chat_stored,
        )
    return seeded


def holds_text(column: Column[Any]) -> bool:
    """Strings and JSON; SQLModel's AutoString is a TypeDecorator, so look at what it wraps."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, String | JSON)


def text_columns() -> list[tuple[str, str]]:
    """Every text-like or JSON column of every table in the metadata."""
    return [
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if holds_text(column)
    ]


def db_text(engine: Engine) -> dict[tuple[str, str], list[str]]:
    """Every non-null text/JSON value in the database, read with SQL, by (table, column)."""
    values: dict[tuple[str, str], list[str]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            columns = [column for column in table.columns if holds_text(column)]
            if not columns:
                continue
            rows = conn.execute(select(*(cast(column, Text) for column in columns))).all()
            for index, column in enumerate(columns):
                values[(table.name, column.name)] = [
                    row[index] for row in rows if row[index] is not None
                ]
    return values


def where_in_db(
    source: Engine | dict[tuple[str, str], list[str]], needle: str
) -> set[tuple[str, str]]:
    """(table, column) pairs with a value containing ``needle`` anywhere in the database."""
    values = db_text(source) if isinstance(source, Engine) else source
    return {key for key, texts in values.items() if any(needle in text for text in texts)}


def where_in_files(root: Path, needle: str) -> list[Path]:
    """Files under the store root whose name or bytes contain ``needle``."""
    raw = needle.encode()
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and (needle in path.name or raw in path.read_bytes())
    ]
