"""Customers and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

from chat_widget import customers
from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.adapters.migrate import upgrade
from chat_widget.domain.models import Channel, Conversation, Customer


def test_identifying_moves_the_anonymous_history_to_the_known_customer(db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        known = customers.attach_identity(session=s, anonymous_id=None, external_ref="bank-7")
        device2 = customers.create_anonymous(session=s, locale="nl")
        s.add(Conversation(customer_id=device2.id, channel=Channel.ASSISTANT))
        known_id, device2_id = known.id, device2.id
    with session_scope(db_engine) as s:
        again = customers.attach_identity(session=s, anonymous_id=device2_id, external_ref="bank-7")
        assert again.id == known_id
    with session_scope(db_engine) as s:
        owners = {c.customer_id for c in s.exec(select(Conversation))}
        assert owners == {known_id}


def test_first_identification_upgrades_the_anonymous_record(db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        anon = customers.create_anonymous(session=s, locale="fr")
        anon_id = anon.id
    with session_scope(db_engine) as s:
        who = customers.attach_identity(session=s, anonymous_id=anon_id, external_ref="bank-8")
        assert who.id == anon_id
        assert s.get(Customer, anon_id).external_ref == "bank-8"  # type: ignore[union-attr]


def test_an_identified_record_is_never_taken_over_by_another_identity(db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        a = customers.attach_identity(session=s, anonymous_id=None, external_ref="bank-a")
        a_id = a.id
    with session_scope(db_engine) as s:
        b = customers.attach_identity(session=s, anonymous_id=a_id, external_ref="bank-b")
        assert b.id != a_id
        assert s.get(Customer, a_id).external_ref == "bank-a"  # type: ignore[union-attr]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migrations_create_every_table_of_the_models(
    backend: str, tmp_path, request: pytest.FixtureRequest
) -> None:  # type: ignore[no-untyped-def]
    from chat_widget import tables  # noqa: F401

    url = (
        f"sqlite:///{tmp_path / 'm.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(engine)
    upgrade(engine)  # idempotent
    names = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= names
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migrated_audit_log_refuses_updates_and_deletes(
    backend: str, tmp_path, request: pytest.FixtureRequest
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from chat_widget import audit

    url = (
        f"sqlite:///{tmp_path / 'a.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(engine)
    with session_scope(engine) as s:
        audit.record(
            session=s,
            actor_kind="agent",
            actor_id="a1",
            action="open_transcript",
            target_type="conversation",
            target_id="c1",
            reason="customer asked",
        )
    for statement in ("UPDATE auditevent SET reason = 'edited'", "DELETE FROM auditevent"):
        with pytest.raises(DBAPIError):
            with engine.begin() as conn:
                conn.execute(text(statement))
    engine.dispose()
