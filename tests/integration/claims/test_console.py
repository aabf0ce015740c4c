"""The claims console's use cases: search, filters, age against the target, owners, the detail
view and the previews, on SQLite and PostgreSQL. Times are fixed instants, never today."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget import agents
from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.agents.records import Role
from chat_widget.claims import attachments
from chat_widget.claims.console import (
    ClaimQuery,
    list_for_handler,
    normalise_search,
)
from chat_widget.claims.detail import open_for_handler, refreshed
from chat_widget.claims.handler_files import file_for_session
from chat_widget.claims.handling import (
    OwnerRefused,
    assign_owner,
    claim_handlers,
    needs_confirmation,
)
from chat_widget.claims.records import ClaimNotFound, set_status, submit_claim
from chat_widget.domain.models import AuditEvent
from chat_widget.files import UploadLimits
from tests.integration.claims.conftest import add_customer, complete_state, draft
from tests.unit.files import samples

SENT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOW = SENT + timedelta(hours=50)
TARGET = 48


def theft(engine: Engine, customer: str, policy: str, plate: str, sent: datetime) -> str:
    """A sent car-theft claim (no photo needed) with this policy and plate."""
    state = complete_state(
        "car_theft",
        [
            policy,
            plate,
            "2026-11-18",
            "",
            "Gent",
            "parts",
            "PV-1",
            "Radio gestolen uit de auto",
            "",
            [],
            [],
        ],
    )
    claim_id = draft(engine, customer, state).id
    with session_scope(engine) as session:
        submit_claim(session=session, customer_id=customer, claim_id=claim_id, now=sent)
    return claim_id


def people(engine: Engine) -> dict[str, str]:
    made = {}
    with session_scope(engine) as session:
        for username, roles in (
            ("marc", (Role.CLAIMS_HANDLER, Role.AGENT)),
            ("ines", (Role.CLAIMS_HANDLER,)),
            ("root", (Role.ADMIN,)),
            ("sophie", (Role.AGENT,)),
        ):
            made[username] = agents.create_agent(
                session=session,
                username=username,
                display_name=username.title(),
                password=None,
                roles=roles,
            ).id
    return made


@pytest.fixture
def desk(db_engine: Engine) -> dict[str, Any]:
    known = add_customer(db_engine, external_ref="BANK-0042")
    anonymous = add_customer(db_engine)
    old = theft(db_engine, known, "123-4567890-02", "1-ABC-123", SENT)
    new = theft(db_engine, anonymous, "987-6543210-09", "2-XYZ-987", SENT + timedelta(hours=40))
    return {"old": old, "new": new, "people": people(db_engine)}


def rows(engine: Engine, handler: str, **query: Any) -> list[Any]:
    with session_scope(engine) as session:
        return list_for_handler(
            session=session,
            handler_id=handler,
            query=ClaimQuery(**query),
            locale="en",
            now=NOW,
            target_hours=TARGET,
        )


def test_search_finds_a_claim_by_reference_policy_plate_or_customer(
    db_engine: Engine, desk: dict[str, Any]
) -> None:
    marc = desk["people"]["marc"]
    everything = rows(db_engine, marc)
    assert [r.id for r in everything] == [desk["old"], desk["new"]]  # oldest first
    reference = everything[0].reference
    for typed in (
        reference.lower(),
        reference.split("-", 1)[1],
        "1234567890-02",
        "123 4567890 02",
        "1abc123",
        "1-abc",
        "bank-0042",
    ):
        assert [r.id for r in rows(db_engine, marc, text=typed)] == [desk["old"]], typed
    assert [r.id for r in rows(db_engine, marc, text="2 xyz 987")] == [desk["new"]]
    assert rows(db_engine, marc, text="nothing-like-it") == []
    assert normalise_search("  sin-2026/0001 ") == "SIN20260001"


def test_rows_show_customer_policy_owner_and_age_against_the_target(
    db_engine: Engine, desk: dict[str, Any]
) -> None:
    old, new = rows(db_engine, desk["people"]["marc"])
    assert (old.customer, old.policy, old.plate) == ("BANK-0042", "123-4567890-02", "1-ABC-123")
    assert new.customer == "Not identified"
    assert (old.age, old.late) == ("2 d 2 h", "overdue (target 48 h)")
    assert (new.age, new.late) == ("10 h", "")
    assert old.owner == "Nobody"
    newest = rows(db_engine, desk["people"]["marc"], sort="newest")
    assert [r.id for r in newest] == [desk["new"], desk["old"]]


def test_filters_open_status_owner_and_an_audited_list(
    db_engine: Engine, desk: dict[str, Any]
) -> None:
    marc = desk["people"]["marc"]
    with session_scope(db_engine) as session:
        set_status(session=session, claim_id=desk["new"], status="accepted", actor_id=marc)
        assign_owner(session=session, claim_id=desk["old"], owner_id=marc, actor_id=marc)
    assert [r.id for r in rows(db_engine, marc)] == [desk["old"]]  # "open" by default
    decided = rows(db_engine, marc, status="")
    assert {r.id for r in decided} == {desk["old"], desk["new"]}
    assert next(r for r in decided if r.id == desk["new"]).late == ""  # decided: never late
    assert [r.id for r in rows(db_engine, marc, status="", owner="mine")] == [desk["old"]]
    assert [r.id for r in rows(db_engine, marc, status="", owner="none")] == [desk["new"]]
    assert rows(db_engine, desk["people"]["ines"], owner="mine") == []
    assert rows(db_engine, marc, status="", submitted_from="2026-11-21") != []
    assert rows(db_engine, marc, status="", submitted_to="2026-11-19") == []
    with session_scope(db_engine) as session:
        listed = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "claim.list", AuditEvent.actor_id == marc)
            .order_by(AuditEvent.at)  # type: ignore[arg-type]
        ).all()
    assert listed and all(e.target_id == "*" for e in listed)
    assert listed[-1].details["claim_ids"] == []
    assert listed[-1].details["to"] == "2026-11-19"


def test_a_query_from_the_browser_is_reduced_to_known_values() -> None:
    query = ClaimQuery.from_form(
        {"q": "x" * 90, "type": "bogus", "status": "draft-ish", "owner": "someone", "sort": "?"}
    )
    assert len(query.text) == 40
    assert (query.claim_type, query.status, query.owner, query.sort) == ("", "", "", "oldest")
    kept = ClaimQuery.from_form({"type": "car_theft", "status": "open", "from": "2026-11-02"})
    assert (kept.claim_type, kept.status, kept.submitted_from) == (
        "car_theft",
        "open",
        "2026-11-02",
    )
    assert ClaimQuery.from_form({"from": "yesterday"}).submitted_from == ""


def test_owners_are_claims_handlers_and_every_change_is_audited(
    db_engine: Engine, desk: dict[str, Any]
) -> None:
    who = desk["people"]
    with session_scope(db_engine) as session:
        assert [name for _, name in claim_handlers(session=session)] == ["Ines", "Marc", "Root"]
        assign_owner(
            session=session, claim_id=desk["old"], owner_id=who["marc"], actor_id=who["marc"]
        )
        assign_owner(
            session=session, claim_id=desk["old"], owner_id=who["ines"], actor_id=who["marc"]
        )
        with pytest.raises(OwnerRefused):
            assign_owner(
                session=session, claim_id=desk["old"], owner_id=who["sophie"], actor_id=who["marc"]
            )
        with pytest.raises(ClaimNotFound):
            assign_owner(session=session, claim_id="f" * 32, owner_id=None, actor_id=who["marc"])
    with session_scope(db_engine) as session:
        assign_owner(session=session, claim_id=desk["old"], owner_id=None, actor_id=who["ines"])
    with session_scope(db_engine) as session:
        moves = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "claim.assign")
            .order_by(AuditEvent.at, AuditEvent.id)  # type: ignore[arg-type]
        ).all()
    assert [(e.details["from"], e.details["to"]) for e in moves] == [
        (None, who["marc"]),
        (who["marc"], who["ines"]),
        (who["ines"], None),
    ]
    assert [e.actor_id for e in moves] == [who["marc"], who["marc"], who["ines"]]


def test_detail_is_opened_with_a_reason_and_shows_answers_once(
    db_engine: Engine, desk: dict[str, Any], tmp_path: Any
) -> None:
    marc = desk["people"]["marc"]
    with session_scope(db_engine) as session:
        detail = open_for_handler(
            session=session,
            handler_id=marc,
            claim_id=desk["old"],
            reason="customer on the phone",
            locale="en",
            now=NOW,
            target_hours=TARGET,
        )
    assert detail is not None
    assert detail.customer == "BANK-0042" and detail.owner == "Nobody"
    assert detail.late == "overdue (target 48 h)"
    labels = [a.label for a in detail.answers]
    assert len(labels) == len(set(labels)) and "What is your policy number?" in labels
    # Accept and refuse come after review in the lifecycle's order; nothing is "selected".
    assert [s for s, _ in detail.next] == ["in_review", "accepted", "rejected", "closed"]
    assert needs_confirmation("accepted") and needs_confirmation("rejected")
    assert not needs_confirmation("in_review") and not needs_confirmation("")
    with session_scope(db_engine) as session:
        listed, again = refreshed(
            session=session,
            handler_id=marc,
            query=ClaimQuery(),
            claim_id=desk["old"],
            locale="fr",
            now=NOW,
            target_hours=TARGET,
        )
        views = session.exec(select(AuditEvent).where(AuditEvent.action == "claim.view")).all()
    assert again is not None and again.late == "en retard (objectif 48 h)"
    assert len(listed) == 2
    assert [(v.reason, v.target_id) for v in views] == [("customer on the phone", desk["old"])]
    with session_scope(db_engine) as session:
        missing = open_for_handler(
            session=session,
            handler_id=marc,
            claim_id=draft(db_engine, add_customer(db_engine)).id,
            reason="curious",
            locale="en",
            now=NOW,
            target_hours=TARGET,
        )
    assert missing is None  # a draft is the customer's until they send it


def _png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "PNG"
        return img.size


def test_previews_of_photos_and_pdfs_are_small_images_read_under_audit(
    db_engine: Engine, tmp_path: Any
) -> None:
    store = LocalFileStore(tmp_path / "files")
    customer = add_customer(db_engine, external_ref="BANK-7")
    claim_id = draft(db_engine, customer, complete_state("car_theft", [])).id
    with session_scope(db_engine) as session:
        photo = attachments.add_claim_file(
            session=session,
            store=store,
            customer_id=customer,
            claim_id=claim_id,
            filename="car.png",
            data=samples.png(1200, 600),
            limits=UploadLimits(),
        ).id
        statement = attachments.add_claim_file(
            session=session,
            store=store,
            customer_id=customer,
            claim_id=claim_id,
            filename="invoice.pdf",
            data=samples.pdf_document(pages=2),
            limits=UploadLimits(),
        ).id
        marc = agents.create_agent(
            session=session,
            username="marc",
            display_name="Marc",
            password=None,
            roles=(Role.CLAIMS_HANDLER,),
        )
        token = agents.create_agent_session(session=session, agent=marc)
        agent = agents.create_agent(
            session=session, username="sophie", display_name="S", password=None
        )
        plain = agents.create_agent_session(session=session, agent=agent)

    def read(who: str, file_id: str, preview: bool) -> Any:
        with session_scope(db_engine) as session:
            return file_for_session(
                session=session, store=store, token=who, file_id=file_id, preview=preview
            )

    assert read(token, photo, True) is None  # still a draft: not shown to handlers
    with session_scope(db_engine) as session:
        state = complete_state(
            "car_theft",
            [
                "123-4567890-02",
                "1-ABC-123",
                "2026-11-18",
                "",
                "Gent",
                "parts",
                "PV-1",
                "Radio gestolen uit de auto",
                "",
                [photo],
                [statement],
            ],
        )
        from chat_widget.claims.records import save_draft

        save_draft(
            session=session, customer_id=customer, state=state, locale="fr", claim_id=claim_id
        )
        submit_claim(session=session, customer_id=customer, claim_id=claim_id, now=SENT)
    thumb = read(token, photo, True)
    assert thumb is not None and thumb[1] == "image/png"
    assert max(_png_size(thumb[0])) == 480
    page = read(token, statement, True)
    assert page is not None and page[1] == "image/png"
    assert max(_png_size(page[0])) <= 480
    original = read(token, statement, False)
    assert original is not None and original[1] == "application/pdf"
    assert read(plain, photo, True) is None and read("nobody", photo, True) is None
    with session_scope(db_engine) as session:
        seen = session.exec(select(AuditEvent).where(AuditEvent.action == "claim_file.view")).all()
    reasons = sorted((e.target_id, e.reason) for e in seen if e.actor_id == marc.id)
    assert (photo, "document preview shown in the claims console") in reasons
    assert (statement, "document opened from the claims console") in reasons
