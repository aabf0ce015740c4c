"""Reports as tables and chart series: what the console shows and the CSV route exports.

One presenter for both, so a downloaded file always holds the numbers on the screen. Cells
keep their raw values (counts, seconds, percentages); :func:`display_cell` writes them for
the screen ("2:05", "45,5 %") and ``export`` for a spreadsheet (seconds, plain numbers).
Labels come from the UI catalog the caller passes (``tr``), so this module stays plain Python.
Customer text (misunderstood questions) is a plain ``str`` cell like any other: it is never
markup, neither here nor on the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from chat_widget.claims.i18n import pick, status_label
from chat_widget.claims.questions import questionnaire
from chat_widget.domain.clock import BANK_ZONE, as_aware
from chat_widget.i18n import t
from chat_widget.supervision.assistant import Containment, MisunderstoodQuestion
from chat_widget.supervision.chats import STARS, ChatTimes, HourlyVolume, Ratings
from chat_widget.supervision.claims import ClaimsMatrix
from chat_widget.supervision.live import LiveFigures
from chat_widget.supervision.meetings import STATUSES as MEETING_STATUSES
from chat_widget.supervision.meetings import Meetings
from chat_widget.supervision.report import PeriodReport

Cell = str | int | float | None
TEXT, COUNT, SECONDS, PERCENT, AVERAGE = "text", "count", "seconds", "percent", "average"

LIVE_TABLES = ("queue", "agents")
PERIOD_TABLES = ("volume", "times", "ratings", "containment", "questions", "claims", "meetings")
TABLES = LIVE_TABLES + PERIOD_TABLES


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    name: str  # also the CSV file's name and the export route's key
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None  # a closing "whole period" / "total" row


@dataclass(frozen=True)
class ChartSeries:
    """Bars to draw: ``values[c][s]`` for category ``c`` and series ``s``."""

    name: str
    title: str
    categories: tuple[str, ...]
    series: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    unit: str = ""
    stacked: bool = False


# --- formatting --------------------------------------------------------------------------------


def decimal(value: float, locale: str, places: int = 1) -> str:
    text = f"{value:.{places}f}"
    return text if locale == "en" else text.replace(".", ",")


def minutes_seconds(total: int) -> str:
    minutes, rest = divmod(int(total), 60)
    return f"{minutes}:{rest:02d}"


def display_cell(value: Cell, kind: str, locale: str) -> str:
    """A cell as the page shows it; an empty cell is a dash (nothing to measure)."""
    if value is None:
        return "—"
    if kind == SECONDS and isinstance(value, int | float):
        return minutes_seconds(int(value))
    if kind == PERCENT and isinstance(value, int | float):
        return f"{decimal(float(value), locale)} %"
    if kind == AVERAGE and isinstance(value, int | float):
        return decimal(float(value), locale, 2)
    return str(value)


def _day(day: date | None, tr: Mapping[str, str]) -> str:
    return day.isoformat() if day is not None else tr.get("supervisor.whole_period", "")


def _when(moment: datetime) -> str:
    return as_aware(moment).astimezone(BANK_ZONE).strftime("%Y-%m-%d %H:%M")


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _t(tr: Mapping[str, str], key: str) -> str:
    return tr.get(key, key)


def claim_type_label(claim_type: str, locale: str) -> str:
    try:
        return pick(questionnaire(claim_type).label, locale)
    except KeyError:
        return claim_type


# --- live --------------------------------------------------------------------------------------


def live_tables(live: LiveFigures, *, tr: Mapping[str, str]) -> dict[str, Table]:
    queue = Table(
        name="queue",
        title=_t(tr, "supervisor.queue"),
        columns=(
            Column(_t(tr, "supervisor.col.language")),
            Column(_t(tr, "supervisor.col.waiting"), COUNT),
            Column(_t(tr, "supervisor.col.longest_wait"), SECONDS),
        ),
        rows=tuple(
            (tr.get(f"lang.{q.language}", q.language), q.waiting, q.longest_wait)
            for q in live.queue
        ),
        total=(_t(tr, "supervisor.total"), live.waiting, live.longest_wait),
    )
    agents = Table(
        name="agents",
        title=_t(tr, "supervisor.agents"),
        columns=(
            Column(_t(tr, "supervisor.col.agent")),
            Column(_t(tr, "supervisor.col.presence")),
            Column(_t(tr, "supervisor.col.active_chats"), COUNT),
            Column(_t(tr, "supervisor.col.capacity"), COUNT),
            Column(_t(tr, "supervisor.col.load"), PERCENT),
        ),
        rows=tuple(
            (
                a.name,
                tr.get(f"agent.presence.{a.presence}", a.presence),
                a.active_chats,
                a.capacity,
                _share(a.active_chats, a.capacity),
            )
            for a in live.agents
        ),
    )
    return {"queue": queue, "agents": agents}


# --- period ------------------------------------------------------------------------------------


def _channel(channel: str, tr: Mapping[str, str]) -> str:
    return tr.get(f"supervisor.channel.{channel}", channel)


def volume_table(volume: HourlyVolume, tr: Mapping[str, str]) -> Table:
    return Table(
        name="volume",
        title=_t(tr, "supervisor.volume"),
        columns=(
            Column(_t(tr, "supervisor.col.hour")),
            *(Column(_channel(c, tr), COUNT) for c in volume.channels),
            Column(_t(tr, "supervisor.total"), COUNT),
        ),
        rows=tuple((f"{hour:02d}:00", *row, sum(row)) for hour, row in enumerate(volume.counts)),
        total=(_t(tr, "supervisor.total"), *volume.by_channel(), volume.total),
    )


def times_table(times: ChatTimes, tr: Mapping[str, str]) -> Table:
    lines = (*times.days, times.total)
    rows = tuple(
        (
            _day(x.day, tr),
            x.requested,
            x.answered,
            x.unanswered,
            x.wait_p50,
            x.wait_p90,
            x.handle_p50,
            x.handle_p90,
        )
        for x in lines
    )
    return Table(
        name="times",
        title=_t(tr, "supervisor.times"),
        columns=(
            Column(_t(tr, "supervisor.col.day")),
            Column(_t(tr, "supervisor.col.requested"), COUNT),
            Column(_t(tr, "supervisor.col.answered"), COUNT),
            Column(_t(tr, "supervisor.col.unanswered"), COUNT),
            Column(_t(tr, "supervisor.col.wait_p50"), SECONDS),
            Column(_t(tr, "supervisor.col.wait_p90"), SECONDS),
            Column(_t(tr, "supervisor.col.handle_p50"), SECONDS),
            Column(_t(tr, "supervisor.col.handle_p90"), SECONDS),
        ),
        rows=rows[:-1],
        total=rows[-1],
    )


def ratings_table(found: Ratings, tr: Mapping[str, str]) -> Table:
    return Table(
        name="ratings",
        title=_t(tr, "supervisor.ratings"),
        columns=(
            Column(_t(tr, "supervisor.col.stars")),
            Column(_t(tr, "supervisor.col.chats"), COUNT),
            Column(_t(tr, "supervisor.col.share"), PERCENT),
        ),
        rows=tuple(
            (str(star), n, _share(n, found.rated))
            for star, n in zip(STARS, found.counts, strict=True)
        ),
        total=(_t(tr, "supervisor.total"), found.rated, _share(found.rated, found.rated)),
    )


def containment_table(found: Containment, tr: Mapping[str, str]) -> Table:
    rows = tuple(
        (
            _day(x.day, tr),
            x.conversations,
            x.handed_over,
            x.contained,
            None if x.rate is None else round(x.rate, 1),
        )
        for x in (*found.days, found.total)
    )
    return Table(
        name="containment",
        title=_t(tr, "supervisor.containment"),
        columns=(
            Column(_t(tr, "supervisor.col.day")),
            Column(_t(tr, "supervisor.col.conversations"), COUNT),
            Column(_t(tr, "supervisor.col.handed_over"), COUNT),
            Column(_t(tr, "supervisor.col.contained"), COUNT),
            Column(_t(tr, "supervisor.col.containment"), PERCENT),
        ),
        rows=rows[:-1],
        total=rows[-1],
    )


def questions_table(found: tuple[MisunderstoodQuestion, ...], tr: Mapping[str, str]) -> Table:
    return Table(
        name="questions",
        title=_t(tr, "supervisor.questions"),
        columns=(
            Column(_t(tr, "supervisor.col.question")),
            Column(_t(tr, "supervisor.col.language")),
            Column(_t(tr, "supervisor.col.asked"), COUNT),
            Column(_t(tr, "supervisor.col.not_understood"), COUNT),
            Column(_t(tr, "supervisor.col.not_helpful"), COUNT),
            Column(_t(tr, "supervisor.col.last_asked")),
        ),
        rows=tuple(
            (
                q.text,
                ", ".join(loc.upper() for loc in q.locales),
                q.asked,
                q.not_understood,
                q.not_helpful,
                _when(q.last_asked),
            )
            for q in found
        ),
    )


def claims_table(found: ClaimsMatrix, tr: Mapping[str, str], locale: str) -> Table:
    return Table(
        name="claims",
        title=_t(tr, "supervisor.claims"),
        columns=(
            Column(_t(tr, "supervisor.col.claim_type")),
            *(Column(status_label(s, locale), COUNT) for s in found.statuses),
            Column(_t(tr, "supervisor.total"), COUNT),
        ),
        rows=tuple(
            (claim_type_label(t, locale), *row, sum(row))
            for t, row in zip(found.types, found.counts, strict=True)
        ),
        total=(_t(tr, "supervisor.total"), *found.by_status(), found.total),
    )


def meetings_table(found: Meetings, tr: Mapping[str, str]) -> Table:
    rows = tuple(
        (_day(x.day, tr), *(getattr(x, s) for s in MEETING_STATUSES), x.requested)
        for x in (*found.days, found.total)
    )
    return Table(
        name="meetings",
        title=_t(tr, "supervisor.meetings"),
        columns=(
            Column(_t(tr, "supervisor.col.day")),
            *(Column(_t(tr, f"supervisor.meeting.{s}"), COUNT) for s in MEETING_STATUSES),
            Column(_t(tr, "supervisor.col.requested"), COUNT),
        ),
        rows=rows[:-1],
        total=rows[-1],
    )


def period_tables(report: PeriodReport, *, tr: Mapping[str, str], locale: str) -> dict[str, Table]:
    tables = (
        volume_table(report.volume, tr),
        times_table(report.times, tr),
        ratings_table(report.ratings, tr),
        containment_table(report.containment, tr),
        questions_table(report.questions, tr),
        claims_table(report.claims, tr, locale),
        meetings_table(report.meetings, tr),
    )
    return {t.name: t for t in tables}


def _minutes(value: int | None) -> float:
    return round((value or 0) / 60, 1)


def period_charts(
    report: PeriodReport, *, tr: Mapping[str, str], locale: str
) -> dict[str, list[ChartSeries]]:
    """Chart series per table name (a table may have two charts, or none)."""
    days = tuple(d.day.isoformat() for d in report.times.days if d.day is not None)
    p50, p90 = _t(tr, "supervisor.p50"), _t(tr, "supervisor.p90")
    minutes = _t(tr, "supervisor.unit.minutes")
    volume, claims = report.volume, report.claims
    return {
        "volume": [
            ChartSeries(
                "volume",
                _t(tr, "supervisor.volume"),
                tuple(f"{h:02d}" for h in range(24)),
                tuple(_channel(c, tr) for c in volume.channels),
                tuple(tuple(float(n) for n in row) for row in volume.counts),
                stacked=True,
            )
        ],
        "times": [
            ChartSeries(
                "wait",
                _t(tr, "supervisor.wait_chart"),
                days,
                (p50, p90),
                tuple((_minutes(x.wait_p50), _minutes(x.wait_p90)) for x in report.times.days),
                unit=minutes,
            ),
            ChartSeries(
                "handle",
                _t(tr, "supervisor.handle_chart"),
                days,
                (p50, p90),
                tuple((_minutes(x.handle_p50), _minutes(x.handle_p90)) for x in report.times.days),
                unit=minutes,
            ),
        ],
        "ratings": [
            ChartSeries(
                "ratings",
                _t(tr, "supervisor.ratings"),
                tuple(str(s) for s in STARS),
                (_t(tr, "supervisor.col.chats"),),
                tuple((float(n),) for n in report.ratings.counts),
            )
        ],
        "containment": [
            ChartSeries(
                "containment",
                _t(tr, "supervisor.containment"),
                tuple(d.day.isoformat() for d in report.containment.days if d.day is not None),
                (_t(tr, "supervisor.col.contained"), _t(tr, "supervisor.col.handed_over")),
                tuple((float(d.contained), float(d.handed_over)) for d in report.containment.days),
                stacked=True,
            )
        ],
        "questions": [],
        "claims": [
            ChartSeries(
                "claims",
                _t(tr, "supervisor.claims"),
                tuple(claim_type_label(t, locale) for t in claims.types),
                tuple(status_label(s, locale) for s in claims.statuses),
                tuple(tuple(float(n) for n in row) for row in claims.counts),
                stacked=True,
            )
        ],
        "meetings": [
            ChartSeries(
                "meetings",
                _t(tr, "supervisor.meetings"),
                tuple(d.day.isoformat() for d in report.meetings.days if d.day is not None),
                (_t(tr, "supervisor.meeting.booked"), _t(tr, "supervisor.meeting.cancelled")),
                tuple((float(d.booked), float(d.cancelled)) for d in report.meetings.days),
            )
        ],
    }


# --- key figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


def live_summary(live: LiveFigures, *, tr: Mapping[str, str]) -> tuple[Figure, ...]:
    return (
        Figure(_t(tr, "supervisor.fig.waiting"), str(live.waiting)),
        Figure(
            _t(tr, "supervisor.fig.longest_wait"),
            display_cell(live.longest_wait, SECONDS, ""),
        ),
        Figure(_t(tr, "supervisor.fig.active_chats"), str(live.active_chats)),
        *(
            Figure(_t(tr, f"supervisor.fig.{presence}"), str(count))
            for presence, count in live.presence
        ),
    )


def period_summary(
    report: PeriodReport, *, tr: Mapping[str, str], locale: str
) -> tuple[Figure, ...]:
    rate = report.containment.total.rate
    average = report.ratings.average
    return (
        Figure(_t(tr, "supervisor.fig.conversations"), str(report.volume.total)),
        Figure(_t(tr, "supervisor.fig.chats"), str(report.times.total.requested)),
        Figure(
            _t(tr, "supervisor.fig.wait_p50"),
            display_cell(report.times.total.wait_p50, SECONDS, locale),
        ),
        Figure(
            _t(tr, "supervisor.fig.rating"),
            display_cell(None if average is None else average, AVERAGE, locale),
        ),
        Figure(
            _t(tr, "supervisor.fig.containment"),
            display_cell(None if rate is None else round(rate, 1), PERCENT, locale),
        ),
        Figure(_t(tr, "supervisor.fig.claims"), str(report.claims.total)),
        Figure(_t(tr, "supervisor.fig.meetings"), str(report.meetings.total.booked)),
    )


def ratings_note(found: Ratings, *, tr: Mapping[str, str], locale: str) -> str:
    average = found.average
    return t(
        locale,
        "supervisor.rated",
        ratings=t(locale, "supervisor.rating_count", rated=found.rated),
        chats=t(locale, "supervisor.finished_chats", closed=found.answered_closed),
        average="—" if average is None else decimal(average, locale, 2),
    )
