"""Booking video meetings: the use-case the widget and the employee console call.

Nothing a customer asked for is lost: the request is stored as ``pending`` before the calendar
system is called, and stays so until it is booked, found to have been booked, or refused.

Slots follow the Bookings business, not local constants: opening hours, the service's
duration and buffers, the scheduling policy's interval, minimum lead time and maximum advance
(concepts/bookingsbusiness-business-rules.md), read from Graph and cached for a few minutes.

Idempotency: Graph can carry out a POST whose answer never reaches us (timeout, 503 from a
proxy after the fact, the SDK's own silent retry). The gateway never retries a create by
itself, and before any new create attempt we first look for an appointment with the same
service, advisor, start and Bookings customer in the slot's time window.

Conflicts: Graph documents no 409 for a taken slot; an overlap has been seen to answer 500. So
availability is checked right before a create and again after a failed one: a slot that is no
longer free is reported as taken, with the next free slots, instead of being retried.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from chat_widget.domain.calendar import (
    AppointmentInfo,
    AppointmentRequest,
    BusinessInfo,
    MeetingGateway,
    MeetingOptions,
    OptionsResult,
    SchedulingPolicy,
    ServiceInfo,
)
from chat_widget.domain.clock import utcnow
from chat_widget.domain.meeting_errors import (
    AppointmentNotFound,
    BookingNotFound,
    ConsentRequired,
    GatewayAuthError,
    GatewayError,
    GatewayUnavailable,
    RecordingTickRequired,
    SlotTaken,
)
from chat_widget.domain.models import new_id
from chat_widget.i18n import pick_locale
from chat_widget.meetings.cleanup import process_cleanup
from chat_widget.meetings.consent import has_video_consent
from chat_widget.meetings.formatting import format_slot
from chat_widget.meetings.ics import build_ics
from chat_widget.meetings.records import (
    AppointmentStatus,
    CleanupKind,
    GraphCleanup,
    MeetingAppointment,
    MeetingCustomer,
    claim,
    create_appointment_record,
    get_appointment_record,
    get_meeting_customer,
    list_customer_appointments,
    list_options_pending,
    list_pending,
)
from chat_widget.meetings.slots import (
    Advisor,
    Interval,
    Slot,
    SlotRules,
    advisor_pool,
    check_recording_pools,
    compute_free_slots,
    slots_after,
)
from chat_widget.meetings.texts import message, recording_reminder
from chat_widget.meetings.topics import Recording, all_topics, get_topic

log = logging.getLogger(__name__)

SessionFactory = Callable[[], AbstractContextManager[Session]]
_HEX32 = re.compile(r"[0-9a-f]{32}")


class OutcomeStatus(StrEnum):
    BOOKED = "booked"
    PENDING = "pending"
    SLOT_TAKEN = "slot_taken"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    CHANGE_FAILED = "change_failed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class BookingSettings:
    rules: SlotRules
    advisors: tuple[Advisor, ...]
    create_attempts: int = 3
    retry_backoff_seconds: float = 0.5
    max_wait_seconds: float = 5.0
    max_pending_attempts: int = 20
    alternatives: int = 5
    reconcile_margin_minutes: int = 5
    cloud_recording_for_audio_topics: bool = False
    # Longer than create_attempts × (timeout + wait): a live worker never loses its lease.
    lease_seconds: int = 300
    # How long the business's hours, policy and services read from Graph are reused.
    rules_cache_seconds: int = 300
    # Cleanup work (cancel, delete customer) given up after this many failed attempts.
    max_cleanup_attempts: int = 30


@dataclass(frozen=True, slots=True)
class AppointmentView:
    """What the customer sees; times are in the customer's time zone."""

    booking_id: str
    status: str
    topic: str
    topic_label: str
    start: datetime
    end: datetime
    when_label: str
    advisor_first_name: str
    join_url: str | None
    recording: Recording
    recording_reminder: str


@dataclass(frozen=True, slots=True)
class BookingOutcome:
    status: OutcomeStatus
    message: str
    appointment: AppointmentView | None = None
    alternatives: tuple[Slot, ...] = ()


