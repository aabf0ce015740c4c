"""The browser side of a dropped connection, driven from the server: the banner and the outbox.

While the socket is down nothing can reach the server, so the connection banner, the pending
bubbles and the composer drafts live in ``assets/widget-bridge.js``. The server tells it two
things once a view has rebuilt its state (``live_chat.resume``): the state answers again
("back online"), and a conversation is ready to take what was typed offline. Texts are the
view's catalog strings, rendered into data attributes, so the browser needs no translations.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from reflex_base.utils.format import format_queue_events

BRIDGE = "window.ContactWidgetBridge"


def resumed() -> EventSpec:
    """The state answers again: the banner turns from "reconnecting…" to "back online"."""
    return rx.call_script(f"{BRIDGE} && {BRIDGE}.resumed()")


def outbox_ready(kind: str, handler: Any) -> EventSpec:
    """The ``kind`` conversation is resumed: the browser sends its outbox to ``handler``
    (an event handler taking the outbox as one JSON string)."""
    callback = str(format_queue_events(handler, args_spec=lambda m: [m]))
    return rx.call_script(f"{BRIDGE} && {BRIDGE}.outboxReady({json.dumps(kind)}, {callback})")


def outbox_result(outcomes: dict[str, str]) -> EventSpec:
    """Per message id "sent" or "failed": the browser drops the first and offers a retry for
    the second (its text stays on screen)."""
    return rx.call_script(f"{BRIDGE} && {BRIDGE}.outboxResult({json.dumps(json.dumps(outcomes))})")


def status_region(tr: Any) -> rx.Component:
    """The connection banner: a polite status region the bridge fills with the current
    catalog's "reconnecting…" or "back online" (empty, and invisible, while all is well)."""
    return rx.el.div(
        id="cw-conn",
        role="status",
        data_cw_conn="1",
        data_reconnecting=tr["conn.reconnecting"],
        data_online=tr["conn.online"],
        class_name="cw-conn",
    )


def pending_list(tr: Any, kind: str) -> rx.Component:
    """Where the bridge shows the messages waiting in its outbox (as text, never markup)."""
    return rx.el.ul(
        data_cw_outbox_list=kind,
        data_pending=tr["conn.pending"],
        data_failed=tr["conn.failed"],
        data_retry=tr["conn.retry"],
        class_name="cw-msgs cw-outbox",
    )
