"""Migrations once per deploy: a worker refuses a database behind its code; the readiness
checks against the real PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from chat_widget.adapters.db import make_engine
from chat_widget.adapters.migrate import SchemaBehind, check, head_revisions, prepare, upgrade
from chat_widget.observability import readiness
from tests.conftest import REDIS_TEST_URL, need_service

ROOT = Path(__file__).resolve().parents[3]


def test_check_refuses_a_database_behind_the_code_and_accepts_one_ahead(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with pytest.raises(SchemaBehind, match="nothing"):
        check(engine)  # never migrated
    with pytest.raises(SchemaBehind):
        prepare(engine, "check")
    prepare(engine, "upgrade")
    check(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '4fd9a96cb395'"))
    with pytest.raises(SchemaBehind, match="code needs"):
        check(engine)  # a known, older revision
    # Migrated by a newer release (a revision this code does not know): the old worker runs
    # on until the rolling restart replaces it.
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    check(engine)
    engine.dispose()


def test_migrate_check_command_exits_3_when_behind(tmp_path: Path) -> None:
    env = {**os.environ, "CW_ENV": "test", "CW_DATA_DIR": str(tmp_path)}
    run = [sys.executable, "-m", "chat_widget.adapters.migrate"]
    assert subprocess.run([*run, "check"], env=env, cwd=ROOT, capture_output=True).returncode == 3
    assert subprocess.run([*run, "upgrade"], env=env, cwd=ROOT, capture_output=True).returncode == 0
    assert subprocess.run([*run, "check"], env=env, cwd=ROOT, capture_output=True).returncode == 0


def test_a_worker_refuses_to_start_on_a_database_behind_the_code(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CW_ENV": "test",
        "CW_DATA_DIR": str(tmp_path),
        "CW_MIGRATE_ON_START": "check",
    }
    result = subprocess.run(
        [sys.executable, "-m", "chat_widget.ops.worker", "--port", "1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 78
    assert "refusing to serve" in result.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'widget.db'}")
    with pytest.raises(SchemaBehind):
        check(engine)  # the worker did not migrate it either
    engine.dispose()


def test_a_worker_binds_to_loopback_only(tmp_path: Path) -> None:
    env = {**os.environ, "CW_ENV": "test", "CW_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "chat_widget.ops.worker", "--port", "1", "--host", "0.0.0.0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 78 and "loopback only" in result.stderr


def run(check_: readiness.Check) -> readiness.CheckResult:
    return asyncio.run(readiness.run_checks([check_])).checks[check_.name]


def test_database_check_on_postgresql(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    assert run(readiness.database_check(postgres_url)).status == readiness.OK
    gone = postgres_url.replace(":5432/", ":1/")
    result = run(readiness.database_check(gone))
    assert result.status == readiness.DOWN and result.detail.startswith("OperationalError")
    assert head_revisions()


def test_redis_check() -> None:
    need_service("Redis", "127.0.0.1", 6379)
    assert run(readiness.redis_check(REDIS_TEST_URL)).status == readiness.OK
    assert run(readiness.redis_check("redis://127.0.0.1:1/0")).status == readiness.DOWN
    assert run(readiness.redis_check(None)).status == readiness.SKIPPED


def test_graph_probe_answers_from_real_calls_first() -> None:
    probe = readiness.GraphProbe("http://127.0.0.1:1/v1.0")
    assert probe.run().status == readiness.DOWN  # nothing listens there
    probe.record(404)  # a real call got an answer: Graph is reachable
    assert probe.run().status == readiness.OK
    probe.record("timeout")
    assert probe.run().status == readiness.DOWN
