"""The customer pane's lines in the agent's language (claims and meetings keep their own
labels: the claims catalog and the meetings catalog)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_widget.claims.console import type_label
from chat_widget.claims.i18n import status_label
from chat_widget.i18n import format_when, t
from chat_widget.live_chat.customer_pane import CustomerOverview
from chat_widget.meetings.topics import UnknownTopic, get_topic

if TYPE_CHECKING:
    from chat_widget.ui.agent.state import TextRow


def _topic(key: str, locale: str) -> str:
    try:
        return get_topic(key).label(locale)
    except UnknownTopic:
        return key


def pane_rows(overview: CustomerOverview, locale: str) -> tuple[bool, list[TextRow], list[TextRow]]:
    from chat_widget.ui.agent.state import TextRow

    claims = [
        TextRow(
            id=c.reference,
            text=f"{c.reference} · {type_label(c.type, locale)} · {status_label(c.status, locale)}",
            label=format_when(c.at, locale),
        )
        for c in overview.claims
    ]
    meetings = [
        TextRow(
            id=f"m{i}",
            text=f"{_topic(m.topic, locale)} · {t(locale, f'meetings.status.{m.status}')}",
            label=format_when(m.start_utc, locale),
        )
        for i, m in enumerate(overview.meetings)
    ]
    return overview.identified, claims, meetings
