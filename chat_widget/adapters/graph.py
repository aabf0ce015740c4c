"""Microsoft Bookings through msgraph-sdk: the production :class:`MeetingGateway`.

Why the retry settings look the way they do: the SDK's RetryHandler retries 429/503/504 for
every method, POST included, and silently. A booking POST that Graph carried out but answered
with 503 (or whose answer was lost) would then be sent again and book twice. So the create call
runs with the handler switched off and the booking service retries itself, after looking the
appointment up by our booking id (kept in ``additionalInformation``, which Graph returns in
lists and ``calendarView``; ``customerNotes``/``serviceNotes`` are only returned by a GET by id
and ``selfServiceAppointmentId`` is set by Bookings' own booking page). Reads, PATCH and
cancel are idempotent and keep a short SDK retry.

Teams meeting options (lobby, recording) are not part of the Bookings appointment resource;
see ``chat_widget/meetings/README.md`` for how they are configured on the Teams side.
"""

from __future__ import annotations

import importlib
import os
import re
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from chat_widget.domain.clock import utcnow
from chat_widget.meetings.errors import (
    AppointmentNotFound,
    GatewayAuthError,
    GatewayError,
    GatewayUnavailable,
    SlotTaken,
)
from chat_widget.meetings.gateway import (
    AppointmentInfo,
    AppointmentRequest,
    MeetingOptions,
    OptionsResult,
    ServiceInfo,
    StaffInfo,
)
from chat_widget.meetings.slots import Interval, StaffSchedule
from chat_widget.observability import metrics

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential
    from msgraph import GraphServiceClient
    from msgraph.generated.models.booking_appointment import BookingAppointment
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone

T = TypeVar("T")

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0"
BOOKING_REF_PREFIX = "cw-booking:"
_REF_RE = re.compile(re.escape(BOOKING_REF_PREFIX) + r"([0-9a-f]{32})")


@dataclass(frozen=True, slots=True)
class GraphSettings:
    """Read once from the environment; ``service_ids`` maps our topic keys to Bookings services."""

    booking_business_id: str
    service_ids: Mapping[str, str]
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout_seconds: float = 10.0
    read_max_retries: int = 2
    read_retry_delay_seconds: float = 0.5
    # Whose Teams meeting to adjust: "" leaves options to Teams policies, "staff" uses the
    # advisor's (staff member's) e-mail as Graph user id, anything else is a fixed user id.
    meeting_organizer: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GraphSettings:
        """``CW_GRAPH_SERVICE_IDS`` is ``topic=serviceId,topic=serviceId``."""
        env = os.environ if env is None else env
        pairs = [p for p in env.get("CW_GRAPH_SERVICE_IDS", "").split(",") if "=" in p]
        return cls(
            booking_business_id=env.get("CW_GRAPH_BOOKING_BUSINESS_ID", ""),
            service_ids={k.strip(): v.strip() for k, v in (p.split("=", 1) for p in pairs)},
            tenant_id=env.get("CW_GRAPH_TENANT_ID", ""),
            client_id=env.get("CW_GRAPH_CLIENT_ID", ""),
            client_secret=env.get("CW_GRAPH_CLIENT_SECRET", ""),
            base_url=env.get("CW_GRAPH_BASE_URL", DEFAULT_BASE_URL),
            timeout_seconds=float(env.get("CW_GRAPH_TIMEOUT_SECONDS", "10")),
            meeting_organizer=env.get("CW_GRAPH_MEETING_ORGANIZER", ""),
        )


def client_secret_credential(settings: GraphSettings) -> AsyncTokenCredential:
    """Production credential: client-credentials flow for the app registration."""
    from azure.identity.aio import ClientSecretCredential

    if not (settings.tenant_id and settings.client_id and settings.client_secret):
        raise ValueError(
            "CW_GRAPH_TENANT_ID, CW_GRAPH_CLIENT_ID and CW_GRAPH_CLIENT_SECRET are required"
        )
    return ClientSecretCredential(settings.tenant_id, settings.client_id, settings.client_secret)


