"""Microsoft Bookings through msgraph-sdk: the production :class:`MeetingGateway`.

Every call names the page of microsoftgraph/microsoft-graph-docs-contrib it follows (paths
relative to ``api-reference/v1.0/``); behaviour the documentation does not give is marked
GUESS. What an admin grants for each call is in ``chat_widget/meetings/README.md``.

Why the retry settings look the way they do: the SDK's RetryHandler retries 429/503/504 for
every method, POST included, and silently. A booking POST that Graph carried out but answered
with 503 (or whose answer was lost) would then be sent again and book twice. So the create call
runs with the handler switched off and the booking service retries itself, after looking the
appointment up. The lookup matches on what ``calendarView`` documents it returns
(api/bookingbusiness-list-calendarview.md): service id, staff ids, start and the customer's
Bookings id (``customers[].customerId``). No marker travels in ``additionalInformation``: that
field "is sent to the customer when an appointment is confirmed" (resources/bookingappointment.md)
and the calendarView example does not return it. Reads, PATCH and cancel are idempotent and
keep a short SDK retry.

A token is only ever sent to a Microsoft Graph host (concepts/deployments.md) or, outside
production, to a loopback test server: :func:`check_base_url`.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from chat_widget.adapters.graph_zones import UnknownTimeZone, resolve_zone
from chat_widget.domain.calendar import (
    AppointmentInfo,
    AppointmentRequest,
    BusinessInfo,
    Interval,
    MeetingOptions,
    OptionsResult,
    SchedulingPolicy,
    ServiceInfo,
    StaffInfo,
    StaffSchedule,
)
from chat_widget.domain.clock import utcnow
from chat_widget.domain.meeting_errors import (
    AppointmentNotFound,
    GatewayAuthError,
    GatewayError,
    GatewayUnavailable,
    SlotTaken,
)
from chat_widget.observability import metrics
from chat_widget.settings import GRAPH_HOSTS, SettingsError, check_graph_base_url, environ

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential
    from msgraph import GraphServiceClient
    from msgraph.generated.models.booking_appointment import BookingAppointment
    from msgraph.generated.models.booking_scheduling_policy import BookingSchedulingPolicy
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone

T = TypeVar("T")
log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0"
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class GraphConfigError(ValueError):
    """The Graph settings cannot work (or would leak the token): the message says what to fix."""


def check_base_url(base_url: str, environment: str) -> str:
    """The host the Graph token may be sent to (see ``settings.check_graph_base_url``)."""
    try:
        return check_graph_base_url(base_url, environment)
    except SettingsError as exc:
        raise GraphConfigError(f"{exc}. Fix CW_GRAPH_BASE_URL.") from exc


@dataclass(frozen=True, slots=True)
class GraphSettings:
    """Read once from the environment; ``service_ids`` maps our topic keys to Bookings services.

    ``staff_object_ids`` (from advisors.json) spares the ``User.Read.All`` permission: without
    an entry the advisor's Entra object id is looked up by e-mail.
    """

    booking_business_id: str
    service_ids: Mapping[str, str]
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    base_url: str = DEFAULT_BASE_URL
    environment: str = "development"
    timeout_seconds: float = 10.0
    read_max_retries: int = 2
    read_retry_delay_seconds: float = 0.5
    #: Set lobby/recording options on each Teams meeting (OnlineMeetings.ReadWrite.All and an
    #: application access policy); off leaves them to Teams meeting policies.
    meeting_options: bool = False
    staff_object_ids: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GraphSettings:
        """``CW_GRAPH_SERVICE_IDS`` is ``topic=serviceId,topic=serviceId``."""
        env = environ() if env is None else env
        pairs = [p for p in env.get("CW_GRAPH_SERVICE_IDS", "").split(",") if "=" in p]
        options = env.get("CW_GRAPH_MEETING_OPTIONS")
        if options is None:
            # The older variable named whose meetings to adjust; any value meant "on".
            options = "1" if env.get("CW_GRAPH_MEETING_ORGANIZER") else "0"
        try:
            timeout = float(env.get("CW_GRAPH_TIMEOUT_SECONDS", "10"))
        except ValueError as exc:
            raise GraphConfigError("CW_GRAPH_TIMEOUT_SECONDS must be a number") from exc
        return cls(
            booking_business_id=env.get("CW_GRAPH_BOOKING_BUSINESS_ID", ""),
            service_ids={k.strip(): v.strip() for k, v in (p.split("=", 1) for p in pairs)},
            tenant_id=env.get("CW_GRAPH_TENANT_ID", ""),
            client_id=env.get("CW_GRAPH_CLIENT_ID", ""),
            client_secret=env.get("CW_GRAPH_CLIENT_SECRET", ""),
            base_url=env.get("CW_GRAPH_BASE_URL", DEFAULT_BASE_URL),
            environment=env.get("CW_ENV", "development"),
            timeout_seconds=timeout,
            meeting_options=options.strip().lower() in ("1", "true", "yes", "on", "staff"),
        )

    @property
    def host(self) -> str:
        return check_base_url(self.base_url, self.environment)

    @property
    def scope(self) -> str:
        """The token scope of the cloud the base URL belongs to (concepts/deployments.md:
        tokens of one cloud are not valid in another)."""
        host = self.host
        return f"https://{host if host in GRAPH_HOSTS else 'graph.microsoft.com'}/.default"


def client_secret_credential(settings: GraphSettings) -> AsyncTokenCredential:
    """Production credential: client-credentials flow for the app registration."""
    from azure.identity.aio import ClientSecretCredential

    if not (settings.tenant_id and settings.client_id and settings.client_secret):
        raise GraphConfigError(
            "CW_GRAPH_TENANT_ID, CW_GRAPH_CLIENT_ID and CW_GRAPH_CLIENT_SECRET are required"
        )
    authority = GRAPH_HOSTS.get(settings.host, "login.microsoftonline.com")
    return ClientSecretCredential(
        settings.tenant_id, settings.client_id, settings.client_secret, authority=authority
    )


def credential_from_env(
    settings: GraphSettings, env: Mapping[str, str] | None = None
) -> AsyncTokenCredential:
    """``CW_GRAPH_STATIC_TOKEN`` (demo/tests, refused in production) or client credentials."""
    env = environ() if env is None else env
    token = env.get("CW_GRAPH_STATIC_TOKEN")
    if token:
        from chat_widget.adapters.graph_static import StaticTokenCredential

        try:
            return StaticTokenCredential(token, environment=settings.environment)  # type: ignore[return-value]
        except ValueError as exc:
            raise GraphConfigError(str(exc)) from exc
    return client_secret_credential(settings)


def load_staff_object_ids(path: str | os.PathLike[str]) -> dict[str, str]:
    """``entra_object_id`` of each advisor in advisors.json (optional field)."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        str(a["staff_id"]): str(a["entra_object_id"])
        for a in data.get("advisors", [])
        if a.get("entra_object_id")
    }


