"""Database engine and sessions; SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from chat_widget.adapters.sqlite_group_commit import (
    SAFETY_AUTOCHECKPOINT_PAGES,
    GroupCommitConnection,
)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            # Commits wait for a shared fsync of the log (sqlite_group_commit.py).
            connect_args={
                "check_same_thread": False,
                "timeout": 30,
                "factory": GroupCommitConnection,
            },
            # Bound parameters are customers' texts: they must never reach an error message.
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets the widget read while another worker writes; FKs are off by default.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()
            if mode and str(mode[0]).lower() == "wal":
                # Durability comes from GroupCommitConnection's fsync after each commit; in
                # WAL mode NORMAL never corrupts (https://sqlite.org/pragma.html#pragma_synchronous).
                cur.execute("PRAGMA synchronous=NORMAL")
                # Checkpoints run in the background (sqlite_group_commit); this is the net.
                cur.execute(f"PRAGMA wal_autocheckpoint={SAFETY_AUTOCHECKPOINT_PAGES}")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
