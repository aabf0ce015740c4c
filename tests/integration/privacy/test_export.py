"""The access/portability archive: everything of one customer, nothing of anyone else."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.domain.models import AuditEvent
from chat_widget.privacy import export_customer
from tests.integration.privacy.helpers import add_agent, seed_customer


def test_archive_holds_the_customers_data_and_files_only(
    engine: Engine, store: LocalFileStore
) -> None:
    agent = add_agent(engine)
    mine = seed_customer(
        engine, store, prefix="A", external_ref="REF-A", agent_id=agent, reference_number=1
    )
    other = seed_customer(
        engine, store, prefix="B", external_ref="REF-B", agent_id=agent, reference_number=2
    )
    with session_scope(engine) as session:
        blob = export_customer(session=session, store=store, customer_id=mine.customer_id)

    archive = zipfile.ZipFile(io.BytesIO(blob))
    assert archive.testzip() is None
    names = archive.namelist()
    assert {"data.json", "README.txt"} <= set(names)
    files = sorted(n for n in names if n.startswith("files/"))
    # The two claim files and the live-chat attachment.
    assert len(files) == 3 and all(".." not in n for n in files)
    data = json.loads(archive.read("data.json"))
    readme = archive.read("README.txt").decode("utf-8")
    assert readme.startswith("Uw gegevens")  # the customer's language first
    assert "Your data from the contact widget" in readme

    assert data["customer"]["bank_reference"] == "REF-A"
    channels = sorted(c["channel"] for c in data["conversations"])
    assert channels == ["assistant", "claim", "live_chat"]
    everything = json.dumps(data)
    for key in (
        "assistant",
        "summary",
        "review",
        "live",
        "rating",
        "device",
        "draft",
        "kept",
        "claim_chat",
        "appt_future",
        "appt_past",
        "appt_mifid",
        "draft_file",
        "kept_file",
        "chat_file",
    ):
        assert mine.c(key) in everything, key
    # Employees' internal notes and handler remarks are not part of the customer's copy.
    assert mine.c("note") not in everything and "handler remark" not in everything
    assert agent not in everything
    # Nothing of the other customer, anywhere in the archive.
    for name in names:
        content = archive.read(name)
        for key in other.canaries:
            assert other.c(key).encode() not in content, (name, key)
    submitted = next(c for c in data["claims"] if c["reference"] == "SIN-2026-000001")
    assert [h["to"] for h in submitted["status_history"]] == ["submitted", "in_review"]
    path = submitted["files"][0]["path"]
    assert path.startswith("files/SIN-2026-000001/") and mine.c(
        "kept_file"
    ).encode() in archive.read(path)
    assert "stored_name" not in everything
    live = next(c for c in data["conversations"] if c["channel"] == "live_chat")
    [attachment] = live["files"]
    assert attachment["path"].startswith("files/chat-")
    assert mine.c("chat_file").encode() in archive.read(attachment["path"])
    assert live["messages"][-1]["file_id"] == attachment["id"]
    assert [c["purpose"] for c in data["consents"]] == ["device_data", "video"]
    assert data["device_data"][0]["data"]["browser"] == mine.c("device")

    with session_scope(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "privacy.export")).one()
        assert event.target_id == mine.customer_id and event.actor_kind == "customer"


def test_missing_file_bytes_are_reported_not_fatal(engine: Engine, store: LocalFileStore) -> None:
    agent = add_agent(engine)
    mine = seed_customer(engine, store, prefix="A", external_ref="REF-A", agent_id=agent)
    store.delete(mine.ids["kept_stored"])
    with session_scope(engine) as session:
        blob = export_customer(
            session=session,
            store=store,
            customer_id=mine.customer_id,
            actor="admin.x",
            actor_kind="employee",
        )
    data = json.loads(zipfile.ZipFile(io.BytesIO(blob)).read("data.json"))
    assert len(data["files_missing"]) == 1
