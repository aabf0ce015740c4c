"""Opening hours of the live chat: a weekly schedule, public holidays and exceptional closures.

Everything is reasoned in the schedule's own time zone (Europe/Brussels) with ``zoneinfo``, so a
DST weekend shifts UTC instants but never the local 08:00. Callers pass aware datetimes; the
answers are aware datetimes, to be formatted in the customer's locale by the UI.

The schedule is data (JSON) so an admin can change it without a release; edits return a new
immutable ``OpeningHours`` which ``save_opening_hours`` writes atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from chat_widget.live_chat.hours.holidays import holiday_on

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "opening_hours.json"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: How far ahead ``next_open`` looks before giving up (a closed-forever schedule).
HORIZON_DAYS = 400

ClosedReason = Literal["outside_hours", "holiday", "closure"]


@dataclass(frozen=True)
class Interval:
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"interval must end after it starts: {self.start}-{self.end}")


@dataclass(frozen=True)
class Closure:
    """An exceptional closure in local time, ``start <= t < end``; ``reason`` is a catalog key."""

    id: str
    start: datetime  # naive, local to the schedule's zone
    end: datetime
    reason: str

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("closure must end after it starts")


@dataclass(frozen=True)
class OpeningHours:
    timezone: str = "Europe/Brussels"
    weekly: Mapping[str, tuple[Interval, ...]] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    public_holidays: bool = True

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class OpenStatus:
    open: bool
    reason: ClosedReason | None
    next_open: datetime | None  # when closed: the next opening (aware), None if none in horizon
    closes_at: datetime | None  # when open: the end of the current opening (aware)
    detail: str | None = None  # holiday or closure reason key, for the UI catalog


# --- parsing / serialising ---------------------------------------------------------------


def _parse_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _parse_local(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        raise ValueError("closure times are local wall-clock times without an offset")
    return value


def parse_opening_hours(data: Mapping[str, Any]) -> OpeningHours:
    weekly_raw = data.get("weekly", {})
    unknown = set(weekly_raw) - set(DAYS)
    if unknown:
        raise ValueError(f"unknown day keys: {sorted(unknown)}")
    weekly = {day: _intervals([(a, b) for a, b in weekly_raw.get(day, [])]) for day in DAYS}
    closures = tuple(
        Closure(
            id=str(item.get("id") or uuid.uuid4().hex[:8]),
            start=_parse_local(item["start"]),
            end=_parse_local(item["end"]),
            reason=str(item.get("reason", "closure")),
        )
        for item in data.get("closures", [])
    )
    hours = OpeningHours(
        timezone=str(data.get("timezone", "Europe/Brussels")),
        weekly=weekly,
        closures=closures,
        public_holidays=bool(data.get("public_holidays", True)),
    )
    hours.zone  # noqa: B018 - fail early on an unknown zone name
    return hours


def _intervals(pairs: Sequence[tuple[str, str]]) -> tuple[Interval, ...]:
    intervals = sorted(
        (Interval(_parse_time(a), _parse_time(b)) for a, b in pairs), key=lambda i: i.start
    )
    for before, after in zip(intervals, intervals[1:], strict=False):
        if after.start < before.end:
            raise ValueError("intervals of a day overlap")
    return tuple(intervals)


def opening_hours_to_dict(hours: OpeningHours) -> dict[str, Any]:
    return {
        "timezone": hours.timezone,
        "public_holidays": hours.public_holidays,
        "weekly": {
            day: [
                [i.start.strftime("%H:%M"), i.end.strftime("%H:%M")]
                for i in hours.weekly.get(day, ())
            ]
            for day in DAYS
        },
        "closures": [
            {
                "id": c.id,
                "start": c.start.isoformat(timespec="minutes"),
                "end": c.end.isoformat(timespec="minutes"),
                "reason": c.reason,
            }
            for c in hours.closures
        ],
    }


def load_opening_hours(path: Path | str | None = None) -> OpeningHours:
    with open(path or DEFAULT_PATH, encoding="utf-8") as handle:
        return parse_opening_hours(json.load(handle))


def save_opening_hours(hours: OpeningHours, path: Path | str | None = None) -> None:
    """Write atomically (temp file + rename) so a reader never sees half a schedule."""
    target = Path(path or DEFAULT_PATH)
    payload = json.dumps(opening_hours_to_dict(hours), indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".opening_hours.", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- admin edits (pure: return a new schedule) ----------------------------------------


def set_day(hours: OpeningHours, day: str, intervals: Sequence[tuple[str, str]]) -> OpeningHours:
    if day not in DAYS:
        raise ValueError(f"day must be one of {DAYS}")
    weekly = dict(hours.weekly)
    weekly[day] = _intervals(intervals)
    return replace(hours, weekly=weekly)


def add_closure(
    hours: OpeningHours,
    *,
    start: datetime,
    end: datetime,
    reason: str,
    closure_id: str | None = None,
) -> tuple[OpeningHours, Closure]:
    closure = Closure(id=closure_id or uuid.uuid4().hex[:8], start=start, end=end, reason=reason)
    if any(c.id == closure.id for c in hours.closures):
        raise ValueError(f"closure id already used: {closure.id}")
    closures = tuple(sorted((*hours.closures, closure), key=lambda c: c.start))
    return replace(hours, closures=closures), closure


def remove_closure(hours: OpeningHours, closure_id: str) -> OpeningHours:
    kept = tuple(c for c in hours.closures if c.id != closure_id)
    if len(kept) == len(hours.closures):
        raise KeyError(closure_id)
    return replace(hours, closures=kept)


# --- questions ---------------------------------------------------------------------------


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _closure_at(hours: OpeningHours, local_naive: datetime) -> Closure | None:
    for closure in hours.closures:
        if closure.start <= local_naive < closure.end:
            return closure
    return None


def _holiday(hours: OpeningHours, day: date) -> str | None:
    return holiday_on(day) if hours.public_holidays else None


def _windows(
    hours: OpeningHours, first_day: date, days: int
) -> Iterator[tuple[datetime, datetime]]:
    """Weekly opening windows as aware datetimes, holidays removed, in time order."""
    zone = hours.zone
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if _holiday(hours, day):
            continue
        for interval in hours.weekly.get(DAYS[day.weekday()], ()):
            yield (
                datetime.combine(day, interval.start, tzinfo=zone),
                datetime.combine(day, interval.end, tzinfo=zone),
            )


def _local_naive(hours: OpeningHours, moment: datetime) -> datetime:
    return moment.astimezone(hours.zone).replace(tzinfo=None)


def _aware_local(hours: OpeningHours, local_naive: datetime) -> datetime:
    return local_naive.replace(tzinfo=hours.zone)


def _next_open_from(hours: OpeningHours, now: datetime) -> datetime | None:
    first_day = now.astimezone(hours.zone).date()
    for start, end in _windows(hours, first_day, HORIZON_DAYS):
        candidate = max(start, now)
        # Skip over closures (possibly chained) that cover the candidate.
        while candidate < end:
            closure = _closure_at(hours, _local_naive(hours, candidate))
            if closure is None:
                return candidate
            candidate = _aware_local(hours, closure.end)
    return None


def status(now: datetime, hours: OpeningHours | None = None) -> OpenStatus:
    """Is the live chat open at ``now`` and, if not, why and when does it open next?"""
    _require_aware(now)
    hours = hours or load_opening_hours()
    local = _local_naive(hours, now)
    closure = _closure_at(hours, local)
    if closure is not None:
        return OpenStatus(False, "closure", _next_open_from(hours, now), None, closure.reason)
    holiday = _holiday(hours, local.date())
    if holiday is not None:
        return OpenStatus(False, "holiday", _next_open_from(hours, now), None, holiday)
    for start, end in _windows(hours, local.date(), 1):
        if start <= now < end:
            closes_at = end
            for c in hours.closures:
                c_start = _aware_local(hours, c.start)
                if now < c_start < closes_at:
                    closes_at = c_start
            return OpenStatus(True, None, None, closes_at)
    return OpenStatus(False, "outside_hours", _next_open_from(hours, now), None)


def is_open(now: datetime, hours: OpeningHours | None = None) -> bool:
    return status(now, hours).open
