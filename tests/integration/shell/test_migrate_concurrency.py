"""Workers starting together must not race the schema migration (scale-out start-up)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import inspect

from chat_widget.adapters.db import make_engine


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_four_processes_migrating_at_once_all_succeed(
    backend: str, tmp_path, request: pytest.FixtureRequest
) -> None:  # type: ignore[no-untyped-def]
    url = (
        f"sqlite:///{tmp_path / 'race.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    if backend == "postgres":
        from sqlmodel import SQLModel

        from chat_widget import tables  # noqa: F401

        engine = make_engine(url)
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()
    code = (
        "import sys; from chat_widget.adapters.db import make_engine; "
        "from chat_widget.adapters.migrate import upgrade; upgrade(make_engine(sys.argv[1]))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert all(rc == 0 for rc, _ in results), [err[-800:] for rc, err in results if rc]
    engine = make_engine(url)
    assert "auditevent" in inspect(engine).get_table_names()
    engine.dispose()