_SDK_MODULES = (
    "msgraph",
    "kiota_abstractions.default_query_parameters",
    "kiota_serialization_json.json_serialization_writer",
    "msgraph.generated.models.o_data_errors.o_data_error",
    "msgraph.generated.models.booking_appointment",
    "msgraph.generated.models.booking_appointment_collection_response",
    "msgraph.generated.models.booking_business",
    "msgraph.generated.models.booking_customer",
    "msgraph.generated.models.booking_customer_information",
    "msgraph.generated.models.booking_service_collection_response",
    "msgraph.generated.models.booking_staff_member_base_collection_response",
    "msgraph.generated.models.bookings_availability_status",
    "msgraph.generated.solutions.solutions_request_builder",
    "msgraph.generated.solutions.booking_businesses.booking_businesses_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.booking_business_item_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.services.services_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.staff_members.staff_members_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.customers.customers_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.customers.item.booking_customer_base_item_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.calendar_view.calendar_view_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.appointments.appointments_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.appointments.item.booking_appointment_item_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.appointments.item.cancel.cancel_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.appointments.item.cancel.cancel_post_request_body",
    "msgraph.generated.solutions.booking_businesses.item.get_staff_availability.get_staff_availability_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.get_staff_availability.get_staff_availability_post_request_body",
    "msgraph.generated.solutions.booking_businesses.item.get_staff_availability.get_staff_availability_post_response",
    "msgraph.generated.users.users_request_builder",
    "msgraph.generated.users.item.user_item_request_builder",
    "msgraph.generated.users.item.online_meetings.online_meetings_request_builder",
    "msgraph.generated.users.item.online_meetings.item.online_meeting_item_request_builder",
    "msgraph.generated.models.online_meeting",
    "msgraph.generated.models.online_meeting_collection_response",
    "msgraph.generated.models.lobby_bypass_settings",
)


