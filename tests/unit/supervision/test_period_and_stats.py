"""Period bounds on the bank's calendar, percentiles, and who may open the supervisor view."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chat_widget.agents import landing_page, may_open
from chat_widget.agents.console import SUPERVISOR_PAGE
from chat_widget.agents.records import Role
from chat_widget.supervision.period import (
    MAX_DAYS,
    Period,
    PeriodError,
    days_between,
    default_period,
    parse_period,
)
from chat_widget.supervision.stats import percentile


def test_percentile_is_nearest_rank_and_an_observed_value() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert percentile([60, 180], 50) == 60
    assert percentile([60, 180], 90) == 180
    values = list(range(1, 11))  # 0.9 * 10 must be rank 9, not 10 (no float rounding)
    assert percentile(values, 90) == 9
    assert percentile(values, 50) == 5
    assert percentile(list(reversed(values)), 100) == 10
    with pytest.raises(ValueError):
        percentile(values, 0)


def test_period_is_whole_bank_days_in_utc() -> None:
    summer = Period(date(2026, 7, 1), date(2026, 7, 1))
    assert summer.since == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert summer.until == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)
    spring = Period(date(2026, 3, 29), date(2026, 3, 29))  # 23 hours long
    assert (spring.until - spring.since).total_seconds() == 23 * 3600
    assert days_between(spring.since, spring.until) == [date(2026, 3, 29)]


def test_period_refuses_reversed_too_long_or_malformed() -> None:
    with pytest.raises(PeriodError):
        Period(date(2026, 11, 24), date(2026, 11, 23))
    first = date(2026, 1, 1)
    assert Period(first, date.fromordinal(first.toordinal() + MAX_DAYS - 1))
    with pytest.raises(PeriodError):
        Period(first, date.fromordinal(first.toordinal() + MAX_DAYS))
    with pytest.raises(PeriodError):
        parse_period("2026-11-31", "2026-12-01")
    with pytest.raises(PeriodError):
        parse_period("", "2026-12-01")
    assert parse_period("2026-11-23", "2026-11-24") == Period(
        date(2026, 11, 23), date(2026, 11, 24)
    )


def test_default_period_is_the_last_seven_days() -> None:
    assert default_period(date(2026, 11, 24)) == Period(date(2026, 11, 18), date(2026, 11, 24))


def test_supervisor_page_is_for_supervisors_and_admins_only() -> None:
    assert may_open([Role.SUPERVISOR], SUPERVISOR_PAGE)
    assert may_open([Role.ADMIN], SUPERVISOR_PAGE)
    assert not may_open([Role.AGENT, Role.CLAIMS_HANDLER], SUPERVISOR_PAGE)
    assert landing_page([Role.SUPERVISOR, Role.AGENT], SUPERVISOR_PAGE) == SUPERVISOR_PAGE
    assert landing_page([Role.AGENT], SUPERVISOR_PAGE) == "/agent"
    # A supervisor who takes no chats lands on their own page, not on a refused one.
    assert landing_page([Role.SUPERVISOR]) == SUPERVISOR_PAGE
