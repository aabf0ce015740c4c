"""Home view: the four ways to get help, with live-chat opening status."""

from __future__ import annotations

import reflex as rx

from chat_widget.ui.widget_state import WidgetState

S = WidgetState
OPEN = "cw-dot cw-dot--open"
CLOSED = "cw-dot cw-dot--closed"


def _channel(view: str, title_key: str, status: rx.Var | str, dot: rx.Var | str) -> rx.Component:
    return rx.el.li(
        rx.el.button(
            rx.el.span(S.tr[title_key], class_name="cw-channel-title"),
            rx.el.span(
                rx.el.span(class_name=dot, aria_hidden="true"),
                status,
                class_name="cw-channel-status",
            ),
            type="button",
            on_click=S.open_view(view),
            class_name="cw-channel",
            id=f"cw-channel-{view}",
        )
    )


def home_view() -> rx.Component:
    return rx.el.section(
        rx.el.h1(S.greeting, id="cw-view-heading", tab_index=-1, class_name="cw-h1"),
        rx.cond(
            S.brand_team.length() > 0,  # type: ignore[attr-defined]
            rx.el.div(
                rx.el.ul(
                    rx.foreach(
                        S.brand_team,
                        lambda m: rx.el.li(
                            rx.el.img(src=m["photo"], alt=m["name"], class_name="cw-avatar")
                        ),
                    ),
                    class_name="cw-team-faces",
                ),
                rx.el.p(S.tr["widget.team"], class_name="cw-small"),
                class_name="cw-team",
            ),
        ),
        rx.el.h2(S.tr["widget.channels"], class_name="cw-visually-hidden"),
        rx.el.ul(
            _channel("assistant", "channel.assistant.title", S.tr["channel.assistant.desc"], OPEN),
            _channel(
                "live_chat",
                "channel.live_chat.title",
                S.live_status,
                rx.cond(S.live_open, OPEN, CLOSED),
            ),
            _channel("claim", "channel.claim.title", S.tr["channel.claim.desc"], OPEN),
            _channel("video", "channel.video.title", S.tr["channel.video.desc"], OPEN),
            class_name="cw-channels",
        ),
        aria_labelledby="cw-view-heading",
        class_name="cw-view",
    )
