"""Free meeting slots from advisor availability: pure functions, no I/O.

All arithmetic and comparisons are done in UTC. Python compares two datetimes sharing the same
``ZoneInfo`` by wall time, which is wrong across a DST change; converting to UTC first avoids it.
Slots are generated on the local (Europe/Brussels) wall clock, so "09:00" stays 09:00 local on
both sides of the change in late March and late October.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chat_widget.domain.calendar import Interval, StaffSchedule
from chat_widget.meetings.holidays import is_belgian_public_holiday

BUSINESS_TZ = "Europe/Brussels"

_WEEKDAY_HOURS: tuple[tuple[time, time], ...] = ((time(9, 0), time(17, 0)),)
DEFAULT_BUSINESS_HOURS: tuple[tuple[tuple[time, time], ...], ...] = (
    _WEEKDAY_HOURS,  # Monday
    _WEEKDAY_HOURS,
    _WEEKDAY_HOURS,
    _WEEKDAY_HOURS,
    _WEEKDAY_HOURS,  # Friday
    (),  # Saturday
    (),  # Sunday
)


@dataclass(frozen=True, slots=True)
class Advisor:
    """An advisor as configured by the bank: Bookings staff id plus what they can handle."""

    staff_id: str
    first_name: str
    topics: frozenset[str]
    languages: frozenset[str]


@dataclass(frozen=True, slots=True)
class SlotRules:
    """Parameters of the slot grid; buffers are time the advisor must be free around a meeting."""

    slot_minutes: int = 30
    step_minutes: int | None = None
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    horizon_days: int = 14
    min_notice_minutes: int = 60
    timezone: str = BUSINESS_TZ
    business_hours: tuple[tuple[tuple[time, time], ...], ...] = DEFAULT_BUSINESS_HOURS
    skip_public_holidays: bool = True
    extra_closed_days: frozenset[date] = field(default_factory=frozenset)
    #: Latest start offered, from now (Bookings' ``maximumAdvance``); None: the horizon only.
    max_advance_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.slot_minutes <= 0 or (self.step_minutes is not None and self.step_minutes <= 0):
            raise ValueError("slot and step must be positive")
        if len(self.business_hours) != 7:
            raise ValueError("business_hours needs one entry per weekday, Monday first")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable time; ``staff_ids`` are the advisors of the pool free at that time."""

    start: datetime
    end: datetime
    staff_ids: tuple[str, ...]


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass aware datetimes")
    return moment.astimezone(UTC)


def advisor_pool(advisors: Iterable[Advisor], *, topic: str, language: str) -> list[Advisor]:
    """Advisors who handle ``topic`` and speak ``language``."""
    return [a for a in advisors if topic in a.topics and language in a.languages]


class RecordingPoolError(ValueError):
    """An advisor serves both a recorded and a non-recorded topic."""


def check_recording_pools(advisors: Iterable[Advisor], recorded: Iterable[str]) -> None:
    """Refuses advisors who take recorded *and* non-recorded topics.

    Why: Teams compliance recording is assigned per user, not per meeting. An advisor whose
    policy records investment advice is recorded in every meeting, so one who also takes
    daily-banking meetings would record customers the notice promised not to record.
    """
    recorded_topics = frozenset(recorded)
    mixed = sorted(
        a.staff_id for a in advisors if a.topics & recorded_topics and a.topics - recorded_topics
    )
    if mixed:
        raise RecordingPoolError(
            "advisors must serve either recorded topics ("
            + ", ".join(sorted(recorded_topics))
            + ") or non-recorded ones, never both (Teams compliance recording is per user): "
            + ", ".join(mixed)
            + ". Fix the advisors file (CW_ADVISORS_PATH)."
        )


def is_open_day(day: date, rules: SlotRules) -> bool:
    if not rules.business_hours[day.weekday()]:
        return False
    if day in rules.extra_closed_days:
        return False
    return not (rules.skip_public_holidays and is_belgian_public_holiday(day))


def candidate_slots(*, now: datetime, rules: SlotRules) -> list[Interval]:
    """The grid of slots inside business hours in the horizon, before looking at anyone's calendar."""
    tz = rules.tz
    now_utc = _utc(now)
    earliest = now_utc + timedelta(minutes=rules.min_notice_minutes)
    latest = now_utc + timedelta(days=rules.horizon_days)
    latest_start = (
        now_utc + timedelta(minutes=rules.max_advance_minutes)
        if rules.max_advance_minutes is not None
        else latest
    )
    length = timedelta(minutes=rules.slot_minutes)
    step = timedelta(minutes=rules.step_minutes or rules.slot_minutes)
    result: list[Interval] = []
    day = now_utc.astimezone(tz).date()
    last_day = latest.astimezone(tz).date()
    while day <= last_day:
        if is_open_day(day, rules):
            for opens, closes in rules.business_hours[day.weekday()]:
                # Walk the wall clock of that day; each wall time is converted on its own, so the
                # UTC offset of that specific date is used.
                wall = datetime.combine(day, opens)
                wall_close = datetime.combine(day, closes)
                while wall + length <= wall_close:
                    start = wall.replace(tzinfo=tz).astimezone(UTC)
                    end = (wall + length).replace(tzinfo=tz).astimezone(UTC)
                    if start >= earliest and end <= latest and start <= latest_start:
                        result.append(Interval(start, end))
                    wall += step
        day += timedelta(days=1)
    return result


def _is_free(slot: Interval, schedule: StaffSchedule, rules: SlotRules) -> bool:
    padded = Interval(
        slot.start - timedelta(minutes=rules.buffer_before_minutes),
        slot.end + timedelta(minutes=rules.buffer_after_minutes),
    )
    if any(padded.overlaps(busy) for busy in schedule.busy):
        return False
    if schedule.available is None:
        return True
    return any(window.contains(slot) for window in schedule.available)


def compute_free_slots(
    *,
    now: datetime,
    rules: SlotRules,
    schedules: Sequence[StaffSchedule],
    staff_ids: Sequence[str] | None = None,
) -> list[Slot]:
    """Slots where at least one advisor of the pool is free, in the business time zone.

    ``staff_ids`` restricts to a pool; an advisor without a schedule is treated as unavailable,
    because "we did not hear about them" must not turn into "free all day".
    """
    by_staff: Mapping[str, StaffSchedule] = {s.staff_id: s for s in schedules}
    pool = list(staff_ids) if staff_ids is not None else list(by_staff)
    tz = rules.tz
    slots: list[Slot] = []
    for cand in candidate_slots(now=now, rules=rules):
        free = tuple(
            sid for sid in pool if sid in by_staff and _is_free(cand, by_staff[sid], rules)
        )
        if free:
            slots.append(Slot(cand.start.astimezone(tz), cand.end.astimezone(tz), free))
    return slots


def slots_after(slots: Sequence[Slot], moment: datetime, *, limit: int = 5) -> list[Slot]:
    """The next ``limit`` slots starting at or after ``moment`` (offered when a slot was taken)."""
    ref = _utc(moment)
    return [s for s in slots if _utc(s.start) >= ref][:limit]