def _to_utc(moment: datetime) -> datetime:
    """Aware UTC, as the shared models store datetimes."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass aware datetimes")
    return moment.astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    """Values read back are aware UTC; a naive one (older rows) is UTC by convention."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def view_of(row: MeetingAppointment) -> AppointmentView:
    topic = get_topic(row.topic)
    tz = ZoneInfo(row.customer_time_zone)
    start = _aware(row.start_utc).astimezone(tz)
    end = _aware(row.end_utc).astimezone(tz)
    return AppointmentView(
        booking_id=row.id,
        status=row.status,
        topic=row.topic,
        topic_label=topic.label(row.locale),
        start=start,
        end=end,
        when_label=format_slot(
            Slot(start, end, (row.staff_id,)), locale=row.locale, timezone=row.customer_time_zone
        ),
        advisor_first_name=row.advisor_first_name,
        join_url=row.join_url,
        recording=topic.recording,
        recording_reminder=recording_reminder(row.locale, topic.recording),
    )


@dataclass(frozen=True, slots=True)
class TopicRules:
    """What Graph says about booking one topic: the slot grid and whether staff may be chosen."""

    rules: SlotRules
    service: ServiceInfo
    policy: SchedulingPolicy


def _minutes(delta: timedelta) -> int:
    return math.ceil(delta.total_seconds() / 60)


def rules_from_graph(local: SlotRules, business: BusinessInfo, service: ServiceInfo) -> TopicRules:
    """The slot grid for ``service``: Graph decides hours, length, interval, lead time and
    maximum advance; the local rules add holidays and can only be stricter (longer notice,
    shorter horizon). The service's scheduling policy wins over the business's
    (concepts/bookingsbusiness-business-rules.md, "Main policy")."""
    policy = service.policy or business.policy
    duration = service.duration or timedelta(minutes=local.slot_minutes)
    interval = policy.time_slot_interval or duration
    rules = replace(
        local,
        slot_minutes=max(1, _minutes(duration)),
        step_minutes=max(1, _minutes(interval)),
        buffer_before_minutes=max(local.buffer_before_minutes, _minutes(service.pre_buffer)),
        buffer_after_minutes=max(local.buffer_after_minutes, _minutes(service.post_buffer)),
        min_notice_minutes=max(local.min_notice_minutes, _minutes(policy.minimum_lead_time)),
        business_hours=business.hours,
        max_advance_minutes=(
            _minutes(policy.maximum_advance) if policy.maximum_advance is not None else None
        ),
    )
    return TopicRules(rules=rules, service=service, policy=policy)


