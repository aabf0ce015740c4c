"""The customer's live chat view: closed hours, topic choice, queue, conversation, end screen."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget import routes
from chat_widget.ui.callback_state import CallbackState
from chat_widget.ui.components.callback import call_us, callback_panel, long_queue_offer
from chat_widget.ui.components.channel import other_channels
from chat_widget.ui.components.chat import composer, guard_alert, message_log, typing_indicator
from chat_widget.ui.components.dropzone import UploadProgress, dropzone
from chat_widget.ui.connection import pending_list
from chat_widget.ui.live_chat_state import ATTACH_UPLOAD_ID, LiveChatState
from chat_widget.ui.transcript_state import transcript_vars

L = LiveChatState


def _closed() -> rx.Component:
    return rx.el.div(
        rx.el.h2(L.tr["live.closed_title"], class_name="cw-h2"),
        rx.foreach(L.closed_lines, lambda line: rx.el.p(line, class_name="cw-text")),
        call_us(),
        callback_panel(),
        other_channels("live_chat"),
        class_name="cw-live-closed",
        id="cw-live-closed",
    )


def _intro() -> rx.Component:
    return rx.el.div(
        rx.el.form(
            rx.el.p(L.tr["live.intro"], class_name="cw-text"),
            rx.el.label(L.tr["live.topic_label"], html_for="cw-topic", class_name="cw-label"),
            rx.el.select(
                rx.el.option(L.tr["live.topic.none"], value=""),
                rx.foreach(L.topic_options, lambda o: rx.el.option(o[1], value=o[0])),
                id="cw-topic",
                name="topic",
                value=L.topic_choice,
                on_change=L.set_topic_choice,
                class_name="cw-select",
            ),
            rx.el.button(L.tr["live.start"], type="submit", class_name="cw-send"),
            on_submit=L.start,
            class_name="cw-live-intro",
        ),
        other_channels("live_chat"),
    )


def _waiting() -> rx.Component:
    return rx.el.div(
        rx.el.h2(L.tr["live.waiting"], class_name="cw-h2"),
        rx.el.div(
            rx.foreach(L.queue_lines, lambda line: rx.el.p(line, class_name="cw-text")),
            role="status",
            id="cw-queue",
        ),
        rx.el.button(
            L.tr["live.to_assistant"], type="button", on_click=L.to_assistant, class_name="cw-chip"
        ),
        long_queue_offer(),
        rx.el.form(
            rx.el.label(L.tr["live.leave_label"], html_for="cw-leave", class_name="cw-label"),
            rx.el.textarea(
                name="message",
                id="cw-leave",
                rows=2,
                max_length=2000,
                auto_complete="off",
                class_name="cw-input",
            ),
            rx.el.input(type="hidden", name="client_msg_id", value=""),
            rx.el.button(L.tr["live.leave_send"], type="submit", class_name="cw-chip"),
            on_submit=L.leave_message,
            reset_on_submit=True,
            data_cw_guard="1",
            class_name="cw-leave",
        ),
        class_name="cw-live-waiting",
    )


def _rating_button(n: int) -> rx.Component:
    return rx.el.button(
        str(n),
        type="button",
        aria_label=L.rate_labels[n - 1],
        aria_pressed=rx.cond(L.rating == n, "true", "false"),
        on_click=L.rate(n),
        class_name="cw-chip",
    )


def _ended() -> rx.Component:
    return rx.el.div(
        rx.el.p(L.tr["live.ended"], class_name="cw-text"),
        rx.el.button(
            L.tr["live.download"],
            type="button",
            on_click=L.download_transcript,
            class_name="cw-chip",
        ),
        rx.el.div(
            rx.el.p(L.tr["live.rate_q"], id="cw-rate-q", class_name="cw-text"),
            rx.el.div(
                *[_rating_button(n) for n in range(1, 6)],
                role="group",
                aria_labelledby="cw-rate-q",
                class_name="cw-chips",
            ),
            rx.el.p(L.rating_text, role="status", class_name="cw-small"),
        ),
        rx.el.button(
            L.tr["live.new_chat"], type="button", on_click=L.new_chat, class_name="cw-chip"
        ),
        class_name="cw-live-ended",
    )


def _conversation(extra: Any) -> rx.Component:
    return rx.el.div(
        message_log(transcript_vars(L)),
        pending_list(L.tr, "live"),
        rx.el.p(
            rx.cond(L.read_by_agent, L.tr["live.read"], ""),
            class_name="cw-small",
            id="cw-read",
        ),
        typing_indicator(L.agent_typing, "live.agent_typing"),
        guard_alert(),
        rx.el.div(
            rx.cond(L.error_text != "", rx.el.p(L.error_text, class_name="cw-notice")),
            role="alert",
        ),
        extra,
        class_name="cw-chat",
    )


def _attach() -> rx.Component:
    """One file at a time, by button or drag-and-drop; checked on the server, never here."""
    return rx.el.div(
        dropzone(
            upload_id=ATTACH_UPLOAD_ID,
            choose_label=L.tr["live.attach"],
            hint=L.attach_hint,
            on_files=L.attach,
            multiple=False,
            class_name="cw-dropzone cw-attach",
            disabled=L.attaching,
            on_rejected=L.attach_rejected,
            progress=UploadProgress(
                active=L.attaching,
                value=L.attach_progress,
                label=L.tr["live.attach_progress"],
                on_change=L.attach_progress_changed,
            ),
        ),
        rx.el.div(
            rx.cond(L.attach_error != "", rx.el.p(L.attach_error, class_name="cw-notice")),
            id="cw-attach-error",
            tab_index=-1,
            role="alert",
        ),
        class_name="cw-attach-area",
    )


def live_chat_body() -> rx.Component:
    return rx.fragment(
        rx.el.link(rel="stylesheet", href=routes.LIVE_STYLESHEET),
        _phase_view(),
    )


def _phase_view() -> rx.Component:
    return rx.match(
        L.phase,
        ("closed", _closed()),
        ("intro", _intro()),
        ("waiting", _conversation(_waiting())),
        (
            "active",
            _conversation(
                rx.el.div(
                    composer(
                        L.send,
                        on_typing=L.typed.throttle(1000),  # type: ignore[attr-defined]
                        outbox="live",
                    ),
                    _attach(),
                    rx.el.button(
                        L.tr["live.end"], type="button", on_click=L.end_chat, class_name="cw-chip"
                    ),
                    class_name="cw-live-active",
                )
            ),
        ),
        ("ended", _conversation(_ended())),
        (
            "left",
            rx.el.div(
                rx.el.p(L.tr["live.left_done"], role="status", class_name="cw-text"),
                rx.cond(CallbackState.cb_status != "", callback_panel()),
                rx.el.button(
                    L.tr["live.new_chat"], type="button", on_click=L.new_chat, class_name="cw-chip"
                ),
                other_channels("live_chat"),
            ),
        ),
        rx.el.p("", class_name="cw-text"),
    )
