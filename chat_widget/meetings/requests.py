"""What the customer asks of their meetings: book (or move) one from the form, cancel one, get
its calendar file.

A refusal is a translated sentence for the screen, never an exception reaching the UI: the
customer can always correct the form, pick again or see that the meeting is gone.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chat_widget.domain.meeting_errors import (
    BookingNotFound,
    ConsentRequired,
    GatewayError,
    RecordingTickRequired,
)
from chat_widget.i18n import catalog
from chat_widget.meetings.booking import BookingOutcome, BookingService
from chat_widget.meetings.slots import Slot
from chat_widget.meetings.texts import message

log = logging.getLogger(__name__)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}$")
MAX_NAME = 120
MAX_EMAIL = 254


@dataclass(frozen=True)
class BookingForm:
    slot: Slot
    name: str
    email: str  # "" = none given
    recording_tick: bool


@dataclass(frozen=True)
class Refusal:
    """Why nothing was booked: ``error`` for the form; ``step`` "notice" when consent must be
    asked again; ``stop_rescheduling`` when the meeting being moved is gone."""

    error: str
    step: str = ""
    stop_rescheduling: bool = False


def read_booking_form(
    form: Mapping[str, Any], slots: Mapping[str, Slot], *, rescheduling: bool, locale: str
) -> BookingForm | Refusal:
    """The form's fields checked in the order the customer reads them: a slot offered on
    screen, a name (not asked again to move a meeting), an e-mail address if one is given."""
    tr = catalog(locale)
    slot = slots.get(str(form.get("slot") or ""))
    name = str(form.get("name") or "").strip()[:MAX_NAME]
    email = str(form.get("email") or "").strip()[:MAX_EMAIL]
    tick = str(form.get("recording_tick") or "") in {"on", "true", "1"}
    if slot is None:
        return Refusal(tr["video.pick_slot"])
    if not rescheduling and not name:
        return Refusal(tr["video.name_required"])
    if email and not _EMAIL.match(email):
        return Refusal(tr["video.email_invalid"])
    return BookingForm(slot=slot, name=name, email=email, recording_tick=tick)


async def book_from_form(
    service: BookingService,
    form: BookingForm,
    *,
    rescheduling: str,
    customer_id: str,
    topic: str,
    locale: str,
    time_zone: str,
    request_id: str,
) -> BookingOutcome | Refusal:
    """Moves the meeting ``rescheduling`` to the chosen slot, or books a new one."""
    tr = catalog(locale)
    try:
        if rescheduling:
            return await service.reschedule(
                booking_id=rescheduling, slot=form.slot, customer_id=customer_id
            )
        return await service.book(
            customer_id=customer_id,
            topic=topic,
            locale=locale,
            slot=form.slot,
            customer_name=form.name,
            customer_email=form.email or None,
            customer_time_zone=time_zone,
            recording_tick=form.recording_tick,
            request_id=request_id,
        )
    except ConsentRequired:
        return Refusal("", step="notice")
    except RecordingTickRequired:
        return Refusal(message("recording_tick_required", locale))
    except BookingNotFound:
        return Refusal(message("not_found", locale), stop_rescheduling=True)
    except GatewayError:
        # Graph could not tell the booking rules: nothing was stored, the customer may retry.
        return Refusal(tr["video.unavailable"])
    except ValueError:
        return Refusal(tr["video.pick_slot"])


async def cancel_meeting(
    service: BookingService, *, booking_id: str, customer_id: str, locale: str
) -> tuple[bool, str]:
    """(cancelled, the sentence to show). Not this customer's booking, or gone: said so."""
    try:
        outcome = await service.cancel(booking_id=booking_id, customer_id=customer_id)
    except BookingNotFound:
        return False, message("not_found", locale)
    return True, outcome.message or catalog(locale)["video.cancelled"]


async def meeting_ics(service: BookingService, *, booking_id: str, customer_id: str) -> str | None:
    """The meeting's calendar file, or None if it cannot be made (unknown, not theirs, ...)."""
    try:
        return await asyncio.to_thread(
            lambda: service.ics(booking_id=booking_id, customer_id=customer_id)
        )
    except Exception:
        log.info("no calendar file for a meeting", exc_info=True)
        return None