_WARM_UP_SAMPLES: tuple[tuple[str, bytes], ...] = (
    (
        "msgraph.generated.models.booking_appointment_collection_response."
        "BookingAppointmentCollectionResponse",
        b'{"value":[{"@odata.type":"#microsoft.graph.bookingAppointment","id":"w",'
        b'"startDateTime":{"dateTime":"2026-01-05T08:00:00.0000000","timeZone":"UTC"},'
        b'"customers":[{"@odata.type":"#microsoft.graph.bookingCustomerInformation"}]}]}',
    ),
    (
        "msgraph.generated.solutions.booking_businesses.item.get_staff_availability."
        "get_staff_availability_post_response.GetStaffAvailabilityPostResponse",
        b'{"value":[{"staffId":"w","availabilityItems":[{"status":"busy",'
        b'"startDateTime":{"dateTime":"2026-01-05T08:00:00","timeZone":"UTC"}}]}]}',
    ),
    (
        "msgraph.generated.models.booking_business.BookingBusiness",
        b'{"id":"w","businessHours":[{"day":"monday","timeSlots":[{"startTime":'
        b'"08:00:00.0000000","endTime":"17:00:00.0000000"}]}],"schedulingPolicy":'
        b'{"timeSlotInterval":"PT30M","minimumLeadTime":"P1D"}}',
    ),
    (
        "msgraph.generated.models.booking_service_collection_response."
        "BookingServiceCollectionResponse",
        b'{"value":[{"@odata.type":"#microsoft.graph.bookingService","id":"w"}]}',
    ),
    (
        "msgraph.generated.models.booking_staff_member_base_collection_response."
        "BookingStaffMemberBaseCollectionResponse",
        b'{"value":[{"@odata.type":"#microsoft.graph.bookingStaffMember","id":"w"}]}',
    ),
    (
        "msgraph.generated.models.online_meeting_collection_response."
        "OnlineMeetingCollectionResponse",
        b'{"value":[{"id":"w","lobbyBypassSettings":{"scope":"organizer"}}]}',
    ),
    (
        "msgraph.generated.models.o_data_errors.o_data_error.ODataError",
        b'{"error":{"code":"w","message":"w"}}',
    ),
)


@cache
def warm_up() -> None:
    """Imports and exercises the SDK paths used here, without network.

    msgraph-sdk loads about 1,300 modules lazily on first use (around a second): call this at
    application start so the first customer does not pay for it. The generated request
    builders emit DeprecationWarnings when their classes are defined; they are the SDK's own
    and are silenced here, once, rather than in every caller.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in _SDK_MODULES:
            importlib.import_module(name)
        from kiota_serialization_json.json_serialization_writer import JsonSerializationWriter
        from msgraph.generated.models.booking_appointment import BookingAppointment
        from msgraph.generated.models.booking_customer_information import (
            BookingCustomerInformation,
        )

        writer = JsonSerializationWriter()
        writer.write_object_value(
            None,
            BookingAppointment(
                start_date_time=_to_graph(utcnow()),
                customers=[BookingCustomerInformation(name="warm-up")],
            ),
        )
        writer.get_serialized_content()
        # Parsing is what pulls in most of the SDK: the Entity discriminator imports every
        # derived model (about 1,200 modules) the first time any entity is read.
        from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory

        factory = JsonParseNodeFactory()
        for type_name, sample in _WARM_UP_SAMPLES:
            module_name, _, class_name = type_name.rpartition(".")
            model = getattr(importlib.import_module(module_name), class_name)
            node = factory.get_root_parse_node("application/json", sample)
            node.get_object_value(model)


def _to_graph(moment: datetime) -> DateTimeTimeZone:
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone

    return DateTimeTimeZone(
        date_time=moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), time_zone="UTC"
    )


def _parse_moment(raw: object, zone_name: str | None) -> datetime:
    """A dateTimeTimeZone pair: ``2026-03-30T08:00:00.0000000`` (7 fraction digits) or a
    datetime kiota already parsed, plus a zone that may be IANA, a Windows standard name or a
    Windows display name (resources/datetimetimezone.md; getStaffAvailability example)."""
    if isinstance(raw, datetime):
        parsed = raw
    else:
        text = str(raw or "").replace(" ", "").replace("Z", "+00:00")
        match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$", text)
        if not match:
            raise GatewayError(f"unparsable Graph date {raw!r}")
        head, frac, tail = match.groups()
        parsed = datetime.fromisoformat(f"{head}.{(frac or '0')[:6].ljust(6, '0')}{tail}")
    if parsed.tzinfo is None:
        try:
            parsed = parsed.replace(tzinfo=resolve_zone(zone_name or "UTC"))
        except UnknownTimeZone as exc:
            raise GatewayError(f"unsupported time zone {zone_name!r}") from exc
    return parsed.astimezone(UTC)


def parse_graph_datetime(value: DateTimeTimeZone | Mapping[str, Any] | None) -> datetime:
    """A Graph ``dateTimeTimeZone`` (SDK object or plain mapping) as aware UTC."""
    if value is None:
        raise GatewayError("missing date in Graph answer")
    if isinstance(value, Mapping):
        raw, zone = value.get("dateTime"), value.get("timeZone")
    else:
        raw, zone = value.date_time, value.time_zone
    if not raw:
        raise GatewayError("missing date in Graph answer")
    return _parse_moment(raw, zone)


def organizer_oid(join_url: str) -> str | None:
    """The organizer's Entra object id from a Teams join link's ``context`` (the ``Oid`` of
    ``{"Tid": …, "Oid": …}``, as in the post-appointments example)."""
    try:
        query = parse_qs(urlsplit(join_url).query)
        context = json.loads(unquote(query["context"][0]))
    except (KeyError, IndexError, ValueError):
        return None
    oid = context.get("Oid") if isinstance(context, dict) else None
    return str(oid) if oid else None


def _policy(raw: BookingSchedulingPolicy | None) -> SchedulingPolicy | None:
    if raw is None:
        return None
    return SchedulingPolicy(
        time_slot_interval=raw.time_slot_interval,
        minimum_lead_time=raw.minimum_lead_time or timedelta(0),
        maximum_advance=raw.maximum_advance,
        allow_staff_selection=bool(raw.allow_staff_selection),
    )


def _availability_rows(response: Any) -> list[Mapping[str, Any]]:
    """Both documented shapes of the getStaffAvailability answer, as plain mappings.

    msgraph-sdk (from the service metadata) reads ``value``; Microsoft's example
    (api/bookingbusiness-getstaffavailability.md) shows ``staffAvailabilityItem``, which kiota
    leaves in ``additional_data``.
    """
    rows: list[Mapping[str, Any]] = []
    for item in (response.value if response and response.value else []) or []:
        rows.append(
            {
                "staffId": item.staff_id,
                "availabilityItems": [
                    {
                        "status": entry.status.value if entry.status else None,
                        "startDateTime": entry.start_date_time,
                        "endDateTime": entry.end_date_time,
                    }
                    for entry in item.availability_items or []
                ],
            }
        )
    extra = getattr(response, "additional_data", None) or {}
    for raw in extra.get("staffAvailabilityItem") or []:
        if isinstance(raw, Mapping):
            rows.append(raw)
    return rows


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Contiguous windows joined: Graph cuts availability per day and around busy items."""
    merged: list[Interval] = []
    for interval in sorted(intervals, key=lambda i: i.start):
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, interval.end))
        else:
            merged.append(interval)
    return tuple(merged)


