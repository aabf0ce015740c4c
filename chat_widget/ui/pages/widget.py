"""/widget: the page inside the iframe (and the full page in app webviews, ?mode=app)."""

from __future__ import annotations

import reflex as rx

from chat_widget.ui.components.assistant import assistant_body
from chat_widget.ui.components.channel import channel_view
from chat_widget.ui.components.home import home_view
from chat_widget.ui.components.lazy_view import lazy_view, prefetch_views
from chat_widget.ui.components.privacy import privacy_body
from chat_widget.ui.components.shell import footer, header, notices, reminder
from chat_widget.ui.connection import status_region
from chat_widget.ui.widget_state import WidgetState

S = WidgetState


def widget_page() -> rx.Component:
    return rx.el.div(
        rx.el.style(S.brand_css),
        header(),
        rx.el.main(
            status_region(S.tr),
            notices(),
            rx.match(
                S.view,
                ("assistant", channel_view("assistant", assistant_body(), others=False)),
                # Loaded on demand: the first open downloads only home, assistant and privacy.
                ("live_chat", lazy_view("live_chat")),
                ("claim", lazy_view("claim")),
                ("video", lazy_view("video")),
                ("privacy", channel_view("privacy", privacy_body())),
                home_view(),
            ),
            class_name="cw-main",
        ),
        footer(reminder()),
        prefetch_views(),
        class_name=rx.cond(S.mode == "app", "cw-app cw-app--full", "cw-app"),
        lang=S.locale,
        data_booted=rx.cond(S.booted, "true", "false"),
    )
