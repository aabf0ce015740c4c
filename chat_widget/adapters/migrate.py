"""Schema migrations (Alembic), run programmatically so the app and tests need no alembic.ini.

`python -m chat_widget.adapters.migrate [upgrade|check|revision -m MSG]` works from the command
line. In production a deploy migrates once (`scripts/serve` runs ``upgrade`` before any worker
starts) and every worker only *checks*: a worker never serves on a schema older than its code
(``CW_MIGRATE_ON_START=check``, the production default).
"""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
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


class SchemaBehind(RuntimeError):
    """The database is not at the revision this code was written for: serving would fail on
    missing tables or columns, or write rows an older schema cannot hold."""


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The revision(s) this code needs, read from the migration scripts (once: /readyz asks)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The revision(s) recorded in the database (empty when it was never migrated)."""
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


def check(engine: Engine) -> None:
    """Raise :class:`SchemaBehind` when the database is behind this code: never migrated, or at
    a revision this code knows and has moved past.

    A database *ahead* of the code (revisions this code does not know) passes: during a
    rolling deploy the new release migrates first (additive, backward-compatible migrations)
    while the old workers finish; they are replaced next."""
    current, heads = current_revisions(engine), head_revisions()
    if current == heads:
        return
    if current and not current <= known_revisions():
        return
    raise SchemaBehind(
        f"database schema at {sorted(current) or 'nothing'}, code needs {sorted(heads)}: "
        "run `python -m chat_widget.adapters.migrate upgrade` once (scripts/serve does)"
    )


def prepare(engine: Engine, mode: str) -> None:
    """What a worker does with the schema on its first use: ``upgrade`` it (demo, tests) or
    ``check`` it (production), per ``CW_MIGRATE_ON_START``."""
    if mode == "upgrade":
        upgrade(engine)
    else:
        check(engine)


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
    if argv[0] == "check":
        try:
            check(make_engine(url))
        except SchemaBehind as exc:
            sys.stderr.write(f"migrate: {exc}\n")
            return 3
        return 0
    if argv[0] == "revision":
        message = argv[argv.index("-m") + 1] if "-m" in argv else "change"
        cfg = alembic_config(url)
        command.revision(cfg, message=message, autogenerate=True)
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
