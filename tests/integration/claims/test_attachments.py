from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.claims import attachments, flow
from chat_widget.claims.records import (
    ClaimFile,
    ClaimNotDraft,
    ClaimNotFound,
    save_draft,
    submit_claim,
)
from chat_widget.domain.models import AuditEvent
from chat_widget.files import FileRejected, UploadLimits
from tests.integration.claims.conftest import TODAY, add_customer, draft, glass_answers
from tests.unit.files import samples

LIMITS = UploadLimits(max_bytes=200_000, max_files=3)


def upload(
    engine: Engine, store: LocalFileStore, customer: str, claim_id: str, name: str, data: bytes
) -> ClaimFile:
    with session_scope(engine) as session:
        return attachments.add_claim_file(
            session=session,
            store=store,
            customer_id=customer,
            claim_id=claim_id,
            filename=name,
            data=data,
            limits=LIMITS,
        )


def test_upload_is_cleaned_stored_privately_and_owner_only(
    db_engine: Engine, store: LocalFileStore
) -> None:
    owner, other = add_customer(db_engine), add_customer(db_engine)
    claim = draft(db_engine, owner)
    row = upload(db_engine, store, owner, claim.id, "IMG_1.jpg", samples.jpeg(gps=True))
    assert row.content_type == "image/jpeg" and row.original_name == "IMG_1.jpg"
    assert row.stored_name != row.id and row.stored_name.endswith(".jpg")
    with session_scope(db_engine) as session:
        mine = attachments.open_file_for_customer(
            session=session, store=store, customer_id=owner, file_id=row.id
        )
        assert mine is not None and mine.meta.sha256 == row.sha256
        assert b"ACME" not in mine.data and len(Image.open(io.BytesIO(mine.data)).getexif()) == 0
        assert (
            attachments.open_file_for_customer(
                session=session, store=store, customer_id=other, file_id=row.id
            )
            is None
        )
        assert (
            attachments.open_file_for_customer(
                session=session, store=store, customer_id=owner, file_id="0" * 32
            )
            is None
        )
    with pytest.raises(ClaimNotFound), session_scope(db_engine) as session:
        attachments.add_claim_file(
            session=session,
            store=store,
            customer_id=other,
            claim_id=claim.id,
            filename="x.png",
            data=samples.png(),
            limits=LIMITS,
        )


def test_rejected_file_keeps_the_rest_and_limits_apply(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer = add_customer(db_engine)
    claim = draft(db_engine, customer)
    upload(db_engine, store, customer, claim.id, "a.png", samples.png())
    with pytest.raises(FileRejected) as info:
        upload(db_engine, store, customer, claim.id, "virus.jpg", b"MZ\x90\x00 not an image")
    assert info.value.code == "unsupported_type"
    with pytest.raises(FileRejected) as info:
        upload(
            db_engine,
            store,
            customer,
            claim.id,
            "huge.jpg",
            samples.jpeg(1200, 1200) + b"\x00" * 200_000,
        )
    assert info.value.code == "too_large"
    upload(db_engine, store, customer, claim.id, "b.pdf", samples.pdf())
    upload(db_engine, store, customer, claim.id, "c.png", samples.png())
    with pytest.raises(FileRejected) as info:
        upload(db_engine, store, customer, claim.id, "d.png", samples.png())
    assert info.value.code == "too_many_files"
    with session_scope(db_engine) as session:
        assert attachments.count_files(session=session, claim_id=claim.id) == 3
    stored = [p for p in store.root.rglob("*") if p.is_file() and p.name != ".gitignore"]
    assert len(stored) == 3


def test_files_travel_with_submission_and_handler_access_is_audited(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer = add_customer(db_engine)
    claim = draft(db_engine, customer)
    photo = upload(db_engine, store, customer, claim.id, "windscreen.png", samples.png())
    with session_scope(db_engine) as session:
        # A draft's files are not the handler's to see yet.
        assert (
            attachments.open_file_for_handler(
                session=session, store=store, handler_id="emp-1", file_id=photo.id, reason="peek"
            )
            is None
        )
    state = flow.start("car_glass")
    for raw in glass_answers([photo.id]):
        state = flow.answer(state, raw, today=TODAY).state
    with session_scope(db_engine) as session:
        save_draft(
            session=session, customer_id=customer, claim_id=claim.id, state=state, locale="fr"
        )
        submit_claim(session=session, customer_id=customer, claim_id=claim.id)
    with session_scope(db_engine) as session:
        seen = attachments.open_file_for_handler(
            session=session,
            store=store,
            handler_id="emp-1",
            file_id=photo.id,
            reason="assess damage",
        )
        assert seen is not None and seen.meta.id == photo.id
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "claim_file.view")
        ).all()
        assert sorted(e.reason or "" for e in events) == ["assess damage", "peek"]
    with pytest.raises(ClaimNotDraft), session_scope(db_engine) as session:
        attachments.add_claim_file(
            session=session,
            store=store,
            customer_id=customer,
            claim_id=claim.id,
            filename="late.png",
            data=samples.png(),
            limits=LIMITS,
        )


def test_remove_and_erase(db_engine: Engine, store: LocalFileStore) -> None:
    owner, other = add_customer(db_engine), add_customer(db_engine)
    claim = draft(db_engine, owner)
    a = upload(db_engine, store, owner, claim.id, "a.png", samples.png())
    b = upload(db_engine, store, owner, claim.id, "b.pdf", samples.pdf())
    with session_scope(db_engine) as session:
        assert (
            attachments.remove_claim_file(
                session=session, store=store, customer_id=other, file_id=a.id
            )
            is False
        )
        assert (
            attachments.remove_claim_file(
                session=session, store=store, customer_id=owner, file_id=a.id
            )
            is True
        )
    assert store.read(a.stored_name) is None and store.read(b.stored_name) is not None
    with session_scope(db_engine) as session:
        assert attachments.erase_claim_files(session=session, store=store, claim_id=claim.id) == 1
        assert attachments.count_files(session=session, claim_id=claim.id) == 0
    assert store.read(b.stored_name) is None
