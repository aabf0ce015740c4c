"""A fake Microsoft Graph (Bookings subset) for tests: real HTTP on 127.0.0.1, Graph's JSON.

Implements under ``/v1.0/solutions/bookingBusinesses/{id}``: the business, ``services``,
``staffMembers``, ``getStaffAvailability``, ``appointments`` (list, POST, GET, PATCH,
``/cancel``) and ``calendarView``. Errors use Graph's shape ``{"error": {"code", "message"}}``.
Every request must carry ``Authorization: Bearer <token>`` (401 otherwise).

Faults are queued per endpoint name (see ``ENDPOINTS``) for the next N calls:
``fail`` answers an error before doing anything, ``delay`` sleeps before doing the work, and
``lose_response`` does the work and then answers 503 or sleeps past the client's timeout — the
case where a booking exists although the client saw a failure.
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from azure.core.credentials import AccessToken
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

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
    "calendar_view",
    "online_meetings.list",
    "online_meetings.patch",
)


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


def _graph_dt(moment: datetime) -> dict[str, str]:
    return {
        "dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
        "timeZone": "UTC",
    }


def _parse_graph_dt(value: dict[str, str]) -> datetime:
    raw = value["dateTime"]
    if "." in raw:
        head, frac = raw.split(".", 1)
        tail = ""
        for sep in ("+", "-", "Z"):
            if sep in frac:
                idx = frac.index(sep)
                frac, tail = frac[:idx], frac[idx:]
                break
        raw = f"{head}.{frac[:6]}{tail}"
    parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        if value.get("timeZone", "UTC") not in ("UTC", "Etc/UTC"):
            raise ValueError("fake only accepts UTC")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {"request-id": str(uuid.uuid4())},
            }
        },
        status_code=status,
        headers=headers,
    )


@dataclass
class FakeGraphState:
    token: str
    business_id: str
    services: list[dict[str, Any]]
    staff: list[dict[str, Any]]
    appointments: dict[str, dict[str, Any]] = field(default_factory=dict)
    online_meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    busy: dict[str, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeGraph:
    """The fake server; ``start()`` runs uvicorn in a thread on a free 127.0.0.1 port."""

    def __init__(
        self,
        *,
        token: str = "test-token",
        business_id: str = "bank@contoso.onmicrosoft.com",
        services: dict[str, str] | None = None,
        staff: dict[str, str] | None = None,
    ) -> None:
        services = services or {"svc-daily": "Daily banking"}
        staff = staff or {"staff-1": "Anna Peeters"}
        self.state = FakeGraphState(
            token=token,
            business_id=business_id,
            services=[
                {
                    "@odata.type": "#microsoft.graph.bookingService",
                    "id": sid,
                    "displayName": name,
                    "isLocationOnline": True,
                    "defaultDuration": "PT30M",
                }
                for sid, name in services.items()
            ],
            staff=[
                {
                    "@odata.type": "#microsoft.graph.bookingStaffMember",
                    "id": sid,
                    "displayName": name,
                    "emailAddress": f"{sid}@contoso.example",
                    "role": "externalGuest",
                }
                for sid, name in staff.items()
            ],
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
            401: "InvalidAuthenticationToken",
            403: "ErrorAccessDenied",
            404: "ErrorItemNotFound",
            409: "ErrorConflict",
            429: "TooManyRequests",
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

    def clear_faults(self) -> None:
        """Graph is back: drop every fault not yet used."""
        with self.state.lock:
            self.state.faults.clear()

    def add_busy(self, staff_id: str, start: datetime, end: datetime) -> None:
        self.state.busy.setdefault(staff_id, []).append((start, end))

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


def build_app(state: FakeGraphState) -> Starlette:
    def next_fault(endpoint: str) -> Fault | None:
        with state.lock:
            queue = state.faults.get(endpoint)
            return queue.popleft() if queue else None

    def record(endpoint: str, request: Request, status: int) -> None:
        with state.lock:
            state.calls.append(Call(endpoint, request.method, status))

    def endpoint(name: str):  # type: ignore[no-untyped-def]
        def wrap(handler):  # type: ignore[no-untyped-def]
            async def run(request: Request) -> Response:
                auth = request.headers.get("authorization", "")
                if auth != f"Bearer {state.token}":
                    record(name, request, 401)
                    return _error(
                        401, "InvalidAuthenticationToken", "Access token is empty or invalid."
                    )
                business_id = request.path_params.get("business", state.business_id)
                if business_id != state.business_id:
                    record(name, request, 404)
                    return _error(404, "ErrorItemNotFound", "Booking business not found.")
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
                    # Recorded first: with ``seconds`` the client has given up before we answer.
                    record(name, request, fault.status)
                    if fault.seconds:
                        await asyncio.sleep(fault.seconds)
                    return _error(fault.status, "ServiceUnavailable", "Injected lost response.")
                record(name, request, response.status_code)
                return response

            return run

        return wrap

    def public(appt: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in appt.items() if not k.startswith("_")}

    def overlapping(
        staff_ids: list[str], start: datetime, end: datetime, skip: str | None = None
    ) -> bool:
        for appt in state.appointments.values():
            if appt.get("_cancelled") or appt["id"] == skip:
                continue
            if not set(staff_ids) & set(appt.get("staffMemberIds") or []):
                continue
            if appt["_start"] < end and start < appt["_end"]:
                return True
        for sid in staff_ids:
            for b_start, b_end in state.busy.get(sid, []):
                if b_start < end and start < b_end:
                    return True
        return False

    @endpoint("business")
    async def business(request: Request) -> Response:
        return JSONResponse(
            {"id": state.business_id, "displayName": "Bank", "businessType": "Bank"}
        )

    @endpoint("services")
    async def services(request: Request) -> Response:
        return JSONResponse({"value": state.services})

    @endpoint("staff")
    async def staff(request: Request) -> Response:
        return JSONResponse({"value": state.staff})

    @endpoint("availability")
    async def availability(request: Request) -> Response:
        body = await request.json()
        start = _parse_graph_dt(body["startDateTime"])
        end = _parse_graph_dt(body["endDateTime"])
        known = {s["id"] for s in state.staff}
        result = []
        with state.lock:
            for sid in body.get("staffIds") or []:
                if sid not in known:
                    return _error(400, "ErrorInvalidIdMalformed", f"Unknown staff {sid}.")
                items = [
                    {
                        "status": "available",
                        "startDateTime": _graph_dt(start),
                        "endDateTime": _graph_dt(end),
                        "serviceId": "",
                    }
                ]
                busy = [
                    (a["_start"], a["_end"])
                    for a in state.appointments.values()
                    if not a.get("_cancelled") and sid in (a.get("staffMemberIds") or [])
                ] + list(state.busy.get(sid, []))
                for b_start, b_end in busy:
                    if b_start < end and start < b_end:
                        items.append(
                            {
                                "status": "busy",
                                "startDateTime": _graph_dt(b_start),
                                "endDateTime": _graph_dt(b_end),
                                "serviceId": "",
                            }
                        )
                result.append({"staffId": sid, "availabilityItems": items})
        return JSONResponse({"value": result})

    @endpoint("appointments.list")
    async def list_appointments(request: Request) -> Response:
        with state.lock:
            items = [public(a) for a in state.appointments.values() if not a.get("_cancelled")]
        return JSONResponse({"value": items})

    @endpoint("calendar_view")
    async def calendar_view(request: Request) -> Response:
        try:
            start = _parse_graph_dt({"dateTime": request.query_params["start"], "timeZone": "UTC"})
            end = _parse_graph_dt({"dateTime": request.query_params["end"], "timeZone": "UTC"})
        except (KeyError, ValueError):
            return _error(400, "ErrorInvalidRequest", "start and end are required.")
        with state.lock:
            items = [
                public(a)
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
            return _error(400, "ErrorInvalidRequest", "startDateTime/endDateTime invalid.")
        service = next((s for s in state.services if s["id"] == body.get("serviceId")), None)
        if service is None:
            return _error(400, "ErrorInvalidIdMalformed", "Unknown serviceId.")
        staff_ids = list(body.get("staffMemberIds") or [])
        with state.lock:
            if overlapping(staff_ids, start, end):
                return _error(409, "ErrorConflict", "The staff member is not available.")
            appt_id = _appointment_id()
            appt = dict(body)
            appt.update(
                {
                    "@odata.type": "#microsoft.graph.bookingAppointment",
                    "id": appt_id,
                    "serviceName": service["displayName"],
                    "startDateTime": _graph_dt(start),
                    "endDateTime": _graph_dt(end),
                    "joinWebUrl": (
                        f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{uuid.uuid4().hex}%40thread.v2/0"
                        if body.get("isLocationOnline")
                        else None
                    ),
                    "createdDateTime": datetime.now(UTC).isoformat(),
                    "_start": start,
                    "_end": end,
                }
            )
            state.appointments[appt_id] = appt
            if appt["joinWebUrl"]:
                organizer = next(
                    (m["emailAddress"] for m in state.staff if m["id"] in staff_ids), None
                )
                meeting_id = "MSo" + uuid.uuid4().hex
                # Teams defaults: people of the organization bypass the lobby, recording allowed.
                state.online_meetings[meeting_id] = {
                    "id": meeting_id,
                    "joinWebUrl": appt["joinWebUrl"],
                    "subject": service["displayName"],
                    "lobbyBypassSettings": {"scope": "organization", "isDialInBypassEnabled": True},
                    "allowedLobbyAdmitters": "organizerAndCoOrganizersAndPresenters",
                    "allowRecording": True,
                    "recordAutomatically": False,
                    "_organizer": organizer,
                }
        return JSONResponse(public(appt), status_code=201)

    def find(appt_id: str) -> dict[str, Any] | None:
        appt = state.appointments.get(appt_id)
        return None if appt is None or appt.get("_cancelled") else appt

    @endpoint("appointments.get")
    async def get_one(request: Request) -> Response:
        with state.lock:
            appt = find(request.path_params["appt"])
            if appt is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found.")
            return JSONResponse(public(appt))

    @endpoint("appointments.patch")
    async def patch(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            appt = find(request.path_params["appt"])
            if appt is None:
                return _error(404, "ErrorItemNotFound", "The specified object was not found.")
            start = (
                _parse_graph_dt(body["startDateTime"])
                if "startDateTime" in body
                else appt["_start"]
            )
            end = _parse_graph_dt(body["endDateTime"]) if "endDateTime" in body else appt["_end"]
            staff_ids = list(body.get("staffMemberIds") or appt.get("staffMemberIds") or [])
            if overlapping(staff_ids, start, end, skip=appt["id"]):
                return _error(409, "ErrorConflict", "The staff member is not available.")
            appt.update({k: v for k, v in body.items() if not k.startswith("_")})
            appt.update(
                {
                    "startDateTime": _graph_dt(start),
                    "endDateTime": _graph_dt(end),
                    "staffMemberIds": staff_ids,
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
                return _error(404, "ErrorItemNotFound", "The specified object was not found.")
            appt["_cancelled"] = True
        return Response(status_code=204)

    @endpoint("online_meetings.list")
    async def list_meetings(request: Request) -> Response:
        user = request.path_params["user"]
        match = re.fullmatch(
            r"JoinWebUrl eq '((?:[^']|'')*)'", request.query_params.get("$filter", "")
        )
        if not match:
            return _error(400, "BadRequest", "Filter on JoinWebUrl is required for this call.")
        url = match.group(1).replace("''", "'")
        with state.lock:
            items = [
                public(m)
                for m in state.online_meetings.values()
                if m["_organizer"] == user and m["joinWebUrl"] == url
            ]
        return JSONResponse({"value": items})

    @endpoint("online_meetings.patch")
    async def patch_meeting(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            meeting = state.online_meetings.get(request.path_params["meeting"])
            if meeting is None or meeting["_organizer"] != request.path_params["user"]:
                return _error(404, "NotFound", "Meeting not found for this user.")
            meeting.update({k: v for k, v in body.items() if not k.startswith("_") and k != "id"})
            return JSONResponse(public(meeting))

    async def appointments(request: Request) -> Response:
        if request.method == "POST":
            return await create(request)
        return await list_appointments(request)

    async def appointment(request: Request) -> Response:
        if request.method == "PATCH":
            return await patch(request)
        return await get_one(request)

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
            Route(prefix + "/appointments/{appt}", appointment, methods=["GET", "PATCH"]),
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