def schedules_from(response: Any) -> list[StaffSchedule]:
    """StaffSchedules from a getStaffAvailability answer (per staff member, per day)."""
    by_staff: dict[str, tuple[list[Interval], list[Interval]]] = {}
    for row in _availability_rows(response):
        staff_id = str(row.get("staffId") or "")
        busy, available = by_staff.setdefault(staff_id, ([], []))
        for entry in row.get("availabilityItems") or []:
            status = str(entry.get("status") or "").lower()
            start = parse_graph_datetime(entry.get("startDateTime"))
            end = parse_graph_datetime(entry.get("endDateTime"))
            if start >= end:
                continue
            if status in ("busy", "outofoffice"):
                busy.append(Interval(start, end))
            elif status in ("available", "slotsavailable"):
                available.append(Interval(start, end))
    # A staff member Graph answered for has exactly the windows it listed: no "available"
    # item means not available, never "free all day".
    return [
        StaffSchedule(staff_id=sid, busy=tuple(busy), available=_merge(available))
        for sid, (busy, available) in by_staff.items()
    ]


class GraphMeetingGateway:
    """:class:`~chat_widget.domain.calendar.MeetingGateway` on Microsoft Bookings."""

    def __init__(
        self,
        *,
        settings: GraphSettings,
        credential: AsyncTokenCredential,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        from kiota_authentication_azure.azure_identity_authentication_provider import (
            AzureIdentityAuthenticationProvider,
        )
        from kiota_http.middleware.options import RetryHandlerOption
        from msgraph import GraphRequestAdapter, GraphServiceClient
        from msgraph_core import GraphClientFactory

        host = settings.host  # refuses a non-Graph host before any token is requested
        warm_up()
        self._settings = settings
        self._credential = credential
        # The SDK sends the token only to this one, checked, host.
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[settings.scope], allowed_hosts=[host]
        )
        self._owns_client = http_client is None
        base_client = http_client or httpx.AsyncClient(timeout=settings.timeout_seconds)
        # msgraph-core wraps the transport in an AsyncGraphTransport whose aclose() does not
        # close the wrapped one: without closing it ourselves the connection pool leaks.
        self._inner_transport = base_client._transport
        self._read_retry = RetryHandlerOption(
            delay=settings.read_retry_delay_seconds, max_retries=settings.read_max_retries
        )
        self._no_retry = RetryHandlerOption(delay=0, max_retries=0, should_retry=False)
        client = GraphClientFactory.create_with_default_middleware(
            client=base_client, options={RetryHandlerOption.get_key(): self._read_retry}
        )
        self._http = client
        adapter = GraphRequestAdapter(auth, client=client)
        adapter.base_url = settings.base_url.rstrip("/")
        self._graph: GraphServiceClient = GraphServiceClient(request_adapter=adapter)
        self._object_ids: dict[str, str] = dict(settings.staff_object_ids)

    @property
    def settings(self) -> GraphSettings:
        return self._settings

    async def aclose(self) -> None:
        if self._owns_client:
            await self._http.aclose()
            await self._inner_transport.aclose()

    async def token_check(self) -> None:
        """Asks the credential for a token (the check command's first step)."""
        await self._credential.get_token(self._settings.scope)

    @property
    def _business(self):  # type: ignore[no-untyped-def]
        return self._graph.solutions.booking_businesses.by_booking_business_id(
            self._settings.booking_business_id
        )

    def _config(self, *, retry: bool, query: Any = None) -> Any:
        from kiota_abstractions.base_request_configuration import RequestConfiguration

        return RequestConfiguration(
            options=[self._read_retry if retry else self._no_retry], query_parameters=query
        )

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        """Runs one SDK call and turns its failures into the meetings error tree."""
        from msgraph.generated.models.o_data_errors.o_data_error import ODataError

        try:
            result = await make()
        except ODataError as exc:
            metrics.graph_call(exc.response_status_code)
            raise _map_odata_error(exc) from exc
        except httpx.TimeoutException as exc:
            metrics.graph_call("timeout")
            raise GatewayUnavailable("Graph timed out", ambiguous=True) from exc
        except httpx.TransportError as exc:
            metrics.graph_call("unreachable")
            raise GatewayUnavailable(f"Graph unreachable: {exc!r}", ambiguous=True) from exc
        metrics.graph_call(200)
        return result

    # ----- business, services, staff ----------------------------------------------------------

    async def get_business(self) -> BusinessInfo:
        """api/bookingbusiness-get.md: ``businessHours`` and ``schedulingPolicy``.

        The business has no time-zone property in v1.0 (resources/bookingbusiness.md): its
        hours are read as the bank's wall clock (GUESS, the Bookings web app shows them so).
        """
        found = await self._call(lambda: self._business.get(self._config(retry=True)))
        if found is None:
            raise AppointmentNotFound("booking business not found", status=404)
        hours: list[tuple[tuple[time, time], ...]] = [() for _ in _DAYS]
        for day in found.business_hours or []:
            name = str(day.day.value if day.day is not None else "").lower()
            if name not in _DAYS:
                continue
            hours[_DAYS.index(name)] = tuple(
                (slot.start_time, slot.end_time)
                for slot in day.time_slots or []
                if slot.start_time is not None and slot.end_time is not None
            )
        return BusinessInfo(
            business_id=found.id or self._settings.booking_business_id,
            display_name=found.display_name or "",
            hours=tuple(hours),
            policy=_policy(found.scheduling_policy) or SchedulingPolicy(),
        )

    async def list_services(self) -> list[ServiceInfo]:
        """api/bookingbusiness-list-services.md (resources/bookingservice.md fields)."""
        page = await self._call(lambda: self._business.services.get(self._config(retry=True)))
        return [
            ServiceInfo(
                service_id=s.id or "",
                name=s.display_name or "",
                duration=s.default_duration,
                pre_buffer=s.pre_buffer or timedelta(0),
                post_buffer=s.post_buffer or timedelta(0),
                staff_ids=tuple(s.staff_member_ids or ()),
                policy=_policy(s.scheduling_policy),
                is_location_online=bool(s.is_location_online),
            )
            for s in (page.value if page and page.value else [])
        ]

    async def list_staff(self) -> list[StaffInfo]:
        """api/bookingbusiness-list-staffmembers.md."""
        page = await self._call(lambda: self._business.staff_members.get(self._config(retry=True)))
        result: list[StaffInfo] = []
        for member in page.value if page and page.value else []:
            name = getattr(member, "display_name", None) or ""
            email = getattr(member, "email_address", None)
            result.append(StaffInfo(staff_id=member.id or "", display_name=name, email=email))
        return result

    async def staff_object_id(self, staff_id: str) -> str | None:
        """The advisor's Entra object id: advisors.json's ``entra_object_id``, else the user
        whose ``mail`` is the staff member's e-mail (api/user-list.md, needs User.Read.All).

        bookingStaffMember has no object-id property (resources/bookingstaffmember.md).
        """
        if staff_id in self._object_ids:
            return self._object_ids[staff_id]
        from msgraph.generated.users.users_request_builder import UsersRequestBuilder

        staff = {s.staff_id: s for s in await self.list_staff()}
        member = staff.get(staff_id)
        if member is None or not member.email:
            return None
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter="mail eq '" + member.email.replace("'", "''") + "'", select=["id"]
        )
        page = await self._call(
            lambda: self._graph.users.get(self._config(retry=True, query=query))
        )
        users = page.value if page and page.value else []
        if len(users) != 1 or not users[0].id:
            return None
        self._object_ids[staff_id] = users[0].id
        return users[0].id

    async def get_staff_availability(
        self, staff_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[StaffSchedule]:
        """api/bookingbusiness-getstaffavailability.md (Bookings.Read.All, Calendars.Read or
        Calendars.ReadWrite: BookingsAppointment.ReadWrite.All is not enough)."""
        from msgraph.generated.solutions.booking_businesses.item.get_staff_availability.get_staff_availability_post_request_body import (  # noqa: E501
            GetStaffAvailabilityPostRequestBody,
        )

        body = GetStaffAvailabilityPostRequestBody(
            staff_ids=list(staff_ids),
            start_date_time=_to_graph(start),
            end_date_time=_to_graph(end),
        )
        # A POST, but a read: safe for the SDK to retry.
        response = await self._call(
            lambda: self._business.get_staff_availability.post(body, self._config(retry=True))
        )
        return schedules_from(response)

    # ----- customers ----------------------------------------------------------------------

    async def create_customer(self, *, name: str, email: str | None) -> str:
        """api/bookingbusiness-post-customers.md (BookingsAppointment.ReadWrite.All)."""
        from msgraph.generated.models.booking_customer import BookingCustomer

        body = BookingCustomer(display_name=name, email_address=email)
        created = await self._call(
            lambda: self._business.customers.post(body, self._config(retry=False))
        )
        if created is None or not created.id:
            raise GatewayError("empty answer to customer creation")
        return created.id

    async def delete_customer(self, customer_id: str) -> None:
        """api/bookingcustomer-delete.md (BookingsAppointment.ReadWrite.All)."""
        item = self._business.customers.by_booking_customer_base_id(customer_id)
        await self._call(lambda: item.delete(self._config(retry=True)))

    # ----- appointments -------------------------------------------------------------------

    def _service_id(self, topic: str) -> str:
        service_id = self._settings.service_ids.get(topic)
        if not service_id:
            raise GatewayError(f"no Bookings service configured for topic {topic!r}")
        return service_id

    async def create_appointment(self, request: AppointmentRequest) -> AppointmentInfo:
        """api/bookingbusiness-post-appointments.md; business rules of
        concepts/bookingsbusiness-business-rules.md are the caller's job (slots are built from
        them). No 409 is documented: an overlap answers 500 (docs issue #19316)."""
        from msgraph.generated.models.booking_appointment import BookingAppointment
        from msgraph.generated.models.booking_customer_information import (
            BookingCustomerInformation,
        )

        body = BookingAppointment(
            service_id=self._service_id(request.topic),
            start_date_time=_to_graph(request.start),
            end_date_time=_to_graph(request.end),
            is_location_online=True,
            customer_time_zone=request.customer_time_zone,
            opt_out_of_customer_email=False,
            customers=[
                BookingCustomerInformation(
                    customer_id=request.graph_customer_id,
                    name=request.customer_name,
                    email_address=request.customer_email,
                    time_zone=request.customer_time_zone,
                )
            ],
        )
        if request.select_staff:
            body.staff_member_ids = [request.staff_id]
        created = await self._call(
            lambda: self._business.appointments.post(body, self._config(retry=False))
        )
        if created is None:
            raise GatewayError("empty answer to appointment creation")
        return _info(created)

    async def find_appointment(
        self, request: AppointmentRequest, start: datetime, end: datetime
    ) -> AppointmentInfo | None:
        """api/bookingbusiness-list-calendarview.md, matched on (service, staff, start,
        customer) — fields that example returns."""
        from msgraph.generated.solutions.booking_businesses.item.calendar_view.calendar_view_request_builder import (  # noqa: E501
            CalendarViewRequestBuilder,
        )

        query = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
            start=start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            end=end.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        )
        page = await self._call(
            lambda: self._business.calendar_view.get(self._config(retry=True, query=query))
        )
        service_id = self._service_id(request.topic)
        for appointment in page.value if page and page.value else []:
            info = _info(appointment)
            if info.service_id != service_id or info.start != request.start:
                continue
            if request.select_staff and request.staff_id not in info.staff_ids:
                continue
            if _same_customer(appointment, request):
                return info
        return None

    async def get_appointment(self, appointment_id: str) -> AppointmentInfo:
        """api/bookingappointment-get.md."""
        found = await self._call(
            lambda: self._business.appointments.by_booking_appointment_id(appointment_id).get(
                self._config(retry=True)
            )
        )
        if found is None:
            raise AppointmentNotFound(appointment_id, status=404)
        return _info(found)

    async def reschedule_appointment(
        self, appointment_id: str, *, start: datetime, end: datetime, staff_id: str | None = None
    ) -> AppointmentInfo:
        """api/bookingappointment-update.md."""
        from msgraph.generated.models.booking_appointment import BookingAppointment

        patch = BookingAppointment(start_date_time=_to_graph(start), end_date_time=_to_graph(end))
        if staff_id is not None:
            patch.staff_member_ids = [staff_id]
        item = self._business.appointments.by_booking_appointment_id(appointment_id)
        # PATCH to absolute values is idempotent: the SDK may retry it.
        await self._call(lambda: item.patch(patch, self._config(retry=True)))
        return await self.get_appointment(appointment_id)

    async def cancel_appointment(self, appointment_id: str, *, message: str) -> None:
        """api/bookingappointment-cancel.md (sends the customer ``message``), which application
        permissions may call only with Bookings.ReadWrite.All or Bookings.Manage.All
        (includes/permissions/bookingappointment-cancel-permissions.md). Refused (403), the
        appointment is deleted instead (api/bookingappointment-delete.md, allowed with
        BookingsAppointment.ReadWrite.All); whether Bookings then mails the customer is not
        documented."""
        from msgraph.generated.solutions.booking_businesses.item.appointments.item.cancel.cancel_post_request_body import (  # noqa: E501
            CancelPostRequestBody,
        )

        item = self._business.appointments.by_booking_appointment_id(appointment_id)
        body = CancelPostRequestBody(cancellation_message=message)
        try:
            await self._call(lambda: item.cancel.post(body, self._config(retry=True)))
        except GatewayAuthError as exc:
            if exc.status != 403:
                raise
            await self._call(lambda: item.delete(self._config(retry=True)))

    # ----- Teams meeting options ----------------------------------------------------------

    async def apply_meeting_options(
        self, *, join_url: str, staff_id: str, options: MeetingOptions
    ) -> OptionsResult:
        """Lobby and recording options on the Teams meeting Bookings created.

        ``/users/{userId}/onlineMeetings?$filter=JoinWebUrl eq '…'`` (api/onlinemeeting-get.md)
        takes the Entra object id of a user the app may act for (application access policy).
        Who organises a Bookings meeting is not documented, so the organizer is read from the
        join link's ``Oid``. If it is the advisor, only the organizer bypasses the lobby. If it
        is someone else (the business mailbox: the documented example has no staff member and
        still an ``Oid``), the advisor is an internal attendee: people of the bank bypass the
        lobby and presenters (the bank's people) admit the customer, who always waits (GUESS on
        Teams defaults for an anonymous or external customer).
        """
        from msgraph.generated.models.allowed_lobby_admitter_roles import (
            AllowedLobbyAdmitterRoles,
        )
        from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
        from msgraph.generated.models.lobby_bypass_settings import LobbyBypassSettings
        from msgraph.generated.models.online_meeting import OnlineMeeting
        from msgraph.generated.models.online_meeting_presenters import OnlineMeetingPresenters
        from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
            OnlineMeetingsRequestBuilder,
        )

        if not self._settings.meeting_options:
            return OptionsResult.NOT_CONFIGURED
        advisor = await self.staff_object_id(staff_id)
        organizer = organizer_oid(join_url) or advisor
        if not organizer:
            raise GatewayError(f"no Entra object id for the organizer of staff {staff_id!r}")
        meetings = self._graph.users.by_user_id(organizer).online_meetings
        query = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(
            filter="JoinWebUrl eq '" + join_url.replace("'", "''") + "'"
        )
        page = await self._call(lambda: meetings.get(self._config(retry=True, query=query)))
        found = page.value if page and page.value else []
        if not found or not found[0].id:
            return OptionsResult.NOT_FOUND_YET
        if advisor is not None and organizer == advisor:
            patch = OnlineMeeting(
                lobby_bypass_settings=LobbyBypassSettings(
                    scope=LobbyBypassScope.Organizer, is_dial_in_bypass_enabled=False
                ),
                allowed_lobby_admitters=AllowedLobbyAdmitterRoles.OrganizerAndCoOrganizers,
            )
        else:
            patch = OnlineMeeting(
                lobby_bypass_settings=LobbyBypassSettings(
                    scope=LobbyBypassScope.Organization, is_dial_in_bypass_enabled=False
                ),
                allowed_lobby_admitters=(
                    AllowedLobbyAdmitterRoles.OrganizerAndCoOrganizersAndPresenters
                ),
                allowed_presenters=OnlineMeetingPresenters.Organization,
            )
        patch.allow_recording = options.allow_recording
        patch.record_automatically = options.record_automatically
        item = meetings.by_online_meeting_id(found[0].id)
        await self._call(lambda: item.patch(patch, self._config(retry=True)))
        return OptionsResult.APPLIED


