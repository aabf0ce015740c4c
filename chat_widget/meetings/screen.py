"""What the customer's video-meeting screen shows, and which step comes next, as plain data.

The Reflex state copies these values into its vars; the rules (consent before anything else,
how many slots and grouped how, which meetings are listed, what a booking outcome leads to)
are here so they are unit-tested without a browser.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chat_widget.i18n import catalog
from chat_widget.meetings.booking import AppointmentView, BookingOutcome, OutcomeStatus
from chat_widget.meetings.formatting import group_slots_by_day
from chat_widget.meetings.slots import Slot

#: More would be a wall of buttons: the customer picks among the next ones.
MAX_SLOTS_SHOWN = 24
#: The device check (camera, microphone) is offered after consent only.
AFTER_CONSENT = frozenset({"topic", "slot", "done"})
DEVICE_RESULTS = frozenset({"ok", "denied", "missing", "error"})
LISTED_STATUSES = frozenset({"booked", "pending"})


@dataclass
class Option:
    value: str
    label: str


@dataclass
class Day:
    """One day of the strip and its times (``value`` keys a slot, as the form sends it)."""

    key: str
    short_label: str
    label: str
    times: list[Option]


@dataclass
class Booked:
    booking_id: str
    when: str
    advisor: str
    join_url: str
    reminder: str
    topic: str
    status: str
    topic_key: str


def step_after_consent(granted: bool) -> str:
    """Topics once the current notice is accepted; declining ends the flow politely."""
    return "topic" if granted else "declined"


def first_step(consented: bool) -> str:
    """The notice comes first unless the customer accepted this version of it already."""
    return "topic" if consented else "notice"


def may_test_devices(step: str) -> bool:
    return step in AFTER_CONSENT


def device_status(result: object) -> str:
    """The browser's answer to the device check; anything unexpected counts as an error."""
    return result if isinstance(result, str) and result in DEVICE_RESULTS else "error"


def booked_item(view: AppointmentView, locale: str) -> Booked:
    return Booked(
        booking_id=view.booking_id,
        when=view.when_label,
        advisor=catalog(locale)["video.with_advisor"].format(name=view.advisor_first_name),
        join_url=view.join_url or "",
        reminder=view.recording_reminder,
        topic=view.topic_label,
        status=view.status,
        topic_key=view.topic,
    )


def listed_meetings(views: Iterable[AppointmentView], locale: str) -> list[Booked]:
    """The meetings the customer can still join or change (booked, or pending at the bank)."""
    return [booked_item(v, locale) for v in views if v.status in LISTED_STATUSES]


@dataclass(frozen=True)
class SlotPicker:
    """The first free slots by day; ``day`` is the day whose times are shown."""

    by_key: dict[str, Slot]
    days: list[Day]
    day: str

    @property
    def times(self) -> list[Option]:
        return [t for d in self.days for t in d.times]


def slot_picker(found: list[Slot], *, locale: str, timezone: str, current_day: str) -> SlotPicker:
    """The first ``MAX_SLOTS_SHOWN`` slots grouped by day in the customer's zone; the day on
    screen stays if it still has slots, else the first day."""
    shown = found[:MAX_SLOTS_SHOWN]
    days = [
        Day(
            key=d.day.isoformat(),
            short_label=d.short_label,
            label=d.label,
            times=[Option(s.start.isoformat(), hours) for s, hours in d.slots],
        )
        for d in group_slots_by_day(shown, locale=locale, timezone=timezone)
    ]
    keys = [d.key for d in days]
    day = current_day if current_day in keys else (keys[0] if keys else "")
    return SlotPicker(by_key={s.start.isoformat(): s for s in shown}, days=days, day=day)


@dataclass(frozen=True)
class AfterBooking:
    """What a booking outcome leads to: a confirmation (``done_kind``), or slots to pick again
    (``pick_again``, with the alternatives the service found, if any), or nothing new."""

    done_kind: str = ""  # booked | rescheduled | pending
    booked: AppointmentView | None = None
    pick_again: bool = False
    alternatives: tuple[Slot, ...] = ()
    rescheduling_done: bool = False


def after_booking(outcome: BookingOutcome) -> AfterBooking:
    appointment = outcome.appointment
    if outcome.status == OutcomeStatus.BOOKED and appointment is not None:
        return AfterBooking("booked", appointment, rescheduling_done=True)
    if outcome.status == OutcomeStatus.RESCHEDULED and appointment is not None:
        return AfterBooking("rescheduled", appointment, rescheduling_done=True)
    if outcome.status == OutcomeStatus.SLOT_TAKEN or (
        outcome.status == OutcomeStatus.FAILED and outcome.alternatives
    ):
        # Taken, or refused by Bookings: the next free slots, to pick again.
        return AfterBooking(pick_again=True, alternatives=outcome.alternatives)
    if outcome.status == OutcomeStatus.PENDING and appointment is not None:
        return AfterBooking("pending", appointment)
    return AfterBooking()


def valid_time_zone(value: object) -> str | None:
    """An IANA zone name sent by the host page, or None: host data is never trusted."""
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return value
