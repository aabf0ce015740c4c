"""Supervisor reports: plain functions over a database session, no Reflex.

Live figures (:mod:`live`) are read for "now"; every other report takes keyword-only
``since``/``until`` instants (``since <= t < until``) and counts per bank hour or day
(:mod:`period`). :mod:`tables` turns a report into the tables and chart series the console
shows and the CSV route exports, so both always say the same thing.
"""

from __future__ import annotations

from chat_widget.supervision.assistant import (
    Containment,
    MisunderstoodQuestion,
    assistant_containment,
    misunderstood_questions,
)
from chat_widget.supervision.chats import (
    ChatTimes,
    HourlyVolume,
    Ratings,
    chat_times,
    conversations_per_hour,
    ratings,
)
from chat_widget.supervision.claims import ClaimsMatrix, claims_by_type_and_status
from chat_widget.supervision.live import AgentLoad, LiveFigures, QueueLine, live_figures
from chat_widget.supervision.meetings import Meetings, meetings_booked_cancelled
from chat_widget.supervision.period import (
    MAX_DAYS,
    Period,
    PeriodError,
    default_period,
    parse_period,
)
from chat_widget.supervision.report import PeriodReport, period_report

__all__ = [
    "MAX_DAYS",
    "AgentLoad",
    "ChatTimes",
    "ClaimsMatrix",
    "Containment",
    "HourlyVolume",
    "LiveFigures",
    "Meetings",
    "MisunderstoodQuestion",
    "Period",
    "PeriodError",
    "PeriodReport",
    "QueueLine",
    "Ratings",
    "assistant_containment",
    "chat_times",
    "claims_by_type_and_status",
    "conversations_per_hour",
    "default_period",
    "live_figures",
    "meetings_booked_cancelled",
    "misunderstood_questions",
    "parse_period",
    "period_report",
    "ratings",
]