def _start_end(appointment: BookingAppointment) -> tuple[datetime, datetime]:
    """``startDateTime``/``endDateTime`` (SDK, POST example) or ``start``/``end`` (the
    calendarView example and the resource's JSON representation)."""
    extra = appointment.additional_data or {}
    start = appointment.start_date_time or extra.get("start")
    end = appointment.end_date_time or extra.get("end")
    return parse_graph_datetime(start), parse_graph_datetime(end)


def _same_customer(appointment: BookingAppointment, request: AppointmentRequest) -> bool:
    for customer in appointment.customers or []:
        customer_id = getattr(customer, "customer_id", None)
        email = getattr(customer, "email_address", None)
        if request.graph_customer_id and customer_id == request.graph_customer_id:
            return True
        if (
            request.customer_email
            and email
            and email.strip().lower() == request.customer_email.strip().lower()
        ):
            return True
    return False


def _info(appointment: BookingAppointment) -> AppointmentInfo:
    start, end = _start_end(appointment)
    return AppointmentInfo(
        appointment_id=appointment.id or "",
        staff_ids=tuple(appointment.staff_member_ids or ()),
        start=start,
        end=end,
        join_url=appointment.join_web_url,
        anonymous_join_url=appointment.anonymous_join_web_url,
        service_id=appointment.service_id,
        customer_ids=tuple(
            str(getattr(c, "customer_id", ""))
            for c in appointment.customers or []
            if getattr(c, "customer_id", None)
        ),
    )


