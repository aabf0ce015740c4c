"""The customer pane's lines in the agent's language (claims and meetings keep their own
labels: the claims catalog and the meetings catalog)."""

from __future__ import annotations

from chat_widget.claims.console import type_label
from chat_widget.claims.i18n import status_label
from chat_widget.i18n import format_when, t
from chat_widget.live_chat.customer_pane import CustomerOverview
from chat_widget.meetings.topics import UnknownTopic, get_topic

#: (id, text, label): the line and its date
Line = tuple[str, str, str]


def _topic(key: str, locale: str) -> str:
    try:
        return get_topic(key).label(locale)
    except UnknownTopic:
        return key


def pane_rows(overview: CustomerOverview, locale: str) -> tuple[bool, list[Line], list[Line]]:
    """Plain tuples: this module stays below the state module (no import cycle)."""
    claims = [
        (
            c.reference,
            f"{c.reference} · {type_label(c.type, locale)} · {status_label(c.status, locale)}",
            format_when(c.at, locale),
        )
        for c in overview.claims
    ]
    meetings = [
        (
            f"m{i}",
            f"{_topic(m.topic, locale)} · {t(locale, f'meetings.status.{m.status}')}",
            format_when(m.start_utc, locale),
        )
        for i, m in enumerate(overview.meetings)
    ]
    return overview.identified, claims, meetings
