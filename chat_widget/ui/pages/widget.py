"""/widget: the page inside the iframe (and the full page in app webviews, ?mode=app)."""

from __future__ import annotations

import reflex as rx

from chat_widget.ui.components.assistant import assistant_body
from chat_widget.ui.components.channel import channel_view
from chat_widget.ui.components.claim import claim_body
from chat_widget.ui.components.home import home_view
from chat_widget.ui.components.live_chat import live_chat_body
from chat_widget.ui.components.privacy import privacy_body
from chat_widget.ui.components.shell import footer, header, notices, reminder
from chat_widget.ui.components.video import video_body
from chat_widget.ui.connection import status_region
from chat_widget.ui.widget_state import WidgetState

S = WidgetState


def widget_page() -> rx.Component:
    return rx.el.div(
        header(),
        rx.el.main(
            status_region(S.tr),
            notices(),
            rx.match(
                S.view,
                ("assistant", channel_view("assistant", assistant_body(), others=False)),
                ("live_chat", channel_view("live_chat", live_chat_body(), others=False)),
                ("claim", channel_view("claim", claim_body())),
                ("video", channel_view("video", video_body())),
                ("privacy", channel_view("privacy", privacy_body())),
                home_view(),
            ),
            class_name="cw-main",
        ),
        footer(reminder()),
        class_name=rx.cond(S.mode == "app", "cw-app cw-app--full", "cw-app"),
        lang=S.locale,
        data_booted=rx.cond(S.booted, "true", "false"),
    )