class BookingService:
    """Video meeting bookings for one bank, on top of a :class:`MeetingGateway`.

    ``sessions`` opens a unit of work (e.g. ``partial(session_scope, engine)``): the service
    commits its own state changes so a pending request survives whatever happens next.
    ``service_ids`` maps topics to Bookings service ids (the gateway's configuration).
    Raises :class:`~chat_widget.meetings.slots.RecordingPoolError` at start-up for advisors
    who serve both recorded and non-recorded topics.
    """

    def __init__(
        self,
        *,
        gateway: MeetingGateway,
        sessions: SessionFactory,
        settings: BookingSettings,
        service_ids: dict[str, str] | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        check_recording_pools(
            settings.advisors,
            [t.key for t in all_topics() if t.recording is not Recording.NONE],
        )
        self._gateway = gateway
        self._sessions = sessions
        self._settings = settings
        self._service_ids = dict(service_ids or {})
        self._clock = clock
        self._sleep = sleep
        self._advisors = {a.staff_id: a for a in settings.advisors}
        self._graph_rules: tuple[datetime, BusinessInfo, list[ServiceInfo]] | None = None

    @property
    def gateway(self) -> MeetingGateway:
        return self._gateway

    # ----- rules from Graph ------------------------------------------------------------------

    async def topic_rules(self, topic: str) -> TopicRules:
        """Rules for ``topic`` from the Bookings business and service (cached)."""
        now = self._clock()
        cached = self._graph_rules
        if cached is None or (now - cached[0]).total_seconds() > self._settings.rules_cache_seconds:
            business = await self._gateway.get_business()
            services = await self._gateway.list_services()
            cached = self._graph_rules = (now, business, services)
        _, business, services = cached
        service_id = self._service_ids.get(topic)
        service = next((s for s in services if s.service_id == service_id), None)
        if service is None:
            raise GatewayError(f"Bookings service for topic {topic!r} not found")
        return rules_from_graph(self._settings.rules, business, service)

    # ----- slots -----------------------------------------------------------------------------

    def pool(self, *, topic: str, locale: str) -> list[Advisor]:
        """Advisors for the topic who speak the customer's language ("nl-BE" counts as "nl")."""
        get_topic(topic)
        return advisor_pool(self._settings.advisors, topic=topic, language=pick_locale(locale))

    def _staff_pool(self, topic: str, locale: str, rules: TopicRules) -> list[str]:
        pool = [a.staff_id for a in self.pool(topic=topic, locale=locale)]
        if rules.service.staff_ids:
            # Only staff members who provide the service in Bookings can be booked for it.
            pool = [sid for sid in pool if sid in rules.service.staff_ids]
        return pool

    async def free_slots(self, *, topic: str, locale: str) -> list[Slot]:
        """Free slots within the horizon; raises GatewayError when Graph is down."""
        rules = await self.topic_rules(topic)
        pool = self._staff_pool(topic, locale, rules)
        if not pool:
            return []
        now = self._clock()
        schedules = await self._gateway.get_staff_availability(
            pool, now, now + timedelta(days=rules.rules.horizon_days)
        )
        return compute_free_slots(now=now, rules=rules.rules, schedules=schedules, staff_ids=pool)

    async def _alternatives(self, *, topic: str, locale: str, after: datetime) -> tuple[Slot, ...]:
        try:
            slots = await self.free_slots(topic=topic, locale=locale)
        except GatewayError:
            return ()
        return tuple(slots_after(slots, after, limit=self._settings.alternatives))

    async def _still_free(self, row: MeetingAppointment) -> bool | None:
        """Whether the row's advisor is free for its slot now (None: Graph did not say)."""
        start, end = _aware(row.start_utc), _aware(row.end_utc)
        try:
            rules = await self.topic_rules(row.topic)
            schedules = await self._gateway.get_staff_availability(
                [row.staff_id], start - timedelta(hours=1), end + timedelta(hours=1)
            )
        except GatewayError:
            return None
        slot = Interval(start, end)
        for schedule in schedules:
            if schedule.staff_id != row.staff_id:
                continue
            pad_before = timedelta(minutes=rules.rules.buffer_before_minutes)
            pad_after = timedelta(minutes=rules.rules.buffer_after_minutes)
            padded = Interval(start - pad_before, end + pad_after)
            if any(padded.overlaps(b) for b in schedule.busy):
                return False
            if schedule.available is None:
                return True
            return any(w.contains(slot) for w in schedule.available)
        return False

    # ----- booking ---------------------------------------------------------------------------

    async def book(
        self,
        *,
        customer_id: str,
        topic: str,
        locale: str,
        slot: Slot,
        customer_name: str,
        customer_email: str | None = None,
        customer_time_zone: str = "Europe/Brussels",
        recording_tick: bool = False,
        request_id: str | None = None,
    ) -> BookingOutcome:
        """Books ``slot`` (as offered by :meth:`free_slots`) for the customer.

        ``request_id`` (32 hex chars, made by the UI when the form is shown) becomes the
        booking id, so a double click or a resend returns the first booking instead of making
        a second one.

        Raises ConsentRequired / RecordingTickRequired when the notice order was not followed,
        ValueError when the slot does not belong to the topic's advisor pool, GatewayError when
        Graph cannot tell the rules of the topic.
        """
        topic_obj = get_topic(topic)
        locale = pick_locale(locale)
        if topic_obj.needs_recording_tick and not recording_tick:
            raise RecordingTickRequired(topic)
        ZoneInfo(customer_time_zone)  # refuse an unknown zone before storing anything
        if request_id is not None and not _HEX32.fullmatch(request_id):
            raise ValueError("request_id must be 32 lowercase hex characters")
        customer_name = " ".join(customer_name.split())[:200]
        if not customer_name:
            raise ValueError("customer_name is required")
        if customer_email is not None and (len(customer_email) > 320 or "@" not in customer_email):
            raise ValueError("customer_email is not an e-mail address")
        rules = await self.topic_rules(topic)
        staff_id = self._choose_staff(slot, topic=topic, locale=locale, rules=rules)
        booking_id = request_id or new_id()
        with self._sessions() as session:
            if not has_video_consent(session=session, customer_id=customer_id):
                raise ConsentRequired(customer_id)
            existing = get_appointment_record(session=session, booking_id=booking_id)
            if existing is not None:
                if existing.customer_id != customer_id:
                    raise ValueError("request_id already used")
                return self._outcome_of(existing)
        try:
            row = self._insert(
                MeetingAppointment(
                    id=booking_id,
                    customer_id=customer_id,
                    topic=topic,
                    locale=locale,
                    customer_time_zone=customer_time_zone,
                    customer_name=customer_name,
                    customer_email=customer_email,
                    start_utc=_to_utc(slot.start),
                    end_utc=_to_utc(slot.end),
                    staff_id=staff_id,
                    advisor_first_name=self._advisors[staff_id].first_name,
                )
            )
        except IntegrityError:
            # The same request_id arrived twice at once: the other call owns the booking.
            with self._sessions() as session:
                existing = get_appointment_record(
                    session=session, booking_id=booking_id, customer_id=customer_id
                )
            if existing is None:
                raise
            return self._outcome_of(existing)
        return await self._drive(row, attempts=self._settings.create_attempts)

    def _insert(self, record: MeetingAppointment) -> MeetingAppointment:
        with self._sessions() as session:
            return create_appointment_record(session=session, record=record)

    def _choose_staff(
        self,
        slot: Slot,
        *,
        topic: str,
        locale: str,
        rules: TopicRules,
        prefer: str | None = None,
    ) -> str:
        pool = self._staff_pool(topic, locale, rules)
        candidates = [sid for sid in slot.staff_ids if sid in pool]
        if not candidates:
            raise ValueError("slot has no advisor of this topic's pool")
        expected = timedelta(minutes=rules.rules.slot_minutes)
        if slot.end - slot.start != expected:
            raise ValueError("slot length does not match the service's duration")
        return prefer if prefer in candidates else candidates[0]

    async def _graph_customer(self, row: MeetingAppointment) -> str:
        """The customer's one Bookings customer, created on their first booking."""
        with self._sessions() as session:
            known = get_meeting_customer(session=session, customer_id=row.customer_id)
            if known is not None:
                return known.graph_customer_id
        graph_id = await self._gateway.create_customer(
            name=row.customer_name, email=row.customer_email
        )
        try:
            with self._sessions() as session:
                session.add(
                    MeetingCustomer(customer_id=row.customer_id, graph_customer_id=graph_id)
                )
                session.flush()
        except IntegrityError:
            # Another booking of the same customer created one at the same moment: keep theirs
            # and remove ours.
            with self._sessions() as session:
                known = get_meeting_customer(session=session, customer_id=row.customer_id)
            assert known is not None
            try:
                await self._gateway.delete_customer(graph_id)
            except GatewayError:
                self._enqueue(CleanupKind.DELETE_CUSTOMER, graph_id=graph_id, reason="duplicate")
            return known.graph_customer_id
        return graph_id

    def _request(
        self, row: MeetingAppointment, *, graph_customer_id: str | None, select_staff: bool
    ) -> AppointmentRequest:
        return AppointmentRequest(
            booking_id=row.id,
            topic=row.topic,
            staff_id=row.staff_id,
            start=_aware(row.start_utc),
            end=_aware(row.end_utc),
            customer_name=row.customer_name,
            customer_email=row.customer_email,
            customer_time_zone=row.customer_time_zone,
            locale=row.locale,
            options=self._options(row),
            graph_customer_id=graph_customer_id,
            select_staff=select_staff,
        )

    def _options(self, row: MeetingAppointment) -> MeetingOptions:
        return MeetingOptions.for_recording(
            get_topic(row.topic).recording,
            cloud_recording_for_audio_topics=self._settings.cloud_recording_for_audio_topics,
        )

    async def _apply_options(self, row: MeetingAppointment) -> MeetingAppointment:
        """Best effort: the booking stands even if Graph refuses; retried by retry_pending
        while the failure is transient, marked ``failed`` when Graph refuses for good."""
        join_url = row.teams_join_url or row.join_url
        if not join_url:
            return row
        try:
            result = await self._gateway.apply_meeting_options(
                join_url=join_url, staff_id=row.staff_id, options=self._options(row)
            )
        except GatewayUnavailable as exc:
            log.warning("meeting options for %s not applied yet: %r", row.id, exc)
            return self._save(row.id, last_error=f"meeting options: {_describe(exc)}"[:500])
        except GatewayError as exc:
            # 4xx: a retry would get the same answer (no access policy, unknown user).
            log.warning("meeting options for %s refused: %r", row.id, exc)
            return self._save(
                row.id,
                meeting_options=OptionsResult.FAILED.value,
                last_error=f"meeting options: {_describe(exc)}"[:500],
            )
        if result is OptionsResult.NOT_FOUND_YET:
            return row
        return self._save(row.id, meeting_options=result.value)

    async def _reconcile(
        self, row: MeetingAppointment, request: AppointmentRequest
    ) -> AppointmentInfo | None:
        margin = timedelta(minutes=self._settings.reconcile_margin_minutes)
        return await self._gateway.find_appointment(
            request, _aware(row.start_utc) - margin, _aware(row.end_utc) + margin
        )

    async def _create_reconciled(
        self, row: MeetingAppointment, *, maybe_created: bool
    ) -> AppointmentInfo:
        """One create, preceded by a lookup when an earlier attempt may have succeeded and by
        an availability check (a taken slot is not worth a create that would answer 500)."""
        rules = await self.topic_rules(row.topic)
        request = self._request(
            row,
            graph_customer_id=await self._graph_customer(row),
            select_staff=rules.policy.allow_staff_selection,
        )
        if maybe_created:
            found = await self._reconcile(row, request)
            if found is not None:
                return found
        if await self._still_free(row) is False:
            raise SlotTaken("advisor no longer free", code="NotFree")
        try:
            return await self._gateway.create_appointment(request)
        except GatewayError as exc:
            if isinstance(exc, GatewayAuthError):
                raise
            if isinstance(exc, GatewayUnavailable) and exc.status != 500:
                raise
            # 500 (an overlap, docs issue #19316), 400 (a business rule) or 409: was it us, or
            # is the slot gone?
            found = await self._reconcile(row, request)
            if found is not None:
                return found
            if isinstance(exc, SlotTaken) or await self._still_free(row) is False:
                raise SlotTaken(str(exc), status=exc.status, code=exc.code) from exc
            raise

    async def _drive(self, row: MeetingAppointment, *, attempts: int) -> BookingOutcome:
        """Tries up to ``attempts`` times now; leaves the row pending if Graph stays away."""
        now = self._clock()
        lease = now + timedelta(seconds=self._settings.lease_seconds)
        with self._sessions() as session:
            if not claim(session=session, booking_id=row.id, now=now, lease_until=lease):
                # Another worker is on it: report what the row says now.
                current = get_appointment_record(session=session, booking_id=row.id)
                assert current is not None
                return self._outcome_of(current)
        try:
            return await self._attempts(row, attempts=attempts)
        finally:
            self._save(row.id, locked_until=None)

    async def _attempts(self, row: MeetingAppointment, *, attempts: int) -> BookingOutcome:
        maybe_created = row.attempts > 0
        last_error: GatewayError | None = None
        for attempt in range(attempts):
            row = self._save(row.id, attempts=row.attempts + 1)
            try:
                info = await self._create_reconciled(row, maybe_created=maybe_created)
            except SlotTaken as exc:
                return await self._slot_taken(row, exc)
            except (GatewayUnavailable, GatewayAuthError) as exc:
                maybe_created = True
                last_error = exc
                log.warning("booking %s attempt %s failed: %r", row.id, row.attempts, exc)
                self._save(row.id, last_error=_describe(exc))
                if attempt + 1 < attempts:
                    await self._sleep(self._wait(exc, attempt))
                continue
            except GatewayError as exc:
                maybe_created = True
                last_error = exc
                self._save(row.id, last_error=_describe(exc))
                break
            staff_id = (
                info.staff_ids[0]
                if info.staff_ids and info.staff_ids[0] in self._advisors
                else row.staff_id
            )
            booked = self._save(
                row.id,
                status=AppointmentStatus.BOOKED,
                graph_appointment_id=info.appointment_id,
                join_url=info.customer_join_url,
                teams_join_url=info.join_url,
                staff_id=staff_id,
                advisor_first_name=self._advisors[staff_id].first_name,
                last_error=None,
            )
            booked = await self._apply_options(booked)
            return BookingOutcome(
                OutcomeStatus.BOOKED, message("booked", booked.locale), view_of(booked)
            )
        with self._sessions() as session:
            current = get_appointment_record(session=session, booking_id=row.id)
            assert current is not None
        gave_up = current.attempts >= self._settings.max_pending_attempts
        transient = isinstance(last_error, GatewayUnavailable | GatewayAuthError) and not (
            isinstance(last_error, GatewayUnavailable) and last_error.status == 500
        )
        if gave_up or (last_error is not None and not transient):
            # A 500 that availability does not explain, a refused rule, or too many attempts:
            # the customer gets the next free slots rather than a request pending for ever.
            note = f"gave up after {current.attempts} attempts" if gave_up else current.last_error
            failed = self._save(row.id, status=AppointmentStatus.FAILED, last_error=note)
            alternatives = await self._alternatives(
                topic=row.topic, locale=row.locale, after=self._clock()
            )
            return BookingOutcome(
                OutcomeStatus.FAILED,
                message("failed", failed.locale),
                view_of(failed),
                tuple(s for s in alternatives if s.start != slot_start(failed)),
            )
        return BookingOutcome(
            OutcomeStatus.PENDING, message("pending", current.locale), view_of(current)
        )

    def _wait(self, exc: GatewayError, attempt: int) -> float:
        base = self._settings.retry_backoff_seconds * (2**attempt)
        if isinstance(exc, GatewayUnavailable) and exc.retry_after is not None:
            base = max(base, exc.retry_after)
        return min(base, self._settings.max_wait_seconds)

    async def _slot_taken(self, row: MeetingAppointment, exc: SlotTaken) -> BookingOutcome:
        self._save(row.id, status=AppointmentStatus.FAILED, last_error=_describe(exc))
        alternatives = await self._alternatives(
            topic=row.topic, locale=row.locale, after=_aware(row.start_utc)
        )
        if not alternatives:
            # Nothing later: offer whatever is free at all.
            alternatives = await self._alternatives(
                topic=row.topic, locale=row.locale, after=self._clock()
            )
        return BookingOutcome(
            OutcomeStatus.SLOT_TAKEN, message("slot_taken", row.locale), alternatives=alternatives
        )

    def _outcome_of(self, row: MeetingAppointment) -> BookingOutcome:
        status = {
            AppointmentStatus.BOOKED: OutcomeStatus.BOOKED,
            AppointmentStatus.PENDING: OutcomeStatus.PENDING,
            AppointmentStatus.CANCELLED: OutcomeStatus.CANCELLED,
        }.get(AppointmentStatus(row.status), OutcomeStatus.FAILED)
        key = {OutcomeStatus.CANCELLED: "cancelled"}.get(status, status.value)
        return BookingOutcome(status, message(key, row.locale), view_of(row))

    def _save(self, booking_id: str, **changes: object) -> MeetingAppointment:
        with self._sessions() as session:
            row = get_appointment_record(session=session, booking_id=booking_id)
            if row is None:
                raise BookingNotFound(booking_id)
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            session.add(row)
            session.flush()
            return row

    async def retry_pending(self, *, limit: int = 50) -> list[BookingOutcome]:
        """Called by a background job: one reconciled attempt per pending booking, Teams
        options still to set, and the Bookings cleanup left by erasure and retention.

        A request whose slot has already started is marked failed instead of being booked late.
        """
        with self._sessions() as session:
            ids = list_pending(
                session=session, max_attempts=self._settings.max_pending_attempts, limit=limit
            )
        outcomes: list[BookingOutcome] = []
        now = _to_utc(self._clock())
        for booking_id in ids:
            with self._sessions() as session:
                row = get_appointment_record(session=session, booking_id=booking_id)
            if row is None or row.status != AppointmentStatus.PENDING:
                continue
            if _aware(row.start_utc) <= now:
                expired = self._save(
                    row.id, status=AppointmentStatus.FAILED, last_error="expired before booking"
                )
                outcomes.append(
                    BookingOutcome(OutcomeStatus.FAILED, message("failed", expired.locale))
                )
                continue
            outcomes.append(await self._drive(row, attempts=1))
        with self._sessions() as session:
            unapplied = list_options_pending(session=session, after=now, limit=limit)
        for booking_id in unapplied:
            with self._sessions() as session:
                row = get_appointment_record(session=session, booking_id=booking_id)
            if row is not None:
                await self._apply_options(row)
        await self.process_cleanup(limit=limit)
        return outcomes

    # ----- Bookings cleanup (erasure, retention) ------------------------------------------

    def _enqueue(self, kind: CleanupKind, *, graph_id: str, reason: str) -> None:
        with self._sessions() as session:
            session.add(GraphCleanup(kind=kind, graph_id=graph_id, reason=reason))
            session.flush()

    async def process_cleanup(
        self, *, limit: int = 50, only: Sequence[int] | None = None
    ) -> list[GraphCleanup]:
        """Carries out queued Bookings work left by erasure and retention (see
        :func:`chat_widget.meetings.cleanup.process_cleanup`)."""
        return await process_cleanup(
            gateway=self._gateway,
            sessions=self._sessions,
            limit=limit,
            only=only,
            max_attempts=self._settings.max_cleanup_attempts,
            margin_minutes=self._settings.reconcile_margin_minutes,
        )

    # ----- after booking -----------------------------------------------------------------

    def get(self, *, booking_id: str, customer_id: str | None = None) -> AppointmentView:
        with self._sessions() as session:
            row = get_appointment_record(
                session=session, booking_id=booking_id, customer_id=customer_id
            )
        if row is None:
            raise BookingNotFound(booking_id)
        return view_of(row)

    def list_for_customer(self, *, customer_id: str) -> list[AppointmentView]:
        with self._sessions() as session:
            rows = list_customer_appointments(session=session, customer_id=customer_id)
        return [view_of(r) for r in rows]

    async def _too_late_to_change(self, row: MeetingAppointment) -> bool:
        """Bookings refuses changes inside the minimum lead time (business rules)."""
        try:
            rules = await self.topic_rules(row.topic)
        except GatewayError:
            return False  # let Graph decide
        return _aware(row.start_utc) < self._clock() + rules.policy.minimum_lead_time

    async def cancel(self, *, booking_id: str, customer_id: str | None = None) -> BookingOutcome:
        """Cancels in Graph, then here. ``customer_id=None`` is the employee console.

        Raises BookingNotFound for an id this customer does not own.
        """
        with self._sessions() as session:
            row = get_appointment_record(
                session=session, booking_id=booking_id, customer_id=customer_id
            )
        if row is None:
            raise BookingNotFound(booking_id)
        if row.status in (AppointmentStatus.CANCELLED, AppointmentStatus.FAILED):
            return self._outcome_of(row)
        if row.locked_until is not None and _aware(row.locked_until) > self._clock():
            # A booking attempt is in flight; cancelling now could be overtaken by its result.
            return BookingOutcome(
                OutcomeStatus.CHANGE_FAILED, message("change_failed", row.locale), view_of(row)
            )
        if row.graph_appointment_id is not None and await self._too_late_to_change(row):
            return BookingOutcome(
                OutcomeStatus.CHANGE_FAILED, message("too_late", row.locale), view_of(row)
            )
        try:
            graph_id = row.graph_appointment_id
            if graph_id is None:
                # Pending: an earlier attempt may still have created it in Graph.
                with self._sessions() as session:
                    known = get_meeting_customer(session=session, customer_id=row.customer_id)
                found = await self._reconcile(
                    row,
                    self._request(
                        row,
                        graph_customer_id=known.graph_customer_id if known else None,
                        select_staff=True,
                    ),
                )
                graph_id = found.appointment_id if found else None
            if graph_id is not None:
                try:
                    await self._gateway.cancel_appointment(
                        graph_id, message=message("cancelled", row.locale)
                    )
                except AppointmentNotFound:
                    pass  # already gone in Graph: the goal is reached
        except GatewayError as exc:
            self._save(row.id, last_error=_describe(exc))
            return BookingOutcome(
                OutcomeStatus.CHANGE_FAILED, message("change_failed", row.locale), view_of(row)
            )
        done = self._save(row.id, status=AppointmentStatus.CANCELLED)
        return BookingOutcome(
            OutcomeStatus.CANCELLED, message("cancelled", done.locale), view_of(done)
        )

    async def reschedule(
        self, *, booking_id: str, slot: Slot, customer_id: str | None = None
    ) -> BookingOutcome:
        """Moves a booked meeting to ``slot``, keeping the advisor when they are free then."""
        with self._sessions() as session:
            row = get_appointment_record(
                session=session, booking_id=booking_id, customer_id=customer_id
            )
        if row is None:
            raise BookingNotFound(booking_id)
        if row.status != AppointmentStatus.BOOKED or row.graph_appointment_id is None:
            return BookingOutcome(
                OutcomeStatus.CHANGE_FAILED, message("change_failed", row.locale), view_of(row)
            )
        if await self._too_late_to_change(row):
            return BookingOutcome(
                OutcomeStatus.CHANGE_FAILED, message("too_late", row.locale), view_of(row)
            )
        rules = await self.topic_rules(row.topic)
        staff_id = self._choose_staff(
            slot, topic=row.topic, locale=row.locale, rules=rules, prefer=row.staff_id
        )
        try:
            info = await self._gateway.reschedule_appointment(
                row.graph_appointment_id,
                start=slot.start,
                end=slot.end,
                staff_id=staff_id if rules.policy.allow_staff_selection else None,
            )
        except (SlotTaken, GatewayUnavailable) as exc:
            if isinstance(exc, GatewayUnavailable) and exc.status != 500:
                self._save(row.id, last_error=_describe(exc))
                return BookingOutcome(
                    OutcomeStatus.CHANGE_FAILED,
                    message("change_failed", row.locale),
                    view_of(row),
                )
            # 500 is how Graph answers an overlap (docs issue #19316).
            alternatives = await self._alternatives(
                topic=row.topic, locale=row.locale, after=slot.start
            )
            return BookingOutcome(
                OutcomeStatus.SLOT_TAKEN,
                message("slot_taken", row.locale),
                view_of(row),
                alternatives,
            )
        except GatewayError as exc:
            self._save(row.id, last_error=_describe(exc))
            return BookingOutcome(
                OutcomeStatus.CHANGE_FAILED, message("change_failed", row.locale), view_of(row)
            )
        if info.staff_ids and info.staff_ids[0] in self._advisors:
            staff_id = info.staff_ids[0]
        teams_url = info.join_url or row.teams_join_url
        join_url = info.customer_join_url or row.join_url
        moved = self._save(
            row.id,
            start_utc=_to_utc(slot.start),
            end_utc=_to_utc(slot.end),
            staff_id=staff_id,
            advisor_first_name=self._advisors[staff_id].first_name,
            join_url=join_url,
            teams_join_url=teams_url,
            last_error=None,
        )
        if teams_url != row.teams_join_url or staff_id != row.staff_id:
            # A new Teams meeting (or organizer) needs its options set again.
            moved = await self._apply_options(self._save(row.id, meeting_options="pending"))
        return BookingOutcome(
            OutcomeStatus.RESCHEDULED, message("rescheduled", moved.locale), view_of(moved)
        )

    def ics(self, *, booking_id: str, customer_id: str | None = None) -> str:
        """The ``.ics`` download for a booking (sequence follows the last change)."""
        with self._sessions() as session:
            row = get_appointment_record(
                session=session, booking_id=booking_id, customer_id=customer_id
            )
        if row is None:
            raise BookingNotFound(booking_id)
        view = view_of(row)
        return build_ics(
            uid=f"{row.id}@chat-widget",
            start=_aware(row.start_utc),
            end=_aware(row.end_utc),
            summary=f"{get_topic(row.topic).label(row.locale)} — {row.advisor_first_name}",
            description=view.recording_reminder,
            join_url=row.join_url,
            organizer_name=row.advisor_first_name,
            sequence=int(row.updated_at.timestamp()) % 2_000_000_000,
            cancelled=row.status == AppointmentStatus.CANCELLED,
        )


def slot_start(row: MeetingAppointment) -> datetime:
    return _aware(row.start_utc)


def _describe(exc: GatewayError) -> str:
    return f"{type(exc).__name__}: status={exc.status} code={exc.code}"[:500]


__all__ = [
    "AppointmentView",
    "TopicRules",
    "BookingOutcome",
    "BookingService",
    "BookingSettings",
    "OutcomeStatus",
    "view_of",
]
