"""Each supervisor report against seeded rows (seed.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.i18n import catalog
from chat_widget.supervision import (
    Period,
    assistant_containment,
    chat_times,
    claims_by_type_and_status,
    conversations_per_hour,
    live_figures,
    meetings_booked_cancelled,
    misunderstood_questions,
    period_report,
    ratings,
)
from chat_widget.supervision.chats import TimesLine
from chat_widget.supervision.tables import live_summary
from tests.integration.supervision import seed
from tests.integration.supervision.seed import PERIOD, utc

WINDOW = {"since": PERIOD.since, "until": PERIOD.until}
MON, TUE = date(2026, 11, 23), date(2026, 11, 24)


def test_period_bounds_are_bank_midnights() -> None:
    assert PERIOD.since == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert PERIOD.until == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)


def test_conversations_per_hour_and_channel_in_bank_hours(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        volume = conversations_per_hour(session=s, **WINDOW)
    assert volume.channels == ("assistant", "live_chat", "claim", "video")
    non_empty = {hour: row for hour, row in enumerate(volume.counts) if any(row)}
    assert non_empty == {
        0: (1, 0, 0, 0),  # A5: 23:00 UTC the day before
        9: (2, 2, 0, 0),
        10: (0, 1, 0, 0),
        11: (0, 0, 1, 0),
        14: (1, 1, 0, 0),
        16: (0, 1, 0, 0),
    }
    assert volume.by_channel() == (4, 5, 1, 0)
    assert volume.total == 10


def test_conversations_per_hour_across_the_autumn_clock_change(db_engine: Engine) -> None:
    who = seed.customer(db_engine)
    # 25 October 2026: 02:30 happens twice in Brussels (CEST, then CET).
    seed.conversation(db_engine, who, "assistant", utc(25, 0, 30, month=10))
    seed.conversation(db_engine, who, "assistant", utc(25, 1, 30, month=10))
    seed.conversation(db_engine, who, "video", utc(25, 22, 30, month=10))  # 23:30 CET
    seed.conversation(db_engine, who, "video", utc(25, 23, 0, month=10))  # the 26th
    day = Period(date(2026, 10, 25), date(2026, 10, 25))
    assert day.until - day.since == timedelta(hours=25)
    with session_scope(db_engine) as s:
        volume = conversations_per_hour(session=s, since=day.since, until=day.until)
    assert volume.counts[2] == (2, 0, 0, 0)
    assert volume.counts[23] == (0, 0, 0, 1)
    assert volume.total == 3


def test_chat_wait_and_handle_percentiles_per_day_and_period(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        times = chat_times(session=s, **WINDOW)
    assert times.days == (
        TimesLine(MON, 3, 2, 1, 60, 180, 600, 1200),
        TimesLine(TUE, 2, 1, 1, 600, 600, None, None),
    )
    # Percentiles of all the period's chats, not of the daily figures.
    assert times.total == TimesLine(None, 5, 3, 2, 180, 600, 600, 1200)


def test_a_day_without_chats_is_listed_empty(db_engine: Engine) -> None:
    who = seed.customer(db_engine)
    seed.chat(db_engine, who, utc(24, 9), accepted=utc(24, 9, 2))
    with session_scope(db_engine) as s:
        times = chat_times(session=s, **WINDOW)
    assert times.days[0] == TimesLine(MON, 0, 0, 0, None, None, None, None)
    assert times.days[1] == TimesLine(TUE, 1, 1, 0, 120, 120, None, None)


def test_ratings_of_the_period(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        found = ratings(session=s, **WINDOW)
    assert found.counts == (0, 0, 1, 0, 1)
    assert found.answered_closed == 2
    assert found.rated == 2
    assert found.average == 4.0


def test_assistant_containment_counts_each_handed_over_conversation_once(
    db_engine: Engine,
) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        found = assistant_containment(session=s, **WINDOW)
    # A1 was handed over twice (two chat requests), A3 once; A4's hand-over is outside.
    assert [(d.day, d.conversations, d.handed_over) for d in found.days] == [
        (MON, 3, 1),
        (TUE, 1, 1),
    ]
    assert (found.total.conversations, found.total.handed_over) == (4, 2)
    assert found.total.contained == 2
    assert found.total.rate == 50.0
    assert found.days[1].rate == 0.0


def test_most_frequent_misunderstood_questions(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        found = misunderstood_questions(session=s, **WINDOW)
        top = misunderstood_questions(session=s, **WINDOW, limit=1)
    assert [(q.text, q.asked, q.not_understood, q.not_helpful, q.locales) for q in found] == [
        ("Comment bloquer ma carte ?", 3, 2, 1, ("fr",)),
        ("Where is <b>my</b> card", 1, 1, 0, ("en",)),  # once, like the next, but later
        ("Wat is mijn IBAN?", 1, 1, 0, ("nl",)),
    ]
    assert found[0].last_asked == utc(24, 11)
    assert [q.text for q in top] == ["Comment bloquer ma carte ?"]


def test_claims_by_type_and_current_status(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        found = claims_by_type_and_status(session=s, **WINDOW)
    assert found.types == ("car_glass", "home_fire")
    assert found.statuses == ("submitted", "in_review", "accepted", "rejected", "closed")
    assert found.counts == ((1, 1, 0, 0, 0), (0, 0, 1, 0, 0))
    assert found.by_status() == (1, 1, 1, 0, 0)
    assert found.total == 3


def test_meetings_by_request_day_and_status(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        found = meetings_booked_cancelled(session=s, **WINDOW)
    assert [(d.day, d.booked, d.cancelled, d.pending, d.failed) for d in found.days] == [
        (MON, 1, 1, 0, 0),
        (TUE, 1, 0, 1, 1),
    ]
    total = found.total
    assert (total.booked, total.cancelled, total.pending, total.failed) == (2, 1, 1, 1)
    assert total.requested == 5


def test_period_report_bundles_every_report(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        report = period_report(session=s, **WINDOW)
        with pytest.raises(ValueError):
            period_report(session=s, since=PERIOD.until, until=PERIOD.since)
    assert report.volume.total == 10
    assert report.times.total.requested == 5
    assert report.ratings.rated == 2
    assert report.containment.total.handed_over == 2
    assert len(report.questions) == 3
    assert report.claims.total == 3
    assert report.meetings.total.requested == 5


def test_live_queue_and_agents(db_engine: Engine) -> None:
    now = utc(24, 10)
    who = seed.customer(db_engine)
    sophie = seed.agent(db_engine, "sophie", presence="available")
    seed.agent(db_engine, "pieter", presence="away", capacity=2)
    lena = seed.agent(db_engine, "lena", presence="offline")
    seed.agent(db_engine, "olivier", presence="offline")
    seed.agent(db_engine, "marc", roles=("claims_handler",), presence="available")
    seed.agent(db_engine, "gone", presence="available", active=False)
    seed.chat(db_engine, who, now - timedelta(seconds=300))
    seed.chat(db_engine, who, now - timedelta(seconds=60))
    seed.chat(db_engine, who, now - timedelta(seconds=120), language="nl")
    seed.chat(db_engine, who, now - timedelta(hours=1), accepted=now, agent_id=sophie)
    seed.chat(db_engine, who, now - timedelta(hours=1), accepted=now, agent_id=sophie)
    seed.chat(db_engine, who, now - timedelta(hours=1), accepted=now, agent_id=lena)
    seed.chat(db_engine, who, now - timedelta(hours=2), accepted=now, closed=now, agent_id=sophie)
    seed.chat(db_engine, who, now - timedelta(hours=3), closed=now)  # left the queue
    with session_scope(db_engine) as s:
        live = live_figures(session=s, now=now)
    assert [(q.language, q.waiting, q.longest_wait) for q in live.queue] == [
        ("fr", 2, 300),
        ("nl", 1, 120),
    ]
    assert live.waiting == 3
    assert live.longest_wait == 300
    assert live.presence == (("available", 1), ("away", 1), ("offline", 2))
    assert [(a.name, a.presence, a.active_chats, a.capacity) for a in live.agents] == [
        ("Sophie", "available", 2, 3),
        ("Pieter", "away", 0, 2),
        ("Lena", "offline", 1, 3),  # offline but still holding a chat
    ]
    assert live.active_chats == 3
    figures = {f.label: f.value for f in live_summary(live, tr=catalog("en"))}
    assert figures == {
        "Customers waiting": "3",
        "Longest wait (min:s)": "5:00",
        "Chats in progress": "3",
        "Agents available": "1",
        "Agents away": "1",
        "Agents offline": "2",
    }


def test_live_figures_with_nobody(db_engine: Engine) -> None:
    with session_scope(db_engine) as s:
        live = live_figures(session=s, now=utc(24, 10))
    assert live.queue == ()
    assert live.waiting == 0
    assert live.longest_wait is None
    assert live.agents == ()
