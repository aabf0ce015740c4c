"""A channel view's frame: focusable heading, the channel's body, and the other channels.

Every channel view ends with the other ways to get help, so no view is a dead end (closed
live chat, declined video consent, an outage…).
"""

from __future__ import annotations

import reflex as rx

from chat_widget.ui.widget_state import WidgetState

S = WidgetState

CHANNEL_TITLES = {
    "assistant": "channel.assistant.title",
    "live_chat": "channel.live_chat.title",
    "claim": "channel.claim.title",
    "video": "channel.video.title",
}

VIEW_TITLES = {**CHANNEL_TITLES, "privacy": "privacy.title"}


def other_channels(current: str) -> rx.Component:
    return rx.el.nav(
        rx.el.h2(S.tr["channel.other_channels"], class_name="cw-h2"),
        rx.el.ul(
            *[
                rx.el.li(
                    rx.el.button(
                        S.tr[key],
                        type="button",
                        on_click=S.open_view(view),
                        class_name="cw-link-btn",
                    )
                )
                for view, key in CHANNEL_TITLES.items()
                if view != current
            ],
            class_name="cw-other",
        ),
        aria_label=S.tr["channel.other_channels"],
    )


def channel_view(view: str, body: rx.Component, *, others: bool = True) -> rx.Component:
    return rx.el.section(
        rx.el.h1(S.tr[VIEW_TITLES[view]], id="cw-view-heading", tab_index=-1, class_name="cw-h1"),
        body,
        other_channels(view) if others else rx.fragment(),
        aria_labelledby="cw-view-heading",
        class_name="cw-view" if others else "cw-view cw-view--chat",
    )
