"""A fake Microsoft Graph (Bookings + the bits of users/onlineMeetings we use), built from
Microsoft's documentation rather than from what our client expects.

Real HTTP on 127.0.0.1, reached through msgraph-sdk. Every behaviour names the page of
microsoftgraph/microsoft-graph-docs-contrib it follows (paths below are relative to
``api-reference/v1.0/``); where the documentation is silent the behaviour is marked GUESS.

* Tokens carry application roles (``FakeGraph(tokens={"tok": {"Bookings.Read.All", …}})``);
  each endpoint accepts the roles of its permission table (``includes/permissions/*``) and
  answers 403 otherwise. ``DEFAULT_ROLES`` is the least-privilege set the README tells an
  admin to grant.
* The business has opening hours and a scheduling policy (``api/bookingbusiness-get.md``);
  creating an appointment with application permissions enforces the business rules of
  ``concepts/bookingsbusiness-business-rules.md``: inside business hours, exactly the
  service's duration, minimum lead time, maximum advance, ``staffMemberIds`` only with
  ``allowStaffSelection``; cancelling inside the minimum lead time is refused too. The status
  and code of those refusals are not documented (GUESS: 400 ``BadRequest``).
* ``getStaffAvailability`` (``api/bookingbusiness-getstaffavailability.md``) answers per staff
  member per day, in a Windows display-name zone, with ``"Available"``/``"Busy"`` items, and
  ignores opening hours (docs-contrib issue #188): it reports the staff member's own working
  hours. The example's body key is ``staffAvailabilityItem``; msgraph-sdk (generated from the
  service metadata) reads ``value``: ``availability_key`` chooses, ``value`` by default.
* No 409 is documented for POST appointments: an overlapping create and an unknown staff id
  answer 500 ``UnknownError`` (microsoft-graph-docs issues #19316, #20554).
* Each answer carries the fields of the documented example, no more: ``calendarView`` items
  (``api/bookingbusiness-list-calendarview.md``) have no ``additionalInformation`` and use
  ``start``/``end``; POST (``api/bookingbusiness-post-appointments.md``) returns
  ``startDateTime``/``endDateTime`` and no ``additionalInformation``.
* A booking whose customer has no valid ``customerId`` creates a new bookingCustomer holding
  its name and e-mail (GUESS, reported behaviour); an invalid ``customerId`` is dropped
  ("that customer won't be included in the appointment object", post-appointments).
* Bookings creates the Teams meeting; its ``joinWebUrl`` carries ``{"Tid","Oid"}`` in
  ``context`` (post-appointments example). Who organises it is not documented: the example
  has ``staffMemberIds: []``, so its ``Oid`` is not a staff member's. ``organizer="business"``
  (default) makes the business mailbox the organizer, ``"staff"`` the first staff member.
* ``/users/{id}/onlineMeetings`` takes the organizer's Entra object id (``api/onlinemeeting-
  get.md``: "userId is the object ID of a user"); an e-mail gives 404 (msgraph-sdk-dotnet
  #1215). Application access needs an application access policy for that user
  (``access_policy_users``; ``None`` = granted for everyone).

Faults are queued per endpoint name (``ENDPOINTS``) for the next N calls: ``fail`` answers an
error before doing anything, ``delay`` sleeps first, ``lose_response`` does the work and then
answers 503 or sleeps past the client's timeout.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import uvicorn
from azure.core.credentials import AccessToken
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chat_widget.domain.clock import utcnow

ENDPOINTS = (
    "business",
    "services",
    "staff",
    "availability",
    "appointments.list",
    "appointments.create",
    "appointments.get",
    "appointments.patch",
    "appointments.cancel",
    "appointments.delete",
    "calendar_view",
    "customers.list",
    "customers.create",
    "customers.delete",
    "users",
    "online_meetings.list",
    "online_meetings.patch",
)

READ = "Bookings.Read.All"
APPOINTMENTS = "BookingsAppointment.ReadWrite.All"
READ_WRITE = "Bookings.ReadWrite.All"
MANAGE = "Bookings.Manage.All"

# Application permissions per endpoint, from includes/permissions/<page>-permissions.md
# (least and higher privileged together: either is accepted).
ROLES: dict[str, frozenset[str]] = {
    # bookingbusiness-get-permissions.md
    "business": frozenset({READ, APPOINTMENTS, READ_WRITE, MANAGE}),
    # bookingbusiness-list-services (same family as list-staffmembers-permissions.md)
    "services": frozenset({READ, APPOINTMENTS, READ_WRITE, MANAGE}),
    # bookingbusiness-list-staffmembers-permissions.md
    "staff": frozenset({READ, APPOINTMENTS, READ_WRITE, MANAGE}),
    # bookingbusiness-getstaffavailability-permissions.md: NOT BookingsAppointment.ReadWrite.All
    "availability": frozenset({READ, "Calendars.Read", "Calendars.ReadWrite"}),
    # bookingbusiness-list-appointments / bookingappointment-get-permissions.md
    "appointments.list": frozenset({READ, APPOINTMENTS, READ_WRITE, MANAGE}),
    "appointments.get": frozenset({READ, APPOINTMENTS, READ_WRITE, MANAGE}),
    # bookingbusiness-list-calendarview
    "calendar_view": frozenset({READ, APPOINTMENTS, READ_WRITE, MANAGE}),
    # api/bookingbusiness-post-appointments.md: "BookingsAppointment.ReadWrite.All,
    # Bookings.Read.All" (sic) for application permissions
    "appointments.create": frozenset({APPOINTMENTS, READ, READ_WRITE, MANAGE}),
    # bookingappointment-update
    "appointments.patch": frozenset({APPOINTMENTS, READ, READ_WRITE, MANAGE}),
    # bookingappointment-cancel-permissions.md: application "Not supported" as least
    # privileged, Bookings.Manage.All / Bookings.ReadWrite.All as higher privileged
    "appointments.cancel": frozenset({READ_WRITE, MANAGE}),
    # bookingappointment-delete-permissions.md
    "appointments.delete": frozenset({APPOINTMENTS, READ, READ_WRITE, MANAGE}),
    # bookingbusiness-list-customers-permissions.md, bookingbusiness-post-customers-
    # permissions.md: BookingsAppointment.ReadWrite.All
    "customers.list": frozenset({APPOINTMENTS, READ_WRITE, MANAGE}),
    "customers.create": frozenset({APPOINTMENTS, READ_WRITE, MANAGE}),
    # bookingcustomer-delete-permissions.md
    "customers.delete": frozenset({APPOINTMENTS, READ, READ_WRITE, MANAGE}),
    # user-get / user-list (application): User.Read.All and higher
    "users": frozenset(
        {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
    ),
    # onlinemeeting-get.md / onlinemeeting-update.md
    "online_meetings.list": frozenset({"OnlineMeetings.Read.All", "OnlineMeetings.ReadWrite.All"}),
    "online_meetings.patch": frozenset({"OnlineMeetings.ReadWrite.All"}),
}

#: What chat_widget/meetings/README.md tells the admin to grant (least privilege).
DEFAULT_ROLES = frozenset({APPOINTMENTS, READ, "User.Read.All", "OnlineMeetings.ReadWrite.All"})
#: The same plus Bookings.ReadWrite.All, which lets the app use the documented /cancel action.
ROLES_WITH_CANCEL = DEFAULT_ROLES | {READ_WRITE}

TENANT_ID = "995fa18c-b557-4694-8d07-b89779d6dc77"
STAFF_ZONE_DISPLAY = "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris"
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class StaticTokenCredential:
    """An async azure-identity-style credential returning a fixed token (tests only)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls = 0

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        return AccessToken(self.token, int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> StaticTokenCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None


@dataclass
class Fault:
    kind: str  # "fail" | "delay" | "lose_response"
    status: int = 503
    code: str = "ServiceUnavailable"
    retry_after: float | None = None
    seconds: float = 0.0


@dataclass
class Call:
    endpoint: str
    method: str
    status: int
    path: str = ""


def object_id_for(name: str) -> str:
    """A stable Entra object id (GUID) for a fake user."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-graph-user:{name}"))


def _graph_dt(moment: datetime) -> dict[str, str]:
    return {
        "dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
        "timeZone": "UTC",
    }


def _local_dt(moment: datetime, zone: ZoneInfo, display: str) -> dict[str, str]:
    return {
        "dateTime": moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S"),
        "timeZone": display,
    }


def _parse_graph_dt(value: Mapping[str, str]) -> datetime:
    """dateTimeTimeZone in (resources/datetimetimezone.md): ISO text, IANA or UTC zone."""
    raw = str(value["dateTime"]).replace(" ", "")
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$", raw)
    if not match:
        raise ValueError(raw)
    head, frac, tail = match.groups()
    parsed = datetime.fromisoformat(
        f"{head}.{(frac or '0')[:6].ljust(6, '0')}{tail}".replace("Z", "+00:00")
    )
    if parsed.tzinfo is None:
        zone = value.get("timeZone") or "UTC"
        parsed = parsed.replace(tzinfo=UTC if zone in ("UTC", "Etc/UTC") else ZoneInfo(zone))
    return parsed.astimezone(UTC)


def _duration(raw: str) -> timedelta:
    match = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", raw)
    if not match:
        raise ValueError(raw)
    d, h, m, s = (int(x or 0) for x in match.groups())
    return timedelta(days=d, hours=h, minutes=m, seconds=s)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {"request-id": str(uuid.uuid4()), "date": utcnow().isoformat()},
            }
        },
        status_code=status,
        headers=headers,
    )


def _hours(opens: str, closes: str, days: Iterable[str]) -> list[dict[str, Any]]:
    wanted = set(days)
    return [
        {
            "day": day,
            "timeSlots": (
                [{"startTime": f"{opens}:00.0000000", "endTime": f"{closes}:00.0000000"}]
                if day in wanted
                else []
            ),
        }
        for day in _DAYS
    ]


@dataclass
class FakeGraphState:
    tokens: dict[str, frozenset[str]]
    business_id: str
    business: dict[str, Any]
    services: list[dict[str, Any]]
    staff: list[dict[str, Any]]
    users: dict[str, dict[str, Any]]  # object id -> user
    time_zone: ZoneInfo
    organizer: str
    availability_key: str
    access_policy_users: set[str] | None
    clock: Callable[[], datetime]
    appointments: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    online_meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    busy: dict[str, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    hooks: dict[str, deque[Callable[[], None]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeGraph:
    """The fake server; ``start()`` runs uvicorn in a thread on a free 127.0.0.1 port.

    ``services`` maps service id -> display name; ``staff`` maps staff id -> display name.
    Every staff member has the e-mail ``<staff id>@contoso.example`` and, unless listed in
    ``staff_without_user``, an Entra user with that mail (``object_id_for(staff id)``).
    """

    def __init__(
        self,
        *,
        token: str = "test-token",
        tokens: Mapping[str, Iterable[str]] | None = None,
        business_id: str = "bank@contoso.onmicrosoft.com",
        services: Mapping[str, str] | None = None,
        staff: Mapping[str, str] | None = None,
        service_staff: Mapping[str, Iterable[str]] | None = None,
        staff_without_user: Iterable[str] = (),
        duration: str = "PT30M",
        time_slot_interval: str = "PT30M",
        minimum_lead_time: str = "PT2H",
        maximum_advance: str = "P30D",
        allow_staff_selection: bool = True,
        business_hours: tuple[str, str] = ("09:00", "17:00"),
        staff_hours: tuple[str, str] = ("08:00", "18:00"),
        time_zone: str = "Europe/Brussels",
        organizer: str = "business",
        anonymous_join: bool = True,
        availability_key: str = "value",
        access_policy_users: Iterable[str] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        services = dict(services or {"svc-daily": "Daily banking"})
        staff = dict(staff or {"staff-1": "Anna Peeters"})
        token_roles = {k: frozenset(v) for k, v in (tokens or {token: DEFAULT_ROLES}).items()}
        no_user = set(staff_without_user)
        users: dict[str, dict[str, Any]] = {}
        for sid, name in staff.items():
            if sid not in no_user:
                oid = object_id_for(sid)
                users[oid] = {
                    "id": oid,
                    "displayName": name,
                    "mail": f"{sid}@contoso.example",
                    "userPrincipalName": f"{sid}@contoso.example",
                }
        # The business mailbox is a user of its own (GUESS: Bookings calendars are mailboxes).
        business_oid = object_id_for(business_id)
        users[business_oid] = {
            "id": business_oid,
            "displayName": "Bank Bookings",
            "mail": business_id,
            "userPrincipalName": business_id,
        }
        policy = {
            "timeSlotInterval": time_slot_interval,
            "minimumLeadTime": minimum_lead_time,
            "maximumAdvance": maximum_advance,
            "sendConfirmationsToOwner": True,
            "allowStaffSelection": allow_staff_selection,
        }
        weekdays = _DAYS[:5]
        self.state = FakeGraphState(
            tokens=token_roles,
            business_id=business_id,
            # Fields of the api/bookingbusiness-get.md example.
            business={
                "id": business_id,
                "displayName": "Bank",
                "businessType": "",
                "phone": "+32 2 000 00 00",
                "email": business_id,
                "webSiteUrl": "https://www.bank.example/",
                "languageTag": "fr-BE",
                "defaultCurrencyIso": "EUR",
                "isPublished": False,
                "publicUrl": None,
                "address": {
                    "type": "business",
                    "postOfficeBox": "",
                    "street": "Rue de la Banque 1",
                    "city": "Bruxelles",
                    "state": "",
                    "countryOrRegion": "BE",
                    "postalCode": "1000",
                },
                "businessHours": _hours(*business_hours, weekdays),
                "schedulingPolicy": policy,
            },
            services=[
                {
                    "@odata.type": "#microsoft.graph.bookingService",
                    "id": sid,
                    "displayName": name,
                    "defaultDuration": duration,
                    "defaultPrice": 0.0,
                    "defaultPriceType": "free",
                    "description": "",
                    "isHiddenFromCustomers": False,
                    "isLocationOnline": True,
                    "isAnonymousJoinEnabled": anonymous_join,
                    "maximumAttendeesCount": 1,
                    "notes": "",
                    "preBuffer": "PT0S",
                    "postBuffer": "PT0S",
                    "schedulingPolicy": dict(policy),
                    "smsNotificationsEnabled": False,
                    "staffMemberIds": list(
                        (service_staff or {}).get(sid, staff.keys())  # type: ignore[arg-type]
                    ),
                    "webUrl": "",
                }
                for sid, name in services.items()
            ],
            # Fields of resources/bookingstaffmember.md.
            staff=[
                {
                    "@odata.type": "#microsoft.graph.bookingStaffMember",
                    "id": sid,
                    "displayName": name,
                    "emailAddress": f"{sid}@contoso.example",
                    "role": "guest",
                    "timeZone": time_zone,
                    "useBusinessHours": False,
                    "availabilityIsAffectedByPersonalCalendar": True,
                    "isEmailNotificationEnabled": True,
                    "membershipStatus": "active",
                    "workingHours": _hours(*staff_hours, _DAYS[:6]),
                }
                for sid, name in staff.items()
            ],
            users=users,
            time_zone=ZoneInfo(time_zone),
            organizer=organizer,
            availability_key=availability_key,
            access_policy_users=None if access_policy_users is None else set(access_policy_users),
            clock=clock,
        )
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # ----- control -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0"

    def fail(
        self,
        endpoint: str,
        status: int,
        *,
        times: int = 1,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        default_codes = {
            400: "BadRequest",
            401: "InvalidAuthenticationToken",
            403: "ErrorAccessDenied",
            404: "ErrorItemNotFound",
            429: "TooManyRequests",
            500: "UnknownError",
            503: "ServiceUnavailable",
            504: "GatewayTimeout",
        }
        self._queue(
            endpoint,
            Fault(
                "fail", status, code or default_codes.get(status, "generalException"), retry_after
            ),
            times,
        )

    def delay(self, endpoint: str, seconds: float, *, times: int = 1) -> None:
        self._queue(endpoint, Fault("delay", seconds=seconds), times)

    def lose_response(
        self, endpoint: str, *, times: int = 1, status: int = 503, seconds: float = 0.0
    ) -> None:
        """Do the work, then answer ``status`` (or, with ``seconds``, hang that long first)."""
        self._queue(endpoint, Fault("lose_response", status=status, seconds=seconds), times)

    def on_next(self, endpoint: str, action: Callable[[], None]) -> None:
        """Run ``action`` when ``endpoint`` is next called, before it does its work: e.g. another
        channel books the same advisor between our availability check and our create."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint}")
        with self.state.lock:
            self.state.hooks.setdefault(endpoint, deque()).append(action)

    def clear_faults(self) -> None:
        """Graph is back: drop every fault not yet used."""
        with self.state.lock:
            self.state.faults.clear()

    def add_busy(self, staff_id: str, start: datetime, end: datetime) -> None:
        """Something else (another channel, a personal event) occupies the staff member."""
        with self.state.lock:
            self.state.busy.setdefault(staff_id, []).append((start, end))

    def grant(self, token: str, roles: Iterable[str]) -> None:
        with self.state.lock:
            self.state.tokens[token] = frozenset(roles)

    def set_policy(self, **changes: Any) -> None:
        """Change the business's schedulingPolicy (and the services', which inherit it)."""
        with self.state.lock:
            self.state.business["schedulingPolicy"].update(changes)
            for service in self.state.services:
                service["schedulingPolicy"].update(changes)

    def _queue(self, endpoint: str, fault: Fault, times: int) -> None:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint}")
        with self.state.lock:
            self.state.faults.setdefault(endpoint, deque()).extend(
                copy.copy(fault) for _ in range(times)
            )

    def calls(self, endpoint: str | None = None) -> list[Call]:
        with self.state.lock:
            return [c for c in self.state.calls if endpoint is None or c.endpoint == endpoint]

    def online_meeting(self, join_url: str) -> dict[str, Any] | None:
        with self.state.lock:
            for meeting in self.state.online_meetings.values():
                if meeting["joinWebUrl"] == join_url:
                    return copy.deepcopy(meeting)
        return None

    def live_appointments(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                copy.deepcopy(a)
                for a in self.state.appointments.values()
                if not a.get("_cancelled")
            ]

    def all_appointments(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [copy.deepcopy(a) for a in self.state.appointments.values()]

    def customers(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [copy.deepcopy(c) for c in self.state.customers.values()]

    def staff_object_id(self, staff_id: str) -> str:
        return object_id_for(staff_id)

    @property
    def business_object_id(self) -> str:
        return object_id_for(self.state.business_id)

    # ----- server --------------------------------------------------------------------------

    def start(self) -> FakeGraph:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            build_app(self.state),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Graph did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *args: object) -> None:
        self.stop()


def _appointment_id() -> str:
    # Graph ids are long base64 strings with "=", "-" and "_": they must survive URL building.
    return base64.urlsafe_b64encode(b"AAMkA" + uuid.uuid4().bytes + b"\xfb\xff").decode()


def _join_url(organizer_oid: str) -> str:
    """The shape of the post-appointments example: context = {"Tid": …, "Oid": organizer}."""
    context = '{"Tid":"%s","Oid":"%s"}' % (TENANT_ID, organizer_oid)  # noqa: UP031
    return (
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
        + base64.b64encode(uuid.uuid4().bytes).decode().rstrip("=").replace("/", "_")
        + "%40thread.v2/0?context="
        + quote(context, safe="")
    )


def build_app(state: FakeGraphState) -> Starlette:  # noqa: C901 - one closure per endpoint
    def next_fault(endpoint: str) -> Fault | None:
        with state.lock:
            queue = state.faults.get(endpoint)
            return queue.popleft() if queue else None

    def record(endpoint: str, request: Request, status: int) -> None:
        with state.lock:
            state.calls.append(Call(endpoint, request.method, status, request.url.path))

    def endpoint(name: str):  # type: ignore[no-untyped-def]
        def wrap(handler):  # type: ignore[no-untyped-def]
            async def run(request: Request) -> Response:
                auth = request.headers.get("authorization", "")
                token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
                if token is None or token not in state.tokens:
                    record(name, request, 401)
                    return _error(
                        401, "InvalidAuthenticationToken", "Access token is empty or invalid."
                    )
                if not state.tokens[token] & ROLES[name]:
                    record(name, request, 403)
                    return _error(
                        403,
                        "ErrorAccessDenied",
                        "Access is denied. Check credentials and try again.",
                    )
                business_id = request.path_params.get("business")
                if business_id is not None and unquote(business_id) != state.business_id:
                    # GUESS: an unknown business answers 404 like any unknown item.
                    record(name, request, 404)
                    return _error(404, "ErrorItemNotFound", "The specified object was not found.")
                with state.lock:
                    hooks = state.hooks.get(name)
                    hook = hooks.popleft() if hooks else None
                if hook is not None:
                    hook()
                fault = next_fault(name)
                if fault and fault.kind == "fail":
                    record(name, request, fault.status)
                    headers = (
                        {"Retry-After": str(int(fault.retry_after))}
                        if fault.retry_after is not None
                        else None
                    )
                    return _error(fault.status, fault.code, "Injected failure.", headers)
                if fault and fault.kind == "delay":
                    await asyncio.sleep(fault.seconds)
                response = await handler(request)
                if fault and fault.kind == "lose_response":
                    record(name, request, fault.status)
                    if fault.seconds:
                        await asyncio.sleep(fault.seconds)
                    return _error(fault.status, "ServiceUnavailable", "Injected lost response.")
                record(name, request, response.status_code)
                return response

            return run

        return wrap

    def bad_request(message: str) -> Response:
        # GUESS: the business-rule refusals are not documented; 400 BadRequest here.
        return _error(400, "BadRequest", message)

    def unknown_error() -> Response:
        # microsoft-graph-docs #19316 / #20554: overlaps and unknown staff answer 500.
        return _error(500, "UnknownError", "")

    def service_of(service_id: str | None) -> dict[str, Any] | None:
        return next((s for s in state.services if s["id"] == service_id), None)

    def staff_ids() -> set[str]:
        return {s["id"] for s in state.staff}

    def busy_of(staff_id: str, skip: str | None = None) -> list[tuple[datetime, datetime, str]]:
        found = [
            (a["_start"], a["_end"], a.get("serviceId") or "")
            for a in state.appointments.values()
            if not a.get("_cancelled")
            and a["id"] != skip
            and staff_id in (a.get("staffMemberIds") or [])
        ]
        return found + [(s, e, "") for s, e in state.busy.get(staff_id, [])]

    def inside_business_hours(start: datetime, end: datetime) -> bool:
        local_start = start.astimezone(state.time_zone)
        local_end = end.astimezone(state.time_zone)
        if local_start.date() != local_end.date():
            return False
        day = state.business["businessHours"][local_start.weekday()]
        for slot in day["timeSlots"]:
            opens = dtime.fromisoformat(slot["startTime"][:8])
            closes = dtime.fromisoformat(slot["endTime"][:8])
            if opens <= local_start.time() and local_end.time() <= closes:
                return True
        return False

    def policy_of(service: dict[str, Any]) -> dict[str, Any]:
        # concepts/bookingsbusiness-business-rules.md: the service's policy takes precedence.
        return {**state.business["schedulingPolicy"], **(service.get("schedulingPolicy") or {})}

    def rule_violation(
        service: dict[str, Any], start: datetime, end: datetime, staff: list[str]
    ) -> str | None:
        """concepts/bookingsbusiness-business-rules.md, in its order."""
        policy = policy_of(service)
        now = state.clock()
        if not inside_business_hours(start, end):
            return "The appointment is outside the business hours."
        if end - start != _duration(service["defaultDuration"]):
            return "The appointment duration does not match the service duration."
        if start < now + _duration(policy["minimumLeadTime"]):
            return "The appointment does not respect the minimum lead time."
        if start > now + _duration(policy["maximumAdvance"]):
            return "The appointment is beyond the maximum advance."
        if staff and not policy.get("allowStaffSelection"):
            return "Staff selection is not allowed for this business."
        return None

    def overlaps(staff: list[str], start: datetime, end: datetime, skip: str | None) -> bool:
        for sid in staff:
            for b_start, b_end, _ in busy_of(sid, skip):
                if b_start < end and start < b_end:
                    return True
        return False

    def organizer_for(staff: list[str]) -> str:
        if state.organizer == "staff":
            for sid in staff:
                oid = object_id_for(sid)
                if oid in state.users:
                    return oid
        return object_id_for(state.business_id)

    def customer_info(raw: dict[str, Any], customer: dict[str, Any]) -> dict[str, Any]:
        return {
            "@odata.type": "#microsoft.graph.bookingCustomerInformation",
            "customerId": customer["id"],
            "name": raw.get("name") or customer["displayName"],
            "emailAddress": raw.get("emailAddress") or customer.get("emailAddress"),
            "phone": raw.get("phone"),
            "notes": raw.get("notes"),
            "location": None,
            "timeZone": raw.get("timeZone"),
        }

    def new_customer(name: str, email: str | None) -> dict[str, Any]:
        cid = str(uuid.uuid4())
        customer = {
            "@odata.type": "#microsoft.graph.bookingCustomer",
            "id": cid,
            "displayName": name,
            "emailAddress": email,
            "addresses": [],
            "phones": [],
        }
        state.customers[cid] = customer
        return customer

    # ----- business, services, staff -------------------------------------------------------

    @endpoint("business")
    async def business(request: Request) -> Response:
        return JSONResponse(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/solutions/$metadata"
                "#bookingBusinesses/$entity",
                **state.business,
            }
        )

    @endpoint("services")
    async def services(request: Request) -> Response:
        return JSONResponse({"value": copy.deepcopy(state.services)})

    @endpoint("staff")
    async def staff(request: Request) -> Response:
        return JSONResponse({"value": copy.deepcopy(state.staff)})

    # ----- availability --------------------------------------------------------------------

    def day_items(sid: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """api/bookingbusiness-getstaffavailability.md: per day, "Available"/"Busy" windows
        in the display-name zone; the staff member's working hours, not the business's."""
        member = next(s for s in state.staff if s["id"] == sid)
        zone = state.time_zone
        items: list[dict[str, Any]] = []
        day = start.astimezone(zone).date()
        while datetime.combine(day, dtime.min, zone) < end:
            hours = member["workingHours"][day.weekday()]["timeSlots"]
            for slot in hours:
                w_start = datetime.combine(day, dtime.fromisoformat(slot["startTime"][:8]), zone)
                w_end = datetime.combine(day, dtime.fromisoformat(slot["endTime"][:8]), zone)
                w_start, w_end = max(w_start, start), min(w_end, end)
                if w_start >= w_end:
                    continue
                cursor = w_start
                for b_start, b_end, service_id in sorted(busy_of(sid)):
                    if b_end <= cursor or b_start >= w_end:
                        continue
                    if b_start > cursor:
                        items.append(item("Available", cursor, b_start, ""))
                    items.append(item("Busy", max(b_start, cursor), min(b_end, w_end), service_id))
                    cursor = min(b_end, w_end)
                if cursor < w_end:
                    items.append(item("Available", cursor, w_end, ""))
            day += timedelta(days=1)
        return items

    def item(status: str, start: datetime, end: datetime, service_id: str) -> dict[str, Any]:
        return {
            "status": status,
            "startDateTime": _local_dt(start, state.time_zone, STAFF_ZONE_DISPLAY),
            "endDateTime": _local_dt(end, state.time_zone, STAFF_ZONE_DISPLAY),
            "serviceId": service_id,
        }

    @endpoint("availability")
    async def availability(request: Request) -> Response:
        body = await request.json()
        try:
            start = _parse_graph_dt(body["startDateTime"])
            end = _parse_graph_dt(body["endDateTime"])
        except (KeyError, ValueError):
            return bad_request("startDateTime/endDateTime invalid.")
        with state.lock:
            wanted = list(body.get("staffIds") or [])
            if any(sid not in staff_ids() for sid in wanted):
                return unknown_error()
            result = [
                {"staffId": sid, "availabilityItems": day_items(sid, start, end)} for sid in wanted
            ]
        return JSONResponse({state.availability_key: result})

    # ----- appointments --------------------------------------------------------------------

    def as_created(appt: dict[str, Any]) -> dict[str, Any]:
        """Fields of the api/bookingbusiness-post-appointments.md response example."""
        keys = (
            "id selfServiceAppointmentId isLocationOnline joinWebUrl smsNotificationsEnabled "
            "customerTimeZone serviceId serviceName duration preBuffer postBuffer priceType "
            "price serviceNotes optOutOfCustomerEmail anonymousJoinWebUrl staffMemberIds "
            "startDateTime endDateTime serviceLocation reminders maximumAttendeesCount "
            "filledAttendeesCount customers"
        ).split()
        return {k: copy.deepcopy(appt.get(k)) for k in keys}

    def as_listed(appt: dict[str, Any]) -> dict[str, Any]:
        """Fields of the api/bookingbusiness-list-calendarview.md example: ``start``/``end``,
        no ``additionalInformation``, notes null."""
        first = (appt.get("customers") or [{}])[0]
        keys = (
            "id selfServiceAppointmentId isLocationOnline joinWebUrl anonymousJoinWebUrl "
            "customers customerTimeZone smsNotificationsEnabled serviceId serviceName "
            "duration preBuffer postBuffer priceType price optOutOfCustomerEmail "
            "staffMemberIds serviceLocation"
        ).split()
        listed = {k: copy.deepcopy(appt.get(k)) for k in keys}
        listed.update(
            {
                "customerName": first.get("name"),
                "customerEmailAddress": first.get("emailAddress"),
                "customerPhone": first.get("phone"),
                "customerNotes": None,
                "serviceNotes": None,
                "start": appt["startDateTime"],
                "end": appt["endDateTime"],
                "reminders": [],
            }
        )
        return listed

    def as_read(appt: dict[str, Any]) -> dict[str, Any]:
        """GET by id (api/bookingappointment-get.md): notes are returned only here."""
        return {
            **as_created(appt),
            "customerNotes": appt.get("customerNotes"),
            "additionalInformation": appt.get("additionalInformation"),
        }

    @endpoint("appointments.list")
    async def list_appointments(request: Request) -> Response:
        with state.lock:
            items = [as_listed(a) for a in state.appointments.values() if not a.get("_cancelled")]
        return JSONResponse({"value": items})

    @endpoint("calendar_view")
    async def calendar_view(request: Request) -> Response:
        try:
            start = _parse_graph_dt({"dateTime": request.query_params["start"]})
            end = _parse_graph_dt({"dateTime": request.query_params["end"]})
        except (KeyError, ValueError):
            return bad_request("start and end are required.")
        with state.lock:
            items = [
                as_listed(a)
                for a in state.appointments.values()
                if not a.get("_cancelled") and a["_start"] < end and start < a["_end"]
            ]
        return JSONResponse({"value": items})

    @endpoint("appointments.create")
    async def create(request: Request) -> Response:
        body = await request.json()
        try:
            start = _parse_graph_dt(body["startDateTime"])
            end = _parse_graph_dt(body["endDateTime"])
        except (KeyError, ValueError):
            return bad_request("startDateTime/endDateTime invalid.")
        with state.lock:
            service = service_of(body.get("serviceId"))
            if service is None:
                return bad_request("Invalid serviceId.")  # GUESS
            staff = list(body.get("staffMemberIds") or [])
            if any(sid not in staff_ids() for sid in staff):
                return unknown_error()
            problem = rule_violation(service, start, end, staff)
            if problem:
                return bad_request(problem)
            if not staff:
                # No staff chosen: Bookings picks one who provides the service (GUESS: the first
                # free one).
                free = [
                    sid
                    for sid in service["staffMemberIds"]
                    if not overlaps([sid], start, end, None)
                ]
                if not free:
                    return unknown_error()
                staff = free[:1]
            elif overlaps(staff, start, end, None):
                return unknown_error()
            customers = []
            for raw in body.get("customers") or []:
                known = state.customers.get(raw.get("customerId") or "")
                if raw.get("customerId") and known is None:
                    continue  # post-appointments: an invalid customer id is left out
                if known is None:
                    known = new_customer(raw.get("name") or "", raw.get("emailAddress"))
                customers.append(customer_info(raw, known))
            appt_id = _appointment_id()
            online = bool(body.get("isLocationOnline"))
            organizer = organizer_for(staff)
            join = _join_url(organizer) if online else None
            anonymous = (
                f"https://visit.teams.microsoft.com/webrtc-svc/api/route?tid={TENANT_ID}"
                f"&convId=19:meeting_{uuid.uuid4().hex}@thread.v2"
                if online and service.get("isAnonymousJoinEnabled")
                else None
            )
            appt = {
                "@odata.type": "#microsoft.graph.bookingAppointment",
                "id": appt_id,
                "selfServiceAppointmentId": "00000000-0000-0000-0000-000000000000",
                "isLocationOnline": online,
                "joinWebUrl": join,
                "anonymousJoinWebUrl": anonymous,
                "smsNotificationsEnabled": bool(body.get("smsNotificationsEnabled")),
                "customerTimeZone": body.get("customerTimeZone"),
                "serviceId": service["id"],
                "serviceName": body.get("serviceName") or service["displayName"],
                "duration": service["defaultDuration"],
                "preBuffer": service["preBuffer"],
                "postBuffer": service["postBuffer"],
                "priceType": service["defaultPriceType"],
                "price": service["defaultPrice"],
                "serviceNotes": body.get("serviceNotes"),
                "customerNotes": body.get("customerNotes"),
                "additionalInformation": body.get("additionalInformation"),
                "optOutOfCustomerEmail": bool(body.get("optOutOfCustomerEmail")),
                "staffMemberIds": staff,
                "startDateTime": _graph_dt(start),
                "endDateTime": _graph_dt(end),
                "serviceLocation": body.get("serviceLocation"),
                "reminders": body.get("reminders") or [],
                "maximumAttendeesCount": service["maximumAttendeesCount"],
                "filledAttendeesCount": len(customers),
                "customers": customers,
                "_start": start,
                "_end": end,
            }
            state.appointments[appt_id] = appt
            if join:
                meeting_id = f"MSo{uuid.uuid4().hex}"
                # Teams defaults (GUESS): the organization bypasses the lobby, recording allowed.
                state.online_meetings[meeting_id] = {
                    "id": meeting_id,
                    "joinWebUrl": join,
                    "subject": service["displayName"],
                    "lobbyBypassSettings": {"scope": "organization", "isDialInBypassEnabled": True},
                    "allowedLobbyAdmitters": "organizerAndCoOrganizersAndPresenters",
                    "allowedPresenters": "everyone",
                    "allowRecording": True,
                    "recordAutomatically": False,
                    "_organizer": organizer,
                    "_attendees": [object_id_for(sid) for sid in staff],
                }
            return JSONResponse(
                {
                    "@odata.context": "https://graph.microsoft.com/v1.0/solutions/$metadata"
                    f"#bookingBusinesses('{quote(state.business_id)}')/appointments/$entity",
                    **as_created(appt),
                },
                status_code=201,
            )

    def find(appt_id: str) -> dict[str, Any] | None:
        appt = state.appointments.get(unquote(appt_id))
        return None if appt is None or appt.get("_cancelled") else appt

    @endpoint("appointments.get")
    async def get_one(request: Request) -> Response:
        with state.lock:
            appt = find(request.path_params["appt"])
            if appt is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found.")
            return JSONResponse(as_read(appt))

    @endpoint("appointments.patch")
    async def patch(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            appt = find(request.path_params["appt"])
            if appt is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found.")
            try:
                start = (
                    _parse_graph_dt(body["startDateTime"])
                    if "startDateTime" in body
                    else appt["_start"]
                )
                end = (
                    _parse_graph_dt(body["endDateTime"]) if "endDateTime" in body else appt["_end"]
                )
            except ValueError:
                return bad_request("startDateTime/endDateTime invalid.")
            staff = list(body.get("staffMemberIds") or appt.get("staffMemberIds") or [])
            if any(sid not in staff_ids() for sid in staff):
                return unknown_error()
            service = service_of(appt["serviceId"])
            assert service is not None
            problem = rule_violation(service, start, end, staff if "staffMemberIds" in body else [])
            if problem:
                return bad_request(problem)
            if overlaps(staff, start, end, appt["id"]):
                return unknown_error()
            appt.update({k: v for k, v in body.items() if not k.startswith(("_", "@"))})
            appt.update(
                {
                    "startDateTime": _graph_dt(start),
                    "endDateTime": _graph_dt(end),
                    "staffMemberIds": staff,
                    "_start": start,
                    "_end": end,
                }
            )
        return Response(status_code=204)

    @endpoint("appointments.cancel")
    async def cancel(request: Request) -> Response:
        await request.json()
        with state.lock:
            appt = find(request.path_params["appt"])
            if appt is None:
                # api/bookingappointment-cancel.md: "returns HTTP 404 Not Found"
                return _error(404, "ErrorItemNotFound", "The specified object was not found.")
            service = service_of(appt["serviceId"]) or {}
            lead = _duration(policy_of(service)["minimumLeadTime"])
            if appt["_start"] < state.clock() + lead:
                return bad_request("The cancellation does not respect the minimum lead time.")
            appt["_cancelled"] = True
        return Response(status_code=204)

    @endpoint("appointments.delete")
    async def delete(request: Request) -> Response:
        with state.lock:
            appt = find(request.path_params["appt"])
            if appt is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found.")
            appt["_cancelled"] = True
            appt["_deleted"] = True
        return Response(status_code=204)

    # ----- customers -----------------------------------------------------------------------

    @endpoint("customers.list")
    async def list_customers(request: Request) -> Response:
        with state.lock:
            return JSONResponse({"value": [copy.deepcopy(c) for c in state.customers.values()]})

    @endpoint("customers.create")
    async def create_customer(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            customer = new_customer(body.get("displayName") or "", body.get("emailAddress"))
            return JSONResponse(copy.deepcopy(customer), status_code=201)

    @endpoint("customers.delete")
    async def delete_customer(request: Request) -> Response:
        with state.lock:
            if state.customers.pop(unquote(request.path_params["customer"]), None) is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found.")
        return Response(status_code=204)

    # ----- users, online meetings ----------------------------------------------------------

    @endpoint("users")
    async def users(request: Request) -> Response:
        """GET /users?$filter=mail eq '…' (api/user-list.md); ``$select`` is honoured for id."""
        match = re.fullmatch(
            r"(mail|userPrincipalName) eq '((?:[^']|'')*)'",
            request.query_params.get("$filter", ""),
        )
        if not match:
            return bad_request("Unsupported filter.")
        prop, value = match.group(1), match.group(2).replace("''", "'").lower()
        with state.lock:
            found = [
                {"id": u["id"], "displayName": u["displayName"], "mail": u["mail"]}
                for u in state.users.values()
                if str(u.get(prop, "")).lower() == value
            ]
        return JSONResponse({"value": found})

    def meeting_access(user: str) -> Response | None:
        if user not in state.users:
            # An e-mail (or anything not an object id) is not found (msgraph-sdk-dotnet #1215).
            return _error(404, "NotFound", "The user was not found.")
        if state.access_policy_users is not None and user not in state.access_policy_users:
            # concepts/cloud-communication-online-meeting-application-access-policy.md: code
            # "Unauthorized" (documented); the status is not given (GUESS: 403).
            return _error(
                403,
                "Unauthorized",
                "App is not authorized to access online meetings on behalf of user.",
            )
        return None

    @endpoint("online_meetings.list")
    async def list_meetings(request: Request) -> Response:
        user = unquote(request.path_params["user"])
        refused = meeting_access(user)
        if refused is not None:
            return refused
        match = re.fullmatch(
            r"JoinWebUrl eq '((?:[^']|'')*)'", request.query_params.get("$filter", "")
        )
        if not match:
            return bad_request("Filter on JoinWebUrl is required for this call.")
        url = match.group(1).replace("''", "'")
        with state.lock:
            items = [
                {k: v for k, v in m.items() if not k.startswith("_")}
                for m in state.online_meetings.values()
                if m["joinWebUrl"] == url and (user == m["_organizer"] or user in m["_attendees"])
            ]
        return JSONResponse({"value": items})

    @endpoint("online_meetings.patch")
    async def patch_meeting(request: Request) -> Response:
        user = unquote(request.path_params["user"])
        refused = meeting_access(user)
        if refused is not None:
            return refused
        body = await request.json()
        with state.lock:
            meeting = state.online_meetings.get(request.path_params["meeting"])
            # GUESS: only the organizer's meetings can be updated through /users/{id}.
            if meeting is None or meeting["_organizer"] != user:
                return _error(404, "NotFound", "Meeting not found for this user.")
            meeting.update(
                {k: v for k, v in body.items() if not k.startswith(("_", "@")) and k != "id"}
            )
            return JSONResponse({k: v for k, v in meeting.items() if not k.startswith("_")})

    async def appointments(request: Request) -> Response:
        if request.method == "POST":
            return await create(request)
        return await list_appointments(request)

    async def appointment(request: Request) -> Response:
        if request.method == "PATCH":
            return await patch(request)
        if request.method == "DELETE":
            return await delete(request)
        return await get_one(request)

    async def customers(request: Request) -> Response:
        if request.method == "POST":
            return await create_customer(request)
        return await list_customers(request)

    prefix = "/v1.0/solutions/bookingBusinesses/{business}"
    return Starlette(
        routes=[
            Route(prefix, business, methods=["GET"]),
            Route(prefix + "/services", services, methods=["GET"]),
            Route(prefix + "/staffMembers", staff, methods=["GET"]),
            Route(prefix + "/getStaffAvailability", availability, methods=["POST"]),
            Route(prefix + "/calendarView", calendar_view, methods=["GET"]),
            Route(prefix + "/appointments", appointments, methods=["GET", "POST"]),
            Route(prefix + "/appointments/{appt}/cancel", cancel, methods=["POST"]),
            Route(prefix + "/appointments/{appt}", appointment, methods=["GET", "PATCH", "DELETE"]),
            Route(prefix + "/customers", customers, methods=["GET", "POST"]),
            Route(prefix + "/customers/{customer}", delete_customer, methods=["DELETE"]),
            Route("/v1.0/users", users, methods=["GET"]),
            Route("/v1.0/users/{user}/onlineMeetings", list_meetings, methods=["GET"]),
            Route("/v1.0/users/{user}/onlineMeetings/{meeting}", patch_meeting, methods=["PATCH"]),
        ]
    )


def running_fake(**kwargs: Any) -> Iterator[FakeGraph]:
    """Generator body for fixtures: ``yield from running_fake(...)``."""
    fake = FakeGraph(**kwargs).start()
    try:
        yield fake
    finally:
        fake.stop()
