"""The msgraph-sdk adapter against the fake Graph: shapes, auth, each error, retry behaviour."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chat_widget.adapters.graph import GraphMeetingGateway, GraphSettings, booking_ref, warm_up
from chat_widget.meetings.errors import (
    AppointmentNotFound,
    GatewayAuthError,
    GatewayUnavailable,
    SlotTaken,
)
from chat_widget.meetings.gateway import AppointmentRequest, MeetingOptions, OptionsResult
from tests.fakes.fake_graph import FakeGraph, StaticTokenCredential

from .conftest import CLIENT_TIMEOUT, SERVICE_IDS, TOKEN, graph_settings

START = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def request(
    booking_id: str = "a" * 32, start: datetime = START, staff: str = "staff-claire"
) -> AppointmentRequest:
    return AppointmentRequest(
        booking_id=booking_id,
        topic="daily_banking",
        staff_id=staff,
        start=start,
        end=start + timedelta(minutes=30),
        customer_name="Jean Dupont",
        customer_email="jean@example.be",
        customer_time_zone="Europe/Brussels",
        locale="fr",
        options=MeetingOptions(),
    )


async def test_lists_and_availability(gateway: GraphMeetingGateway, fake_graph: FakeGraph) -> None:
    warm_up()
    services = await gateway.list_services()
    assert {s.service_id for s in services} == set(SERVICE_IDS.values())
    staff = await gateway.list_staff()
    assert {s.staff_id for s in staff} == {"staff-claire", "staff-joris", "staff-jonas"}
    fake_graph.add_busy("staff-claire", START, START + timedelta(hours=1))
    schedules = await gateway.get_staff_availability(
        ["staff-claire", "staff-joris"], START - timedelta(days=1), START + timedelta(days=1)
    )
    by_id = {s.staff_id: s for s in schedules}
    assert [(b.start, b.end) for b in by_id["staff-claire"].busy] == [
        (START, START + timedelta(hours=1))
    ]
    assert by_id["staff-joris"].busy == ()


async def test_create_puts_our_booking_id_and_teams_link(
    gateway: GraphMeetingGateway, fake_graph: FakeGraph
) -> None:
    info = await gateway.create_appointment(request())
    assert info.booking_id == "a" * 32
    assert info.join_url and info.join_url.startswith("https://teams.microsoft.com/")
    [stored] = fake_graph.live_appointments()
    assert stored["isLocationOnline"] is True
    assert stored["additionalInformation"] == booking_ref("a" * 32)
    assert stored["serviceId"] == "svc-daily" and stored["staffMemberIds"] == ["staff-claire"]
    assert stored["customers"][0]["emailAddress"] == "jean@example.be"
    found = await gateway.find_appointment(
        "a" * 32, START - timedelta(hours=1), START + timedelta(hours=1)
    )
    assert found is not None and found.appointment_id == info.appointment_id
    assert (
        await gateway.find_appointment(
            "b" * 32, START - timedelta(hours=1), START + timedelta(hours=1)
        )
        is None
    )
    got = await gateway.get_appointment(info.appointment_id)
    assert (got.start, got.end) == (START, START + timedelta(minutes=30))


async def test_wrong_token_is_refused(fake_graph: FakeGraph) -> None:
    gw = GraphMeetingGateway(
        settings=graph_settings(fake_graph), credential=StaticTokenCredential("nope")
    )
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


async def test_conflict_is_slot_taken(gateway: GraphMeetingGateway, fake_graph: FakeGraph) -> None:
    await gateway.create_appointment(request("a" * 32))
    with pytest.raises(SlotTaken):
        await gateway.create_appointment(request("b" * 32))
    fake_graph.fail("appointments.create", 409)
    with pytest.raises(SlotTaken):
        await gateway.create_appointment(request("c" * 32, start=START + timedelta(hours=3)))


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


async def test_reschedule_and_cancel(gateway: GraphMeetingGateway, fake_graph: FakeGraph) -> None:
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


async def test_meeting_options(gateway: GraphMeetingGateway, fake_graph: FakeGraph) -> None:
    info = await gateway.create_appointment(request())
    assert info.join_url is not None
    options = MeetingOptions()
    result = await gateway.apply_meeting_options(
        join_url=info.join_url, staff_id="staff-claire", options=options
    )
    assert result is OptionsResult.APPLIED
    meeting = fake_graph.online_meeting(info.join_url)
    assert meeting is not None
    assert meeting["lobbyBypassSettings"] == {"scope": "organizer", "isDialInBypassEnabled": False}
    assert meeting["allowedLobbyAdmitters"] == "organizerAndCoOrganizers"
    assert meeting["allowRecording"] is False and meeting["recordAutomatically"] is False
    unknown = await gateway.apply_meeting_options(
        join_url="https://teams.microsoft.com/l/meetup-join/it's-unknown",
        staff_id="staff-claire",
        options=options,
    )
    assert unknown is OptionsResult.NOT_FOUND_YET


async def test_meeting_options_can_be_left_to_teams_policies(fake_graph: FakeGraph) -> None:
    settings = replace(graph_settings(fake_graph), meeting_organizer="")
    gw = GraphMeetingGateway(settings=settings, credential=StaticTokenCredential(TOKEN))
    try:
        result = await gw.apply_meeting_options(
            join_url="https://x", staff_id="staff-claire", options=MeetingOptions()
        )
        assert result is OptionsResult.NOT_CONFIGURED
        assert fake_graph.calls("online_meetings.list") == []
    finally:
        await gw.aclose()


def test_settings_from_env() -> None:
    settings = GraphSettings.from_env(
        {
            "CW_GRAPH_BASE_URL": "http://127.0.0.1:9/v1.0",
            "CW_GRAPH_BOOKING_BUSINESS_ID": "b@x",
            "CW_GRAPH_SERVICE_IDS": "investments=svc-1, insurance=svc-2",
            "CW_GRAPH_CLIENT_SECRET": "s3cret",
        }
    )
    assert settings.base_url == "http://127.0.0.1:9/v1.0"
    assert dict(settings.service_ids) == {"investments": "svc-1", "insurance": "svc-2"}
    assert "s3cret" not in repr(settings)