def _map_odata_error(exc: Any) -> GatewayError:
    status = exc.response_status_code
    code = exc.error.code if getattr(exc, "error", None) is not None else None
    text = exc.error.message if getattr(exc, "error", None) is not None else str(exc)
    if status == 409:
        return SlotTaken(text or "", status=status, code=code)
    if status in (401, 403):
        return GatewayAuthError(text or "", status=status, code=code)
    if status == 404:
        return AppointmentNotFound(text or "", status=status, code=code)
    if status in (408, 429) or (status is not None and status >= 500):
        headers = exc.response_headers or {}
        retry_after = _retry_after(headers)
        return GatewayUnavailable(text or "", status=status, code=code, retry_after=retry_after)
    return GatewayError(text or "", status=status, code=code)


def _retry_after(headers: Any) -> float | None:
    """Retry-After in seconds; the SDK hands headers over as a mapping of str or str sets."""
    items = headers.items() if hasattr(headers, "items") else []
    for key, value in items:
        if str(key).lower() != "retry-after":
            continue
        values = [value] if isinstance(value, str) else list(value or [])
        for raw in values:
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


def gateway_from_env(
    env: Mapping[str, str] | None = None, *, advisors_path: str | None = None
) -> GraphMeetingGateway | None:
    """The gateway the app, the check command and the privacy CLI use; None when no business
    id is configured. Raises :class:`GraphConfigError` with what to fix."""
    env = environ() if env is None else env
    settings = GraphSettings.from_env(env)
    if not settings.booking_business_id:
        return None
    settings.host  # noqa: B018 - refuse a non-Graph base URL first
    if advisors_path:
        settings = _with_object_ids(settings, load_staff_object_ids(advisors_path))
    return GraphMeetingGateway(settings=settings, credential=credential_from_env(settings, env))


def _with_object_ids(settings: GraphSettings, ids: Mapping[str, str]) -> GraphSettings:
    from dataclasses import replace

    return replace(settings, staff_object_ids=dict(ids))
