"""Process-wide resources for the Reflex layer: settings, database engine, blocking-call helper."""

from __future__ import annotations

import asyncio
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


@lru_cache(maxsize=1)
def engine() -> Engine:
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
