"""The msgraph-sdk adapter against the fake Graph: shapes, permissions, each error, retries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chat_widget.adapters.graph import (
    GraphConfigError,
    GraphMeetingGateway,
    GraphSettings,
    organizer_oid,
    warm_up,
)
from chat_widget.domain.calendar import AppointmentRequest, MeetingOptions, OptionsResult
from chat_widget.domain.meeting_errors import (
    AppointmentNotFound,
    GatewayAuthError,
    GatewayUnavailable,
)
from tests.fakes.fake_graph import (
    APPOINTMENTS,
    DEFAULT_ROLES,
    READ,
    ROLES_WITH_CANCEL,
    FakeGraph,
    StaticTokenCredential,
    running_fake,
)

from .conftest import CLIENT_TIMEOUT, SERVICE_IDS, TOKEN, fake_kwargs, graph_settings

BRUSSELS = ZoneInfo("Europe/Brussels")
# Monday 30 March 2026, 10:00 in Brussels (summer time): inside business hours, after NOW.
START = datetime(2026, 3, 30, 10, 0, tzinfo=BRUSSELS).astimezone(UTC)


def request(
    booking_id: str = "a" * 32,
    start: datetime = START,
    staff: str = "staff-claire",
    customer_id: str | None = None,
    email: str | None = "jean@example.be",
) -> AppointmentRequest:
    return AppointmentRequest(
        booking_id=booking_id,
        topic="daily_banking",
        staff_id=staff,
        start=start,
        end=start + timedelta(minutes=30),
        customer_name="Jean Dupont",
        customer_email=email,
        customer_time_zone="Europe/Brussels",
        locale="fr",
        options=MeetingOptions(),
        graph_customer_id=customer_id,
    )


def gateway_for(fake: FakeGraph, token: str = TOKEN, **changes: object) -> GraphMeetingGateway:
    settings = replace(graph_settings(fake), **changes)  # type: ignore[arg-type]
    return GraphMeetingGateway(settings=settings, credential=StaticTokenCredential(token))


async def test_business_hours_policy_and_services(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    warm_up()
    business = await gateway.get_business()
    assert business.hours[0] == ((time(9), time(17)),)  # Monday
    assert business.hours[5] == () and business.hours[6] == ()
    assert business.policy.minimum_lead_time == timedelta(hours=2)
    assert business.policy.maximum_advance == timedelta(days=30)
    assert business.policy.time_slot_interval == timedelta(minutes=30)
    assert business.policy.allow_staff_selection is True
    services = {s.service_id: s for s in await gateway.list_services()}
    assert set(services) == set(SERVICE_IDS.values())
    assert services["svc-daily"].duration == timedelta(minutes=30)
    assert services["svc-invest"].staff_ids == ("staff-ines",)
    staff = await gateway.list_staff()
    assert {s.staff_id for s in staff} >= {"staff-claire", "staff-joris", "staff-jonas"}


@pytest.mark.parametrize("key", ["value", "staffAvailabilityItem"])
async def test_availability_per_day_in_a_windows_display_zone(key: str) -> None:
    """Both documented answer shapes; times in "(UTC+01:00) Brussels, …" are read as Brussels
    wall time, summer time included; availability is the staff's hours, not the business's."""
    fake_iter: Iterator[FakeGraph] = running_fake(**fake_kwargs(availability_key=key))
    fake = next(fake_iter)
    gw = gateway_for(fake)
    try:
        fake.add_busy("staff-claire", START, START + timedelta(hours=1))
        schedules = await gw.get_staff_availability(
            ["staff-claire", "staff-joris"], START - timedelta(days=1), START + timedelta(days=1)
        )
    finally:
        await gw.aclose()
        next(fake_iter, None)
    by_id = {s.staff_id: s for s in schedules}
    assert [(b.start, b.end) for b in by_id["staff-claire"].busy] == [
        (START, START + timedelta(hours=1))
    ]
    joris = by_id["staff-joris"]
    assert joris.busy == ()
    assert joris.available is not None
    monday = [w for w in joris.available if w.start.astimezone(BRUSSELS).date().day == 30]
    # 08:00–18:00 Brussels (the staff member's hours) = 06:00–16:00 UTC on 30 March (CEST).
    assert [(w.start, w.end) for w in monday] == [
        (datetime(2026, 3, 30, 6, tzinfo=UTC), datetime(2026, 3, 30, 16, tzinfo=UTC))
    ]


async def test_create_reuses_one_bookings_customer_and_sends_no_marker(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    customer = await gateway.create_customer(name="Jean Dupont", email="jean@example.be")
    info = await gateway.create_appointment(request(customer_id=customer))
    again = await gateway.create_appointment(
        request("b" * 32, start=START + timedelta(hours=2), customer_id=customer)
    )
    assert [c["id"] for c in fake_graph.customers()] == [customer]
    assert info.customer_ids == (customer,) == again.customer_ids
    [stored, _] = fake_graph.live_appointments()
    # Nothing of ours is mailed to the customer.
    assert stored["additionalInformation"] is None
    assert stored["staffMemberIds"] == ["staff-claire"] and stored["serviceId"] == "svc-daily"
    assert info.join_url and info.join_url.startswith("https://teams.microsoft.com/")
    # The customer gets the anonymous link when Bookings made one.
    assert info.anonymous_join_url and info.customer_join_url == info.anonymous_join_url
    window = (START - timedelta(hours=1), START + timedelta(hours=1))
    found = await gateway.find_appointment(request(customer_id=customer), *window)
    assert found is not None and found.appointment_id == info.appointment_id
    other = await gateway.find_appointment(
        request(customer_id="someone-else", email="other@example.be"), *window
    )
    assert other is None
    got = await gateway.get_appointment(info.appointment_id)
    assert (got.start, got.end) == (START, START + timedelta(minutes=30))
    await gateway.delete_customer(customer)
    assert fake_graph.customers() == []


async def test_without_a_customer_id_bookings_makes_a_new_customer_each_time(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    await gateway.create_appointment(request())
    await gateway.create_appointment(request("b" * 32, start=START + timedelta(hours=2)))
    assert len(fake_graph.customers()) == 2


async def test_overlap_answers_500_not_409(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    await gateway.create_appointment(request("a" * 32))
    with pytest.raises(GatewayUnavailable) as err:
        await gateway.create_appointment(request("b" * 32))
    assert err.value.status == 500 and err.value.code == "UnknownError"
    with pytest.raises(GatewayUnavailable) as err:
        await gateway.create_appointment(request("c" * 32, staff="no-such-staff"))
    assert err.value.status == 500


async def test_availability_needs_bookings_read_all(fake_graph: FakeGraph) -> None:
    """BookingsAppointment.ReadWrite.All (or Bookings.ReadWrite.All, as the old README said)
    books but reads no availability."""
    fake_graph.grant("appointments-only", {APPOINTMENTS, "Bookings.ReadWrite.All"})
    gw = gateway_for(fake_graph, "appointments-only")
    try:
        assert await gw.list_services()
        with pytest.raises(GatewayAuthError) as err:
            await gw.get_staff_availability(["staff-claire"], START, START + timedelta(days=1))
        assert err.value.status == 403
    finally:
        await gw.aclose()


async def test_wrong_token_is_refused(fake_graph: FakeGraph) -> None:
    gw = gateway_for(fake_graph, "nope")
    try:
        with pytest.raises(GatewayAuthError) as err:
            await gw.list_services()
        assert err.value.status == 401
    finally:
        await gw.aclose()


async def test_forbidden(gateway: GraphMeetingGateway, fake_graph: FakeGraph) -> None:
    fake_graph.fail("appointments.create", 403)
    with pytest.raises(GatewayAuthError) as err:
        await gateway.create_appointment(request())
    assert err.value.status == 403 and err.value.code == "ErrorAccessDenied"
    assert fake_graph.live_appointments() == []


async def test_create_is_never_retried_by_the_sdk(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    fake_graph.fail("appointments.create", 503, times=1, retry_after=0)
    with pytest.raises(GatewayUnavailable) as err:
        await gateway.create_appointment(request())
    assert err.value.status == 503
    assert len(fake_graph.calls("appointments.create")) == 1
    assert fake_graph.live_appointments() == []


async def test_reads_honour_retry_after_on_429(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    fake_graph.fail("services", 429, retry_after=1)
    services = await gateway.list_services()
    assert services
    assert [c.status for c in fake_graph.calls("services")] == [429, 200]


async def test_429_on_create_reports_retry_after(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    fake_graph.fail("appointments.create", 429, retry_after=7)
    with pytest.raises(GatewayUnavailable) as err:
        await gateway.create_appointment(request())
    assert err.value.status == 429 and err.value.retry_after == 7.0


async def test_slow_graph_is_unavailable_and_ambiguous(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    fake_graph.delay("staff", CLIENT_TIMEOUT + 1)
    with pytest.raises(GatewayUnavailable) as err:
        await gateway.list_staff()
    assert err.value.ambiguous


async def test_missing_appointment(gateway: GraphMeetingGateway) -> None:
    with pytest.raises(AppointmentNotFound):
        await gateway.get_appointment("QUFNa0FBQUE9")
    with pytest.raises(AppointmentNotFound):
        await gateway.cancel_appointment("QUFNa0FBQUE9", message="x")


async def test_reschedule_and_cancel_with_least_privilege_deletes(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    """The /cancel action needs Bookings.ReadWrite.All for an application: without it the
    appointment is deleted (BookingsAppointment.ReadWrite.All)."""
    info = await gateway.create_appointment(request())
    moved = await gateway.reschedule_appointment(
        info.appointment_id,
        start=START + timedelta(days=1),
        end=START + timedelta(days=1, minutes=30),
        staff_id="staff-joris",
    )
    assert moved.start == START + timedelta(days=1) and moved.staff_ids == ("staff-joris",)
    await gateway.cancel_appointment(info.appointment_id, message="Annulé")
    assert fake_graph.live_appointments() == []
    assert [c.status for c in fake_graph.calls("appointments.cancel")] == [403]
    assert [c.status for c in fake_graph.calls("appointments.delete")] == [204]


async def test_cancel_with_bookings_readwrite_uses_the_cancel_action(fake_graph: FakeGraph) -> None:
    fake_graph.grant("with-cancel", ROLES_WITH_CANCEL)
    gw = gateway_for(fake_graph, "with-cancel")
    try:
        info = await gw.create_appointment(request())
        await gw.cancel_appointment(info.appointment_id, message="Annulé")
    finally:
        await gw.aclose()
    assert fake_graph.live_appointments() == []
    assert fake_graph.calls("appointments.delete") == []


async def test_staff_object_ids_from_the_directory_or_the_advisors_file(
    fake_graph: FakeGraph,
) -> None:
    gw = gateway_for(fake_graph)
    try:
        assert await gw.staff_object_id("staff-claire") == fake_graph.staff_object_id(
            "staff-claire"
        )
        assert await gw.staff_object_id("nobody") is None
    finally:
        await gw.aclose()
    configured = gateway_for(fake_graph, staff_object_ids={"staff-joris": "oid-from-file"})
    before = len(fake_graph.calls("users"))
    try:
        assert await configured.staff_object_id("staff-joris") == "oid-from-file"
    finally:
        await configured.aclose()
    assert len(fake_graph.calls("users")) == before


@pytest.mark.parametrize("organizer", ["business", "staff"])
async def test_meeting_options_use_the_organizer_object_id_from_the_join_link(
    organizer: str,
) -> None:
    fake_iter = running_fake(**fake_kwargs(organizer=organizer))
    fake = next(fake_iter)
    gw = gateway_for(fake)
    try:
        info = await gw.create_appointment(request())
        assert info.join_url is not None
        expected = (
            fake.business_object_id
            if organizer == "business"
            else fake.staff_object_id("staff-claire")
        )
        assert organizer_oid(info.join_url) == expected
        result = await gw.apply_meeting_options(
            join_url=info.join_url, staff_id="staff-claire", options=MeetingOptions()
        )
        assert result is OptionsResult.APPLIED
        meeting = fake.online_meeting(info.join_url)
        paths = {c.path for c in fake.calls("online_meetings.list")}
    finally:
        await gw.aclose()
        next(fake_iter, None)
    assert meeting is not None
    assert paths == {f"/v1.0/users/{expected}/onlineMeetings"}  # an object id, never an e-mail
    assert meeting["allowRecording"] is False and meeting["recordAutomatically"] is False
    if organizer == "staff":
        assert meeting["lobbyBypassSettings"] == {
            "scope": "organizer",
            "isDialInBypassEnabled": False,
        }
        assert meeting["allowedLobbyAdmitters"] == "organizerAndCoOrganizers"
    else:
        # The advisor is an internal attendee: the bank's people get in and admit; the
        # customer waits in the lobby.
        assert meeting["lobbyBypassSettings"]["scope"] == "organization"
        assert meeting["allowedLobbyAdmitters"] == "organizerAndCoOrganizersAndPresenters"
        assert meeting["allowedPresenters"] == "organization"


async def test_meeting_options_without_access_policy_are_refused() -> None:
    fake_iter = running_fake(**fake_kwargs(access_policy_users=[]))
    fake = next(fake_iter)
    gw = gateway_for(fake)
    try:
        info = await gw.create_appointment(request())
        assert info.join_url is not None
        with pytest.raises(GatewayAuthError):
            await gw.apply_meeting_options(
                join_url=info.join_url, staff_id="staff-claire", options=MeetingOptions()
            )
    finally:
        await gw.aclose()
        next(fake_iter, None)


async def test_meeting_options_can_be_left_to_teams_policies(fake_graph: FakeGraph) -> None:
    gw = gateway_for(fake_graph, meeting_options=False)
    try:
        result = await gw.apply_meeting_options(
            join_url="https://x", staff_id="staff-claire", options=MeetingOptions()
        )
        assert result is OptionsResult.NOT_CONFIGURED
        assert fake_graph.calls("online_meetings.list") == []
    finally:
        await gw.aclose()


@pytest.mark.parametrize(
    ("base_url", "environment"),
    [
        ("https://graph.example.org/v1.0", "development"),
        ("http://graph.microsoft.com/v1.0", "production"),
        ("http://127.0.0.1:9/v1.0", "production"),
        ("https://graph.microsoft.com.evil.example/v1.0", "test"),
    ],
)
def test_the_token_goes_to_microsoft_graph_hosts_only(base_url: str, environment: str) -> None:
    settings = GraphSettings(
        booking_business_id="b@x", service_ids={}, base_url=base_url, environment=environment
    )
    with pytest.raises(GraphConfigError, match="CW_GRAPH_BASE_URL"):
        GraphMeetingGateway(settings=settings, credential=StaticTokenCredential("t"))


@pytest.mark.parametrize(
    ("base_url", "scope"),
    [
        ("https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default"),
        ("https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"),
        ("https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/.default"),
        (
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
            "https://microsoftgraph.chinacloudapi.cn/.default",
        ),
    ],
)
def test_national_clouds_are_accepted_with_their_own_scope(base_url: str, scope: str) -> None:
    settings = GraphSettings(
        booking_business_id="b@x", service_ids={}, base_url=base_url, environment="production"
    )
    assert settings.scope == scope


def test_settings_from_env() -> None:
    settings = GraphSettings.from_env(
        {
            "CW_GRAPH_BASE_URL": "http://127.0.0.1:9/v1.0",
            "CW_GRAPH_BOOKING_BUSINESS_ID": "b@x",
            "CW_GRAPH_SERVICE_IDS": "investments=svc-1, insurance=svc-2",
            "CW_GRAPH_CLIENT_SECRET": "s3cret",
            "CW_GRAPH_MEETING_OPTIONS": "1",
            "CW_ENV": "test",
        }
    )
    assert settings.base_url == "http://127.0.0.1:9/v1.0"
    assert dict(settings.service_ids) == {"investments": "svc-1", "insurance": "svc-2"}
    assert settings.meeting_options and settings.environment == "test"
    assert "s3cret" not in repr(settings)


def test_default_roles_are_the_documented_least_privilege() -> None:
    assert {READ, APPOINTMENTS} <= DEFAULT_ROLES
    assert "Bookings.ReadWrite.All" not in DEFAULT_ROLES
