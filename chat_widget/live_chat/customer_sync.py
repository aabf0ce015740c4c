"""The decisions of the customer's live chat listener: what a wake-up reads, how long it
sleeps, which queue lines and unread count the view shows.

The loop itself (``ui.live_chat_listen``) only waits on the bus, reads what these rules ask
for and applies it; the rules are here, plain and unit tested with pinned times.
"""

from __future__ import annotations

from collections.abc import Hashable

from chat_widget.live_chat.bus import RESYNC
from chat_widget.live_chat.queue import QueueInfo
from chat_widget.live_chat.realtime import QUEUE, TYPING_TTL
from chat_widget.live_chat.texts import text

PHASES_BY_STATUS = {
    "waiting": "waiting",
    "active": "active",
    "closed": "ended",
    "abandoned": "ended",
}

#: A listener re-reads its whole view this rarely when nothing woke it: only a safety net for
#: a lost notification (a backend reconnect re-reads at once anyway).
RESYNC_SECONDS = 300.0
#: While the chat waits in the queue the expected wait moves with time too.
QUEUE_REFRESH_SECONDS = 30.0
#: Queue wake-ups (each request, accept, leave …) re-read the place at most this often.
QUEUE_MIN_SECONDS = 1.0
#: An idle listener looks this often whether its client is still connected (no database).
LIVENESS_SECONDS = 15.0


def moved_for_customer(version: Hashable | None, last_seq: int, phase: str, read: int) -> bool:
    """Did another process change what the customer sees (not only their own sends)?"""
    if not isinstance(version, tuple):
        return True
    seq, status, agent_read = version[0], version[1], version[2]
    return seq > last_seq or PHASES_BY_STATUS.get(status, phase) != phase or agent_read != read


def reads_view(
    dirty: set[str], cid: str, now: float, last_read: float, last_queue: float, waiting: bool
) -> bool:
    """Does this wake-up re-read the whole view: news in the chat, a resync (asked or due), or
    while waiting a queue move (at most every QUEUE_MIN_SECONDS) or the queue refresh?"""
    return (cid in dirty or RESYNC in dirty or now - last_read >= RESYNC_SECONDS) or (
        waiting
        and (
            (QUEUE in dirty and now - last_queue >= QUEUE_MIN_SECONDS)
            or now - last_queue >= QUEUE_REFRESH_SECONDS
        )
    )


def sleep_for(now: float, last_read: float, waiting: bool, typing: bool = False) -> float:
    """Until the next liveness look, queue refresh, resync or (while the agent is shown
    typing) the indicator's expiry, whichever is first."""
    due = RESYNC_SECONDS - (now - last_read)
    if waiting:
        due = min(due, QUEUE_REFRESH_SECONDS - (now - last_read))
    if typing:
        due = min(due, TYPING_TTL / 2)
    return max(0.05, min(due, LIVENESS_SECONDS))


def queue_lines(info: QueueInfo | None, locale: str) -> list[str]:
    """The place in the queue and the expected wait, in the customer's language."""
    if info is None or info.position is None:
        return []
    lines = [text("queue.position", locale, position=info.position)]
    if info.expected_wait is None:
        lines.append(text("queue.no_agent", locale))
    elif info.expected_wait.total_seconds() < 60:
        lines.append(text("queue.expected_soon", locale))
    else:
        minutes = max(1, round(info.expected_wait.total_seconds() / 60))
        lines.append(text("queue.expected_wait", locale, minutes=minutes))
    return lines


def unread_after(unread: int, incoming: int, visible: bool) -> int | None:
    """The unread count to post to the host page, or None when it need not be posted:
    messages that arrived while the widget was closed add up; opening it clears them."""
    if not visible and incoming:
        return unread + incoming
    if visible and unread:
        return 0
    return None
