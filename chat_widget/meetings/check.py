"""Checks a bank's Microsoft 365 tenant the way the widget will use it, one line per step.

    python -m chat_widget.meetings.check [--book]

Reads the same ``CW_GRAPH_*`` settings, ``CW_ENV`` and advisors file (``CW_ADVISORS_PATH``) as
the app. Steps: the token; the booking business, its hours and scheduling policy; the service
of each topic and its staff; each advisor as a Bookings staff member with an Entra object id;
free slots in the next 14 days. With ``--book``: books the first free slot for a test
customer, reads it back, checks the Teams join link, cancels it and removes the test customer.

Exit status 0 only when every step passed; a failed step prints what to fix, e.g.
``403 on getStaffAvailability: grant Bookings.Read.All``. In development it works with
``CW_GRAPH_STATIC_TOKEN`` against a Graph-compatible loopback server, as the app does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from chat_widget.domain.calendar import (
    AppointmentRequest,
    BusinessInfo,
    MeetingGateway,
    MeetingOptions,
    ServiceInfo,
)
from chat_widget.domain.clock import utcnow
from chat_widget.domain.meeting_errors import GatewayAuthError, GatewayError
from chat_widget.meetings.advisors import advisors_path, load_advisors
from chat_widget.meetings.slots import (
    Advisor,
    RecordingPoolError,
    Slot,
    SlotRules,
    check_recording_pools,
    compute_free_slots,
)
from chat_widget.meetings.topics import Recording, all_topics

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HORIZON_DAYS = 14
TEST_CUSTOMER = "cw-check test customer"

#: What to grant when Graph answers 403 at a step (least privilege, see the package README).
GRANT = {
    "business": "grant BookingsAppointment.ReadWrite.All (application) and admin consent",
    "services": "grant BookingsAppointment.ReadWrite.All (application) and admin consent",
    "staff": "grant BookingsAppointment.ReadWrite.All (application) and admin consent",
    "users": "grant User.Read.All, or set entra_object_id for each advisor in the advisors file",
    "getStaffAvailability": "grant Bookings.Read.All",
    "customers": "grant BookingsAppointment.ReadWrite.All",
    "appointments": "grant BookingsAppointment.ReadWrite.All",
    "onlineMeetings": (
        "grant OnlineMeetings.ReadWrite.All and an application access policy for the organizer"
    ),
}


@dataclass
class Report:
    out: IO[str]
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def ok(self, step: str, text: str) -> None:
        self._write(f"OK   {step}: {text}")

    def fail(self, step: str, text: str) -> None:
        self.failed += 1
        self._write(f"FAIL {step}: {text}")

    def _write(self, line: str) -> None:
        self.lines.append(line)
        self.out.write(line + "\n")
        self.out.flush()


def explain(exc: BaseException, step: str, what: str = "") -> str:
    """A failed call as the line an admin can act on."""
    status = getattr(exc, "status", None)
    target = what or step
    if isinstance(exc, GatewayAuthError) and status == 401:
        return (
            f"401 on {target}: the token was refused; check CW_GRAPH_TENANT_ID, "
            "CW_GRAPH_CLIENT_ID, CW_GRAPH_CLIENT_SECRET (or CW_GRAPH_STATIC_TOKEN)"
        )
    if isinstance(exc, GatewayAuthError):
        return f"{status} on {target}: {GRANT.get(step, 'check the app permissions')}"
    if status is not None:
        return f"{status} on {target}: {exc}"
    return f"{target}: {exc}"


def _hours(business: BusinessInfo) -> str:
    parts = []
    for day, slots in zip(DAYS, business.hours, strict=False):
        if slots:
            spans = "+".join(f"{a.strftime('%H:%M')}-{b.strftime('%H:%M')}" for a, b in slots)
            parts.append(f"{day} {spans}")
    return ", ".join(parts) or "none"


def _duration(delta: timedelta | None) -> str:
    if delta is None:
        return "none"
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 1440}d" if minutes % 1440 == 0 else f"{minutes} min"


async def run_check(
    gateway: MeetingGateway,
    *,
    service_ids: dict[str, str],
    advisors: Sequence[Advisor],
    book: bool,
    out: IO[str],
    token_check: Callable[[], Any] | None = None,
    meeting_options: bool = False,
) -> bool:
    """Runs the steps against ``gateway``; True when every step passed."""
    report = Report(out)
    if token_check is not None:
        try:
            await token_check()
            report.ok("token", "acquired")
        except Exception as exc:  # azure-identity raises several types
            report.fail(
                "token",
                f"no token ({type(exc).__name__}: {exc}); check CW_GRAPH_TENANT_ID, "
                "CW_GRAPH_CLIENT_ID and CW_GRAPH_CLIENT_SECRET",
            )
            return False

    try:
        business = await gateway.get_business()
    except GatewayError as exc:
        if exc.status == 404:
            report.fail(
                "business",
                "404 on the booking business: fix CW_GRAPH_BOOKING_BUSINESS_ID "
                "(the business's id, like bank@contoso.onmicrosoft.com)",
            )
        else:
            report.fail("business", explain(exc, "business", "the booking business"))
        return False
    policy = business.policy
    report.ok(
        "business", f"{business.display_name or business.business_id}; hours {_hours(business)}"
    )
    report.ok(
        "scheduling policy",
        f"interval {_duration(policy.time_slot_interval)}, minimum lead time "
        f"{_duration(policy.minimum_lead_time)}, maximum advance "
        f"{_duration(policy.maximum_advance)}, staff selection "
        + ("on" if policy.allow_staff_selection else "off (Bookings picks the advisor)"),
    )
    if not any(business.hours):
        report.fail("business", "no opening hours: set the business hours in Bookings")

    try:
        services = {s.service_id: s for s in await gateway.list_services()}
        staff = {s.staff_id: s for s in await gateway.list_staff()}
    except GatewayError as exc:
        report.fail("services", explain(exc, "services", "services and staff"))
        return False

    recorded = [t.key for t in all_topics() if t.recording is not Recording.NONE]
    try:
        check_recording_pools(advisors, recorded)
        report.ok("recording pools", "advisors of recorded topics take no other topic")
    except RecordingPoolError as exc:
        report.fail("recording pools", str(exc))

    by_topic: dict[str, ServiceInfo] = {}
    for topic in all_topics():
        service_id = service_ids.get(topic.key)
        if not service_id:
            report.fail(
                f"service {topic.key}",
                f"no service mapped: add {topic.key}=<serviceId> to CW_GRAPH_SERVICE_IDS",
            )
            continue
        service = services.get(service_id)
        if service is None:
            report.fail(
                f"service {topic.key}",
                f"service {service_id!r} not found in the business: fix CW_GRAPH_SERVICE_IDS",
            )
            continue
        by_topic[topic.key] = service
        pool = [a.staff_id for a in advisors if topic.key in a.topics]
        missing = [sid for sid in pool if service.staff_ids and sid not in service.staff_ids]
        text = (
            f"{service.name or service.service_id}, {_duration(service.duration)}, "
            f"staff {', '.join(service.staff_ids) or 'any'}"
        )
        if not service.is_location_online:
            report.fail(f"service {topic.key}", text + ": turn on online meetings (Teams)")
        elif not pool:
            report.fail(f"service {topic.key}", text + ": no advisor for it in the advisors file")
        elif missing:
            report.fail(
                f"service {topic.key}",
                text + f": add {', '.join(missing)} to the service's staff in Bookings",
            )
        else:
            report.ok(f"service {topic.key}", text)

    for advisor in advisors:
        step = f"staff {advisor.staff_id}"
        member = staff.get(advisor.staff_id)
        if member is None:
            report.fail(step, "not a staff member of the business: fix the advisors file")
            continue
        try:
            oid = await gateway.staff_object_id(advisor.staff_id)
        except GatewayError as exc:
            report.fail(step, explain(exc, "users", "/users"))
            continue
        if oid is None:
            report.fail(
                step,
                f"{member.email or 'no e-mail'} has no Entra object id: set entra_object_id "
                "in the advisors file (or give the staff member their Microsoft 365 e-mail)",
            )
        else:
            report.ok(step, f"{member.display_name} ({member.email}), object id {oid}")

    first: tuple[str, Slot] | None = None
    start = utcnow()
    pool_ids = sorted({a.staff_id for a in advisors if a.staff_id in staff})
    try:
        schedules = await gateway.get_staff_availability(
            pool_ids, start, start + timedelta(days=HORIZON_DAYS)
        )
    except GatewayError as exc:
        report.fail("availability", explain(exc, "getStaffAvailability"))
        return False
    counts = []
    for topic_key, service in by_topic.items():
        rules = _rules(business, service)
        pool = [a.staff_id for a in advisors if topic_key in a.topics and a.staff_id in staff]
        slots = compute_free_slots(now=start, rules=rules, schedules=schedules, staff_ids=pool)
        counts.append(f"{topic_key} {len(slots)}")
        if slots and first is None:
            first = (topic_key, slots[0])
    if first is None:
        report.fail(
            "availability",
            f"no free slot in the next {HORIZON_DAYS} days ({', '.join(counts)}): check hours, "
            "staff working hours and calendars",
        )
        return False
    report.ok("availability", f"free slots in the next {HORIZON_DAYS} days: {', '.join(counts)}")

    if book:
        await _book_and_cancel(gateway, report, first, business, meeting_options)
    return report.failed == 0


def _rules(business: BusinessInfo, service: ServiceInfo) -> SlotRules:
    from chat_widget.meetings.booking import rules_from_graph

    return rules_from_graph(SlotRules(horizon_days=HORIZON_DAYS), business, service).rules


async def _book_and_cancel(
    gateway: MeetingGateway,
    report: Report,
    first: tuple[str, Slot],
    business: BusinessInfo,
    meeting_options: bool,
) -> None:
    topic, slot = first
    try:
        customer_id = await gateway.create_customer(name=TEST_CUSTOMER, email=None)
    except GatewayError as exc:
        report.fail("book", explain(exc, "customers", "POST customers"))
        return
    try:
        request = AppointmentRequest(
            booking_id="0" * 32,
            topic=topic,
            staff_id=slot.staff_ids[0],
            start=slot.start,
            end=slot.end,
            customer_name=TEST_CUSTOMER,
            customer_email=None,
            customer_time_zone="Europe/Brussels",
            locale="en",
            options=MeetingOptions(),
            graph_customer_id=customer_id,
            select_staff=business.policy.allow_staff_selection,
        )
        try:
            created = await gateway.create_appointment(request)
        except GatewayError as exc:
            report.fail("book", explain(exc, "appointments", "POST appointments"))
            return
        report.ok("book", f"{topic} at {slot.start.isoformat()} with {slot.staff_ids[0]}")
        try:
            read = await gateway.get_appointment(created.appointment_id)
            if read.start != slot.start:
                report.fail("read back", f"start {read.start.isoformat()} != {slot.start}")
            else:
                report.ok("read back", created.appointment_id)
            await _check_join_link(gateway, report, read.join_url or created.join_url, request)
            if meeting_options and (read.join_url or created.join_url):
                try:
                    result = await gateway.apply_meeting_options(
                        join_url=read.join_url or created.join_url or "",
                        staff_id=request.staff_id,
                        options=MeetingOptions(),
                    )
                    report.ok("meeting options", result.value)
                except GatewayError as exc:
                    report.fail("meeting options", explain(exc, "onlineMeetings"))
        except GatewayError as exc:
            report.fail("read back", explain(exc, "appointments", "GET appointment"))
        finally:
            try:
                await gateway.cancel_appointment(
                    created.appointment_id, message="Test booking of the contact widget's check."
                )
                report.ok("cancel", created.appointment_id)
            except GatewayError as exc:
                report.fail("cancel", explain(exc, "appointments", "cancel/delete appointment"))
    finally:
        try:
            await gateway.delete_customer(customer_id)
            report.ok("remove test customer", customer_id)
        except GatewayError as exc:
            report.fail("remove test customer", explain(exc, "customers", "DELETE customer"))


async def _check_join_link(
    gateway: MeetingGateway, report: Report, join_url: str | None, request: AppointmentRequest
) -> None:
    from urllib.parse import urlsplit

    if not join_url:
        report.fail("join link", "no Teams link: make the service an online (Teams) meeting")
        return
    host = urlsplit(join_url).hostname or ""
    if not host.endswith("teams.microsoft.com"):
        report.fail("join link", f"unexpected host {host!r}")
        return
    from urllib.parse import parse_qs, unquote

    context = parse_qs(urlsplit(join_url).query).get("context", [""])[0]
    if '"Oid"' not in unquote(context):
        report.fail("join link", "no organizer (Oid) in the link's context")
        return
    report.ok("join link", join_url[:80] + ("…" if len(join_url) > 80 else ""))


def main(argv: Sequence[str] | None = None, *, out: IO[str] | None = None) -> int:
    """The command line; exit status 0 only when every step passed."""
    # The entry point wires the Graph adapter (like privacy/__main__ wires the database): the
    # check itself above only speaks the gateway protocol.
    from chat_widget.adapters.graph import GraphConfigError, gateway_from_env

    parser = argparse.ArgumentParser(
        prog="python -m chat_widget.meetings.check",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--book", action="store_true", help="also book, read back and cancel a test meeting"
    )
    args = parser.parse_args(argv)
    stream = out or sys.stdout
    path = advisors_path()
    try:
        advisors = load_advisors(path)
    except (OSError, ValueError, KeyError) as exc:
        stream.write(f"FAIL advisors: cannot read {path}: {exc}\n")
        return 1
    try:
        gateway = gateway_from_env(advisors_path=str(path))
    except GraphConfigError as exc:
        stream.write(f"FAIL settings: {exc}\n")
        return 1
    if gateway is None:
        stream.write("FAIL settings: set CW_GRAPH_BOOKING_BUSINESS_ID (and the other CW_GRAPH_*)\n")
        return 1
    stream.write(
        f"OK   settings: {gateway.settings.base_url}, business "
        f"{gateway.settings.booking_business_id}\n"
    )

    async def run() -> bool:
        try:
            return await run_check(
                gateway,
                service_ids=dict(gateway.settings.service_ids),
                advisors=advisors,
                book=args.book,
                out=stream,
                token_check=gateway.token_check,
                meeting_options=gateway.settings.meeting_options,
            )
        finally:
            await gateway.aclose()

    return 0 if asyncio.run(run()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
