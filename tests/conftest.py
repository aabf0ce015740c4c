"""Fixtures shared by every test layer.

`db_engine` runs a test on SQLite and on PostgreSQL. PostgreSQL/Redis tests are skipped with a
visible reason when the server is unreachable, unless CW_REQUIRE_SERVICES=1 (set by .ci/run),
which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

# The application fails closed (production) without CW_ENV; the tests say what they are,
# before any project module can read the settings.
os.environ.setdefault("CW_ENV", "test")

from chat_widget.adapters.db import make_engine  # noqa: E402
from chat_widget.domain import clock  # noqa: E402
from chat_widget.domain.clock import as_aware  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get(
    "CW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
F = TypeVar("F", bound=Callable[..., Any])
REDIS_TEST_URL = os.environ.get("CW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    return os.environ.get("CW_REQUIRE_SERVICES") == "1"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{name} not reachable on {host}:{port}"
    if services_required():
        pytest.fail(f"{message} and CW_REQUIRE_SERVICES=1")
    pytest.skip(message)


def need_tool(available: bool, reason: str) -> None:
    """Skip when a local tool is missing; under CW_REQUIRE_SERVICES=1 (CI) fail instead, so a
    missing tool can never turn a red run into a quietly skipped one."""
    if available:
        return
    if services_required():
        pytest.fail(f"{reason} and CW_REQUIRE_SERVICES=1")
    pytest.skip(reason)


def requires(available: bool, reason: str) -> Callable[[F], F]:
    """Decorator form of :func:`need_tool`."""

    def decorate(test: F) -> F:
        if available:
            return test

        @functools.wraps(test)
        def missing(*args: Any, **kwargs: Any) -> None:
            need_tool(False, reason)

        return cast(F, missing)

    return decorate


def _load_all_tables() -> None:
    """Import every module that declares tables so create_all sees them all."""
    from chat_widget import tables  # noqa: F401


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database: its URL, then it is dropped (its sessions ended)."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    admin = make_engine(POSTGRES_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"cw_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session."""
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def _sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema, made once per session in a file that each SQLite test copies (a copy takes a
    millisecond; creating the tables took 0.1 s per test)."""
    _load_all_tables()
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str]:
    """A database of its own for ``db_engine``, its tables made once per session: each test
    then empties them (dropping and creating the tables took 0.4 s per test, and two test runs
    side by side contended on PostgreSQL's catalog). Tests that migrate or drop tables use
    ``postgres_url``, another database, so this schema stays the models' own."""
    _load_all_tables()
    with postgres_database() as url:
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty schema on SQLite (file) and on PostgreSQL: each test starts from no rows, with
    identities numbered from 1."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_schema"), path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(request.getfixturevalue("_postgres_schema"))
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with engine.begin() as conn:  # a connection left open by the last test: fail, not hang
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            # The audit log refuses TRUNCATE (chat_widget/audit.py): its trigger, like every
            # trigger, is off for this one transaction of the test's superuser.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: sync Playwright keeps an event loop running in the main thread for
    the rest of the session, which async tests collected after it could not start under."""
    items.sort(key=lambda item: "/e2e/" in str(item.path).replace("\\", "/"))


class ManualClock:
    """The application's clock, held still by a test and moved only when the test says so."""

    def __init__(self, at: datetime) -> None:
        self.at = as_aware(at)

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = as_aware(at)

    def advance(self, delta: timedelta) -> None:
        self.at += delta


PINNED_AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""The instant `pinned_clock` starts at: the day the seeded test data was written for."""


@pytest.fixture
def pinned_clock() -> Iterator[ManualClock]:
    """Pins `chat_widget.domain.clock` for one test, so it passes on any day it runs."""
    manual = ManualClock(PINNED_AT)
    clock.set_source(manual)
    try:
        yield manual
    finally:
        clock.set_source(None)
