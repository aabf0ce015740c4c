"""``python -m chat_widget.meetings.check``: passes against a well-set tenant (the fake Graph)
and, for each misconfiguration we can simulate, fails with the line that says what to fix."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chat_widget.meetings.check import main
from tests.fakes.fake_graph import APPOINTMENTS, FakeGraph, running_fake

from .conftest import ADVISORS, BUSINESS_ID, SERVICE_IDS, TOKEN, fake_kwargs


@pytest.fixture
def advisors_file(tmp_path: Path) -> Path:
    path = tmp_path / "advisors.json"
    path.write_text(
        json.dumps(
            {
                "advisors": [
                    {
                        "staff_id": a.staff_id,
                        "first_name": a.first_name,
                        "topics": sorted(a.topics),
                        "languages": sorted(a.languages),
                    }
                    for a in ADVISORS
                ]
            }
        ),
        encoding="utf-8",
    )
    return path


def run(
    fake: FakeGraph,
    monkeypatch: pytest.MonkeyPatch,
    advisors_file: Path,
    *args: str,
    **env: str,
) -> tuple[int, str]:
    values = {
        "CW_ENV": "test",
        "CW_GRAPH_BASE_URL": fake.base_url,
        "CW_GRAPH_BOOKING_BUSINESS_ID": BUSINESS_ID,
        "CW_GRAPH_SERVICE_IDS": ",".join(f"{k}={v}" for k, v in SERVICE_IDS.items()),
        "CW_GRAPH_STATIC_TOKEN": TOKEN,
        "CW_GRAPH_MEETING_OPTIONS": "1",
        "CW_ADVISORS_PATH": str(advisors_file),
        **env,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    yield from running_fake(**fake_kwargs())


def started(**changes: Any) -> Iterator[FakeGraph]:
    return running_fake(**fake_kwargs(**changes))


def test_a_well_set_tenant_passes_and_books_reads_back_and_cancels(
    fake: FakeGraph, monkeypatch: pytest.MonkeyPatch, advisors_file: Path
) -> None:
    code, printed = run(fake, monkeypatch, advisors_file, "--book")
    assert code == 0, printed
    assert "FAIL" not in printed
    for step in (
        "token",
        "business",
        "scheduling policy",
        "service investments",
        "staff staff-ines",
        "availability",
        "book",
        "read back",
        "join link",
        "cancel",
        "remove test customer",
    ):
        assert f"OK   {step}:" in printed, step
    assert "hours Mon 09:00-17:00" in printed
    # Nothing left behind in Bookings.
    assert fake.live_appointments() == [] and fake.customers() == []


def test_missing_bookings_read_all(monkeypatch: pytest.MonkeyPatch, advisors_file: Path) -> None:
    fakes = started(tokens={TOKEN: {APPOINTMENTS, "User.Read.All"}})
    fake = next(fakes)
    try:
        code, printed = run(fake, monkeypatch, advisors_file)
    finally:
        next(fakes, None)
    assert code == 1
    assert "FAIL availability: 403 on getStaffAvailability: grant Bookings.Read.All" in printed


def test_wrong_business_id(
    fake: FakeGraph, monkeypatch: pytest.MonkeyPatch, advisors_file: Path
) -> None:
    code, printed = run(
        fake, monkeypatch, advisors_file, CW_GRAPH_BOOKING_BUSINESS_ID="other@contoso.example"
    )
    assert code == 1
    assert "FAIL business: 404 on the booking business: fix CW_GRAPH_BOOKING_BUSINESS_ID" in printed


def test_unknown_service(
    fake: FakeGraph, monkeypatch: pytest.MonkeyPatch, advisors_file: Path
) -> None:
    ids = {**SERVICE_IDS, "insurance": "svc-nope"}
    code, printed = run(
        fake,
        monkeypatch,
        advisors_file,
        CW_GRAPH_SERVICE_IDS=",".join(f"{k}={v}" for k, v in ids.items()),
    )
    assert code == 1
    assert (
        "FAIL service insurance: service 'svc-nope' not found in the business: "
        "fix CW_GRAPH_SERVICE_IDS" in printed
    )


def test_staff_without_entra_object_id(
    monkeypatch: pytest.MonkeyPatch, advisors_file: Path
) -> None:
    fakes = started(staff_without_user=["staff-jonas"])
    fake = next(fakes)
    try:
        code, printed = run(fake, monkeypatch, advisors_file)
    finally:
        next(fakes, None)
    assert code == 1
    assert "FAIL staff staff-jonas: staff-jonas@contoso.example has no Entra object id" in printed
    assert "OK   staff staff-claire:" in printed


def test_missing_user_read_all_says_what_to_grant(
    monkeypatch: pytest.MonkeyPatch, advisors_file: Path
) -> None:
    fakes = started(tokens={TOKEN: {APPOINTMENTS, "Bookings.Read.All"}})
    fake = next(fakes)
    try:
        code, printed = run(fake, monkeypatch, advisors_file)
    finally:
        next(fakes, None)
    assert code == 1
    assert "403 on /users: grant User.Read.All, or set entra_object_id" in printed


def test_a_non_graph_base_url_is_refused_before_any_token_is_sent(
    fake: FakeGraph, monkeypatch: pytest.MonkeyPatch, advisors_file: Path
) -> None:
    code, printed = run(
        fake, monkeypatch, advisors_file, CW_GRAPH_BASE_URL="https://graph.example.org/v1.0"
    )
    assert code == 1
    assert printed.startswith("FAIL settings: CW_GRAPH_BASE_URL")
    assert fake.calls() == []


def test_an_advisor_in_both_pools_fails_the_check(
    fake: FakeGraph, monkeypatch: pytest.MonkeyPatch, advisors_file: Path
) -> None:
    data = json.loads(advisors_file.read_text(encoding="utf-8"))
    data["advisors"][0]["topics"].append("investments")
    advisors_file.write_text(json.dumps(data), encoding="utf-8")
    code, printed = run(fake, monkeypatch, advisors_file)
    assert code == 1
    assert "FAIL recording pools:" in printed and "staff-claire" in printed
