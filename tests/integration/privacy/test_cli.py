"""The admin commands, end to end against a real database and file store."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.domain.models import AuditEvent, Customer
from chat_widget.privacy.__main__ import main
from tests.conftest import ManualClock
from tests.integration.privacy.helpers import NOW, add_agent, seed_customer


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_export_erase_purge_and_audit_export(
    engine: Engine,
    store: LocalFileStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    pinned_clock: ManualClock,
) -> None:
    pinned_clock.set(NOW)  # the seeded meeting is five days after NOW: still to come
    agent = add_agent(engine)
    seeded = seed_customer(engine, store, prefix="A", external_ref="REF-A", agent_id=agent)
    common = ["--database-url", _url(engine), "--files-root", str(store.root)]

    out = tmp_path / "a.zip"
    assert (
        main(
            [*common, "export", "--customer", "REF-A", "--out", str(out), "--actor", "admin.alice"]
        )
        == 0
    )
    assert "data.json" in zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist()

    assert (
        main(
            [
                *common,
                "erase",
                "--customer",
                "REF-A",
                "--actor",
                "admin.alice",
                "--reason",
                "GDPR-42",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "KEPT: Claims you submitted (1) [SIN-2026-000001]" in printed
    assert "CANCEL IN BOOKINGS: graph-A-daily_banking" in printed
    with session_scope(engine) as session:
        assert session.get(Customer, seeded.customer_id).external_ref is None  # type: ignore[union-attr]
    assert main([*common, "erase", "--customer", "REF-A", "--actor", "admin.alice"]) == 1

    assert main([*common, "purge", "--dry-run"]) == 0
    assert "would delete" in capsys.readouterr().out
    assert main([*common, "purge", "--now", "2031-01-01T00:00:00+00:00"]) == 0

    audit = tmp_path / "audit.csv"
    assert (
        main(
            [
                *common,
                "audit-export",
                "--since",
                "2000-01-01",
                "--until",
                "2100-01-01",
                "--out",
                str(audit),
                "--actor",
                "admin.bob",
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(audit.open(encoding="utf-8")))
    actions = [row["action"] for row in rows]
    assert {"privacy.export", "privacy.erase", "privacy.purge"} <= set(actions)
    with session_scope(engine) as session:
        exported = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
        assert exported.actor_id == "admin.bob" and exported.details["rows"] == len(rows)
