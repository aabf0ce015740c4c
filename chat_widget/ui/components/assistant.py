"""The digital assistant view: intro, log with quick replies and feedback, composer."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget.ui.assistant_state import AssistantState
from chat_widget.ui.components.chat import (
    composer,
    guard_alert,
    message_log,
    quick_replies,
    typing_indicator,
)
from chat_widget.ui.connection import pending_list
from chat_widget.ui.transcript_state import transcript_vars

A = AssistantState


def _after_message(item: Any) -> rx.Component:
    """Suggestions, actions and feedback belong to the newest assistant answer only."""
    return rx.cond(
        (item.seq == A.last_seq) & (item.author == "assistant") & ~A.typing,
        rx.el.div(
            rx.cond(
                item.switch_payload != "",
                # The offer to follow the customer's language: a labelled group with one
                # button whose text is in that language (and says so with lang).
                rx.el.div(
                    rx.el.button(
                        item.switch_label,
                        type="button",
                        lang=item.switch_lang,
                        on_click=A.take_action(item.switch_payload),
                        class_name="cw-chip",
                        id="cw-switch-locale",
                    ),
                    role="group",
                    aria_label=A.tr["assistant.switch_label"],
                    class_name="cw-switch",
                ),
            ),
            quick_replies(item.actions, lambda a: A.take_action(a.payload), "chat.actions"),
            quick_replies(item.quick_replies, lambda q: A.quick_reply(q.payload)),
            rx.cond(
                item.ask_feedback,
                rx.el.div(
                    rx.el.span(A.tr["assistant.helpful"], class_name="cw-feedback-q"),
                    rx.el.button(
                        A.tr["assistant.helpful_yes"],
                        type="button",
                        on_click=A.feedback(True),
                        class_name="cw-chip",
                    ),
                    rx.el.button(
                        A.tr["assistant.helpful_no"],
                        type="button",
                        on_click=A.feedback(False),
                        class_name="cw-chip",
                    ),
                    role="group",
                    aria_label=A.tr["assistant.helpful"],
                    class_name="cw-feedback",
                ),
            ),
            class_name="cw-after",
        ),
    )


def assistant_body() -> rx.Component:
    return rx.el.div(
        message_log(
            transcript_vars(A),
            extra=_after_message,
            intro=rx.el.div(
                rx.el.p(A.tr["assistant.intro"], class_name="cw-text"),
                rx.el.p(A.tr["assistant.recorded"], class_name="cw-small"),
                class_name="cw-intro",
            ),
        ),
        pending_list(A.tr, "assistant"),
        typing_indicator(A.typing, "chat.typing"),
        guard_alert(),
        rx.el.div(
            rx.cond(
                A.error_text != "",
                rx.el.p(
                    A.error_text,
                    rx.el.button(
                        A.tr["chat.retry"], type="button", on_click=A.retry, class_name="cw-chip"
                    ),
                    class_name="cw-notice",
                ),
            ),
            role="alert",
        ),
        composer(A.send, disabled=A.typing, outbox="assistant"),
        class_name="cw-chat",
    )
