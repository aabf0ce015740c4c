from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.claims import attachments, flow
from chat_widget.claims.document import load_claim_document
from chat_widget.claims.export import export_claims, main
from chat_widget.claims.records import save_draft, submit_claim
from chat_widget.files import UploadLimits
from tests.integration.claims.conftest import POLICY, TODAY, add_conversation, add_customer, draft
from tests.integration.claims.schema_check import errors, load_schema
from tests.unit.files import samples


def submitted_accident(engine: Engine, store: LocalFileStore, when: datetime) -> str:
    customer = add_customer(engine, external_ref=f"bank-{when.day}")
    conversation = add_conversation(
        engine,
        customer,
        [("assistant", "Que s’est-il passé ?"), ("customer", "Un accident à Gent")],
    )
    claim = draft(engine, customer, flow.start("car_accident"), conversation_id=conversation)
    ids = []
    with session_scope(engine) as session:
        for name, data in (
            ("a.jpg", samples.jpeg(gps=True)),
            ("b.png", samples.png()),
            ("pv.pdf", samples.pdf()),
        ):
            row = attachments.add_claim_file(
                session=session,
                store=store,
                customer_id=customer,
                claim_id=claim.id,
                filename=name,
                data=data,
                limits=UploadLimits(),
            )
            ids.append(row.id)
    state = flow.start("car_accident")
    for raw in [
        POLICY,
        "1-ABC-123",
        "2026-11-20",
        "8h15",
        "Gent",
        "ja",
        "een ander voertuig",
        "2XYZ999",
        "",
        "ja",
        "other",
        "nee",
        "ja",
        "ja",
        "PV GE.12.345/26",
        "Aanrijding op kruispunt, voorrang van rechts",
        "1.250,00 €",
        ids[:2],
        ids[2:],
    ]:
        result = flow.answer(state, raw, today=TODAY)
        assert result.error is None, (state["current"], raw, result.error)
        state = result.state
    with session_scope(engine) as session:
        save_draft(
            session=session, customer_id=customer, claim_id=claim.id, state=state, locale="nl"
        )
        submit_claim(session=session, customer_id=customer, claim_id=claim.id, now=when)
    return claim.id


def test_document_matches_schema_and_content(db_engine: Engine, store: LocalFileStore) -> None:
    claim_id = submitted_accident(db_engine, store, datetime(2026, 11, 21, 9, 30, tzinfo=UTC))
    with session_scope(db_engine) as session:
        document = load_claim_document(session=session, claim_id=claim_id)
    assert document is not None
    assert errors(document) == []
    assert (
        document["reference"] == "SIN-2026-000001"
        and document["submitted_at"] == "2026-11-21T09:30:00Z"
    )
    assert document["customer"] == {"external_ref": "bank-21"}
    answers = {a["question_id"]: a for a in document["answers"]}
    assert answers["estimated_amount"]["value"] == "1250.00"
    assert answers["third_party"]["value"] is True
    assert answers["third_party_kind"]["label"] == "Wie was de andere partij?"
    assert len(document["files"]) == 3 and {f["content_type"] for f in document["files"]} == {
        "image/jpeg",
        "image/png",
        "application/pdf",
    }
    assert all(
        f["download_path"] == f"/api/claims/{claim_id}/files/{f['id']}" for f in document["files"]
    )
    assert [m["body"] for m in document["transcript"]] == [
        "Que s’est-il passé ?",
        "Un accident à Gent",
    ]
    # The checker is not a rubber stamp.
    broken = copy.deepcopy(document)
    broken["answers"][0]["value"] = 12
    broken["files"][0]["sha256"] = "nope"
    del broken["reference"]
    assert len(errors(broken)) >= 3


def test_schema_documents_every_claim_type_and_question_type() -> None:
    from chat_widget.claims.questions import QuestionType, questionnaires

    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]["type"]["enum"]) == set(questionnaires())
    assert set(schema["$defs"]["answer"]["properties"]["type"]["enum"]) == {
        t.value for t in QuestionType
    }


def test_export_cli_writes_one_file_per_claim_since_date(
    db_engine: Engine, store: LocalFileStore, tmp_path: Path
) -> None:
    submitted_accident(db_engine, store, datetime(2026, 11, 1, 8, tzinfo=UTC))
    submitted_accident(db_engine, store, datetime(2026, 11, 22, 8, tzinfo=UTC))
    draft(db_engine, add_customer(db_engine))
    with session_scope(db_engine) as session:
        written = export_claims(
            session=session, since=datetime(2026, 11, 15).date(), out=tmp_path / "out"
        )
    assert [p.name for p in written] == ["SIN-2026-000002.json"]
    document = json.loads(written[0].read_text(encoding="utf-8"))
    assert errors(document) == []
    if db_engine.dialect.name == "sqlite":
        out = tmp_path / "cli"
        assert (
            main(["--since", "2026-11-01", "--out", str(out), "--database-url", str(db_engine.url)])
            == 0
        )
        assert sorted(p.name for p in out.iterdir()) == [
            "SIN-2026-000001.json",
            "SIN-2026-000002.json",
        ]
