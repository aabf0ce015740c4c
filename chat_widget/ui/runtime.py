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
from chat_widget.settings import Settings, get_settings

T = TypeVar("T")


def settings() -> Settings:
    return get_settings()


_engine_lock = threading.Lock()


def engine() -> Engine:
    # The start-up warm-up and the first customer's boot both call this from worker threads:
    # without the lock both run the migrations and one fails ("table ... already exists").
    with _engine_lock:
        return _migrated_engine()


@lru_cache(maxsize=1)
def _migrated_engine() -> Engine:
    from chat_widget.adapters.migrate import upgrade

    eng = engine_for(settings().database_url)
    upgrade(eng)
    return eng


def _in_session(fn: Callable[[Session], T]) -> T:
    with session_scope(engine()) as session:
        return fn(session)


async def run_db(fn: Callable[[Session], T]) -> T:
    """Run a unit of work in a worker thread so a slow database never stalls the event loop."""
    return await asyncio.to_thread(_in_session, fn)
