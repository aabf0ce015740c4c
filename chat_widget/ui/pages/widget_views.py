"""The channel views the widget loads on demand (see ui/components/lazy_view.py).

Each is compiled as its own route so it lands in its own module; the widget page imports that
module only when the view is shown (or prefetched on idle). Opened directly, such a route
shows nothing useful: it has no boot and the customer is not known to it.
"""

from __future__ import annotations

import reflex as rx

from chat_widget.ui.components.channel import channel_view
from chat_widget.ui.components.claim import claim_body
from chat_widget.ui.components.live_chat import live_chat_body
from chat_widget.ui.components.video import video_body


def live_chat_view() -> rx.Component:
    return channel_view("live_chat", live_chat_body(), others=False)


def claim_view() -> rx.Component:
    return channel_view("claim", claim_body())


def video_view() -> rx.Component:
    return channel_view("video", video_body())


VIEW_PAGES = {"live_chat": live_chat_view, "claim": claim_view, "video": video_view}