_SDK_MODULES = (
    "msgraph",
    "kiota_abstractions.default_query_parameters",
    "kiota_serialization_json.json_serialization_writer",
    "msgraph.generated.models.o_data_errors.o_data_error",
    "msgraph.generated.models.booking_appointment",
    "msgraph.generated.models.booking_appointment_collection_response",
    "msgraph.generated.models.booking_customer_information",
    "msgraph.generated.models.booking_service_collection_response",
    "msgraph.generated.models.booking_staff_member_base_collection_response",
    "msgraph.generated.models.bookings_availability_status",
    "msgraph.generated.solutions.solutions_request_builder",
    "msgraph.generated.solutions.booking_businesses.booking_businesses_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.booking_business_item_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.services.services_request_builder",
    "msgraph.generated.solutions.booking_businesses.item.staff_members.staff_members_request_builder",
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


def parse_graph_datetime(value: DateTimeTimeZone | None) -> datetime:
    """Graph sends ``2026-03-30T08:00:00.0000000`` (7 fraction digits) plus a zone name."""
    if value is None or not value.date_time:
        raise GatewayError("missing date in Graph answer")
    raw = value.date_time.replace("Z", "+00:00")
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$", raw)
    if not match:
        raise GatewayError(f"unparsable Graph date {value.date_time!r}")
    head, frac, tail = match.groups()
    parsed = datetime.fromisoformat(f"{head}.{(frac or '0')[:6].ljust(6, '0')}{tail}")
    if parsed.tzinfo is None:
        zone = value.time_zone or "UTC"
        try:
            tz = UTC if zone in ("UTC", "Etc/UTC") else ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            # Windows zone names ("Romance Standard Time") are not IANA; we always ask for UTC.
            raise GatewayError(f"unsupported time zone {zone!r}") from exc
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def booking_ref(booking_id: str) -> str:
    return f"{BOOKING_REF_PREFIX}{booking_id}"


def booking_id_of(appointment: BookingAppointment) -> str | None:
    match = _REF_RE.search(appointment.additional_information or "")
    return match.group(1) if match else None


class GraphMeetingGateway:
    """:class:`~chat_widget.meetings.gateway.MeetingGateway` on Microsoft Bookings."""

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

        warm_up()
        self._settings = settings
        self._credential = credential
        host = httpx.URL(settings.base_url).host
        # allowed_hosts=[] sends the token to any host: needed for a local fake; for real
        # Graph we keep the SDK's own host check.
        allowed = [] if host not in ("graph.microsoft.com",) else ["graph.microsoft.com"]
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[GRAPH_SCOPE], allowed_hosts=allowed
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

    async def aclose(self) -> None:
        if self._owns_client:
            await self._http.aclose()
            await self._inner_transport.aclose()

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

    # ----- MeetingGateway ----------------------------------------------------------------

    async def list_services(self) -> list[ServiceInfo]:
        page = await self._call(lambda: self._business.services.get(self._config(retry=True)))
        return [
            ServiceInfo(service_id=s.id or "", name=s.display_name or "")
            for s in (page.value if page and page.value else [])
        ]

    async def list_staff(self) -> list[StaffInfo]:
        page = await self._call(lambda: self._business.staff_members.get(self._config(retry=True)))
        result: list[StaffInfo] = []
        for member in page.value if page and page.value else []:
            name = getattr(member, "display_name", None) or ""
            email = getattr(member, "email_address", None)
            result.append(StaffInfo(staff_id=member.id or "", display_name=name, email=email))
        return result

    async def get_staff_availability(
        self, staff_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[StaffSchedule]:
        from msgraph.generated.models.bookings_availability_status import (
            BookingsAvailabilityStatus,
        )
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
        busy_states = {BookingsAvailabilityStatus.Busy, BookingsAvailabilityStatus.OutOfOffice}
        free_states = {
            BookingsAvailabilityStatus.Available,
            BookingsAvailabilityStatus.SlotsAvailable,
        }
        schedules: list[StaffSchedule] = []
        for item in response.value if response and response.value else []:
            busy: list[Interval] = []
            available: list[Interval] = []
            for entry in item.availability_items or []:
                interval = Interval(
                    parse_graph_datetime(entry.start_date_time),
                    parse_graph_datetime(entry.end_date_time),
                )
                if entry.status in busy_states:
                    busy.append(interval)
                elif entry.status in free_states:
                    available.append(interval)
            schedules.append(
                StaffSchedule(
                    staff_id=item.staff_id or "",
                    busy=tuple(busy),
                    # No "available" item at all means Graph told us nothing about working
                    # hours, not that the advisor never works.
                    available=tuple(available) if available else None,
                )
            )
        return schedules

    async def create_appointment(self, request: AppointmentRequest) -> AppointmentInfo:
        from msgraph.generated.models.booking_appointment import BookingAppointment
        from msgraph.generated.models.booking_customer_information import (
            BookingCustomerInformation,
        )

        service_id = self._settings.service_ids.get(request.topic)
        if not service_id:
            raise GatewayError(f"no Bookings service configured for topic {request.topic!r}")
        body = BookingAppointment(
            service_id=service_id,
            staff_member_ids=[request.staff_id],
            start_date_time=_to_graph(request.start),
            end_date_time=_to_graph(request.end),
            is_location_online=True,
            customer_time_zone=request.customer_time_zone,
            additional_information=booking_ref(request.booking_id),
            opt_out_of_customer_email=False,
            customers=[
                BookingCustomerInformation(
                    name=request.customer_name,
                    email_address=request.customer_email,
                    time_zone=request.customer_time_zone,
                )
            ],
        )
        created = await self._call(
            lambda: self._business.appointments.post(body, self._config(retry=False))
        )
        if created is None:
            raise GatewayError("empty answer to appointment creation")
        return _info(created)

    async def find_appointment(
        self, booking_id: str, start: datetime, end: datetime
    ) -> AppointmentInfo | None:
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
        for appointment in page.value if page and page.value else []:
            if booking_id_of(appointment) == booking_id:
                return _info(appointment)
        return None

    async def get_appointment(self, appointment_id: str) -> AppointmentInfo:
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
        from msgraph.generated.models.booking_appointment import BookingAppointment

        patch = BookingAppointment(start_date_time=_to_graph(start), end_date_time=_to_graph(end))
        if staff_id is not None:
            patch.staff_member_ids = [staff_id]
        item = self._business.appointments.by_booking_appointment_id(appointment_id)
        # PATCH to absolute values is idempotent: the SDK may retry it.
        await self._call(lambda: item.patch(patch, self._config(retry=True)))
        return await self.get_appointment(appointment_id)

    async def cancel_appointment(self, appointment_id: str, *, message: str) -> None:
        from msgraph.generated.solutions.booking_businesses.item.appointments.item.cancel.cancel_post_request_body import (  # noqa: E501
            CancelPostRequestBody,
        )

        item = self._business.appointments.by_booking_appointment_id(appointment_id)
        body = CancelPostRequestBody(cancellation_message=message)
        await self._call(lambda: item.cancel.post(body, self._config(retry=True)))

    async def apply_meeting_options(
        self, *, join_url: str, staff_id: str, options: MeetingOptions
    ) -> OptionsResult:
        """Lobby and recording options on the Teams meeting Bookings created.

        Needs the ``OnlineMeetings.ReadWrite.All`` application permission and a Teams
        application access policy that lets this app act for the organizer.
        """
        from msgraph.generated.models.allowed_lobby_admitter_roles import (
            AllowedLobbyAdmitterRoles,
        )
        from msgraph.generated.models.lobby_bypass_scope import LobbyBypassScope
        from msgraph.generated.models.lobby_bypass_settings import LobbyBypassSettings
        from msgraph.generated.models.online_meeting import OnlineMeeting
        from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
            OnlineMeetingsRequestBuilder,
        )

        organizer = self._settings.meeting_organizer
        if not organizer:
            return OptionsResult.NOT_CONFIGURED
        if organizer == "staff":
            staff = {s.staff_id: s for s in await self.list_staff()}
            member = staff.get(staff_id)
            if member is None or not member.email:
                raise GatewayError(f"staff member {staff_id!r} has no e-mail address")
            organizer = member.email
        meetings = self._graph.users.by_user_id(organizer).online_meetings
        query = OnlineMeetingsRequestBuilder.OnlineMeetingsRequestBuilderGetQueryParameters(
            filter="JoinWebUrl eq '" + join_url.replace("'", "''") + "'"
        )
        page = await self._call(lambda: meetings.get(self._config(retry=True, query=query)))
        found = page.value if page and page.value else []
        if not found or not found[0].id:
            return OptionsResult.NOT_FOUND_YET
        patch = OnlineMeeting(
            lobby_bypass_settings=LobbyBypassSettings(
                scope=LobbyBypassScope.Organizer, is_dial_in_bypass_enabled=False
            ),
            allowed_lobby_admitters=AllowedLobbyAdmitterRoles.OrganizerAndCoOrganizers,
            allow_recording=options.allow_recording,
            record_automatically=options.record_automatically,
        )
        item = meetings.by_online_meeting_id(found[0].id)
        await self._call(lambda: item.patch(patch, self._config(retry=True)))
        return OptionsResult.APPLIED


def _info(appointment: BookingAppointment) -> AppointmentInfo:
    return AppointmentInfo(
        appointment_id=appointment.id or "",
        booking_id=booking_id_of(appointment),
        staff_ids=tuple(appointment.staff_member_ids or ()),
        start=parse_graph_datetime(appointment.start_date_time),
        end=parse_graph_datetime(appointment.end_date_time),
        join_url=appointment.join_web_url,
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
