"""Opening status of live chat for the widget, from the admin-editable schedule file.

The file is re-read when it changes on disk, so an admin's edit (CLI) shows without a restart.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from chat_widget.live_chat.hours.schedule import (
    DEFAULT_PATH,
    OpeningHours,
    OpenStatus,
    load_opening_hours,
    status,
)
from chat_widget.settings import environ

_cache: dict[Path, tuple[float, OpeningHours]] = {}


def schedule_path() -> Path:
    return Path(environ().get("CW_OPENING_HOURS_PATH") or DEFAULT_PATH)


def current_schedule() -> OpeningHours:
    path = schedule_path()
    mtime = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, load_opening_hours(path))
        _cache[path] = cached
    return cached[1]


def live_chat_status(now: datetime) -> OpenStatus:
    return status(now, current_schedule())
