"""Schema migrations (Alembic), run programmatically so the app and tests need no alembic.ini.

`python -m chat_widget.adapters.migrate [upgrade|revision -m MSG]` works from the command line.
"""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


_PG_LOCK_KEY = 7240_0111  # any constant: serialises migrations across workers


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op when it is already there.

    Several workers start at once in scale-out mode: a database lock (PostgreSQL advisory lock,
    a file lock beside a SQLite file) makes the first one migrate and the others wait and find
    nothing left to do.
    """
    sqlite_file = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    with _file_lock(sqlite_file):
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)


@contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    if not database or database == ":memory:":
        yield
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: list[str]) -> int:
    from chat_widget.adapters.db import make_engine
    from chat_widget.settings import get_settings

    url = get_settings().database_url
    if not argv or argv[0] == "upgrade":
        upgrade(make_engine(url))
        return 0
    if argv[0] == "revision":
        message = argv[argv.index("-m") + 1] if "-m" in argv else "change"
        cfg = alembic_config(url)
        command.revision(cfg, message=message, autogenerate=True)
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
