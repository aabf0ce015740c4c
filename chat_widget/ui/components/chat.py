"""Chat building blocks shared by the assistant and live chat: log, composer, quick replies.

Message text is always rendered as text (React escapes it); line breaks are kept by CSS.
The log is a ``div role=log`` around a list, so screen readers announce new messages politely.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from chat_widget.ui.widget_state import WidgetState

S = WidgetState


def author_label(item: Any) -> rx.Component:
    return rx.el.span(
        rx.match(
            item.author,
            ("customer", S.tr["chat.you"]),
            ("assistant", S.tr["chat.assistant"]),
            ("agent", S.tr["chat.agent"]),
            S.tr["chat.system"],
        ),
        ": ",
        class_name="cw-visually-hidden",
    )


def file_chip(item: Any, tr: Any = None) -> rx.Component:
    """A file in the conversation: its name and size as a link (text only, never HTML)."""
    words = tr if tr is not None else S.tr
    return rx.el.p(
        rx.el.a(
            rx.el.span(words["chat.attachment"], ": ", class_name="cw-visually-hidden"),
            rx.el.span("📎 ", aria_hidden="true"),
            rx.el.span(item.file_name, class_name="cw-file-name"),
            rx.el.span(" (", item.file_size, ")", class_name="cw-file-size"),
            rx.el.span(" ", words["chat.opens_new_tab"], class_name="cw-visually-hidden"),
            href=item.file_url,
            target="_blank",
            rel="noopener noreferrer",
            class_name="cw-link cw-file-chip",
        ),
        class_name="cw-msg-text",
    )


def message_bubble(
    item: Any,
    *,
    extra: Callable[[Any], rx.Component] | None = None,
) -> rx.Component:
    return rx.el.li(
        rx.cond(item.notice != "", rx.el.p(item.notice, class_name="cw-ai-notice")),
        rx.el.div(
            author_label(item),
            rx.cond(
                item.author == "assistant",
                rx.el.span(item.label, class_name="cw-msg-label", aria_hidden="true"),
            ),
            rx.cond(
                item.file_id != "",
                file_chip(item),
                rx.el.p(item.text, class_name="cw-msg-text"),
            ),
            rx.el.span(item.time, class_name="cw-msg-time"),
            class_name="cw-msg-bubble",
        ),
        extra(item) if extra else rx.fragment(),
        # An answer in another language than the widget's says so (WCAG 3.1.2).
        lang=rx.cond(item.lang != "", item.lang, S.locale),
        data_msg=item.id,
        class_name=rx.match(
            item.author,
            ("customer", "cw-msg cw-msg--customer"),
            ("system", "cw-msg cw-msg--system"),
            "cw-msg cw-msg--other",
        ),
        key=item.id,
    )


def message_log(
    parts: Sequence[Any],
    *,
    extra: Callable[[Any], rx.Component] | None = None,
    intro: rx.Component | None = None,
) -> rx.Component:
    return rx.el.div(
        intro or rx.fragment(),
        rx.el.ul(
            # One list, rendered from the transcript's parts (ui/transcript_parts.py).
            *[rx.foreach(part, lambda item: message_bubble(item, extra=extra)) for part in parts],
            class_name="cw-msgs",
        ),
        role="log",
        aria_live="polite",
        aria_label=S.tr["chat.log_label"],
        tab_index=0,
        class_name="cw-log",
    )


def quick_replies(
    replies: Any,
    on_pick: Callable[[Any], Any],
    label_key: str = "chat.quick_replies",
) -> rx.Component:
    return rx.el.div(
        rx.foreach(
            replies,
            lambda q: rx.el.button(
                q.label, type="button", on_click=on_pick(q), class_name="cw-chip"
            ),
        ),
        role="group",
        aria_label=S.tr[label_key],
        class_name="cw-chips",
    )


def typing_indicator(visible: Any, text_key: str) -> rx.Component:
    return rx.el.p(
        rx.cond(visible, S.tr[text_key], ""),
        role="status",
        class_name=rx.cond(visible, "cw-typing", "cw-typing cw-typing--idle"),
    )


def guard_alert() -> rx.Component:
    return rx.el.div(
        rx.cond(S.guard_text != "", rx.el.p(S.guard_text, class_name="cw-guard")),
        role="alert",
    )


def composer(
    on_submit: Any, *, disabled: Any = False, on_typing: Any = None, outbox: str = ""
) -> rx.Component:
    typing = {"on_key_down": on_typing} if on_typing is not None else {}
    # With an outbox, a send while the connection is down waits in the browser (pending
    # bubble) and goes out once the conversation is resumed (assets/widget-bridge.js).
    queue = {"data_cw_outbox": outbox} if outbox else {}
    return rx.el.form(
        rx.el.label(
            S.tr["chat.input_label"], html_for="cw-composer", class_name="cw-visually-hidden"
        ),
        rx.el.textarea(
            name="message",
            id="cw-composer",
            rows=2,
            max_length=2000,
            placeholder=S.tr["chat.input_label"],
            aria_describedby="cw-composer-hint",
            data_cw_composer="1",
            auto_complete="off",
            class_name="cw-input",
            **typing,
        ),
        rx.el.input(type="hidden", name="client_msg_id", value=""),
        rx.el.button(S.tr["chat.send"], type="submit", class_name="cw-send", disabled=disabled),
        rx.el.p(S.tr["chat.input_hint"], id="cw-composer-hint", class_name="cw-visually-hidden"),
        on_submit=on_submit,
        reset_on_submit=True,
        data_cw_guard="1",
        class_name="cw-composer",
        **queue,
    )
