"""Process-wide resources for the Reflex layer: settings, database engine, blocking-call helper."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from chat_widget.adapters.db import engine_for, session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.settings import Settings, get_settings

T = TypeVar("T")


def settings() -> Settings:
    return get_settings()


_engine_lock = threading.Lock()
_engine: Engine | None = None


def engine() -> Engine:
    """The engine, with the schema migrated (or, in production, checked) exactly once per
    process (start-up warm-up and the first request may race for it)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from chat_widget.adapters.migrate import prepare

                eng = engine_for(settings().database_url)
                prepare(eng, settings().migrate_on_start)
                _engine = eng
    return _engine


def _in_session(fn: Callable[[Session], T]) -> T:
    with session_scope(engine()) as session:
        return fn(session)


async def run_db(fn: Callable[[Session], T]) -> T:
    """Run a unit of work in a worker thread so a slow database never stalls the event loop."""
    return await asyncio.to_thread(_in_session, fn)


@lru_cache(maxsize=1)
def file_store() -> LocalFileStore:
    """Customer files (claims, chat attachments) live in the private data folder, never under
    assets/ or Reflex's upload dir."""
    return LocalFileStore(settings().data_dir / "files")
