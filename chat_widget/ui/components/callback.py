"""The callback request in the live chat view: the bank's phone number, the message form and
the request's status. Shown when live chat is closed, and while waiting when the queue is long.

The form is uncontrolled and read on submit (never reset on a refusal: nothing typed is lost);
every text is rendered as text.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget.ui.callback_state import CallbackState
from chat_widget.ui.components.chat import guard_alert

CB = CallbackState
ERROR_ID = "cw-cb-error"


def call_us() -> rx.Component:
    return rx.el.p(
        CB.tr["callback.call_us"],
        " ",
        rx.el.a(CB.bank_phone, href=CB.bank_phone_href, class_name="cw-tel"),
        class_name="cw-text",
        id="cw-call-us",
    )


def _kind_radio(kind: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="contact_kind",
            value=kind,
            default_checked=kind == "phone",
            on_change=CB.set_kind(kind),
        ),
        " ",
        CB.tr[f"callback.kind.{kind}"],
        class_name="cw-radio",
    )


def _invalid(field: str) -> rx.Var:
    return rx.cond(CB.cb_error_field == field, "true", "false")  # type: ignore[return-value]


def _form() -> rx.Component:
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(CB.tr["callback.how"]),
            _kind_radio("phone"),
            _kind_radio("email"),
            class_name="cw-fieldset",
        ),
        rx.el.label(
            rx.cond(
                CB.cb_kind == "email", CB.tr["callback.email_label"], CB.tr["callback.phone_label"]
            ),
            html_for="cw-cb-contact",
            class_name="cw-label",
        ),
        rx.el.input(
            id="cw-cb-contact",
            name="contact",
            type=rx.cond(CB.cb_kind == "email", "email", "tel"),
            auto_complete=rx.cond(CB.cb_kind == "email", "email", "tel"),
            max_length=254,
            aria_required="true",
            aria_invalid=_invalid("contact"),
            aria_describedby=ERROR_ID,
            class_name="cw-input cw-cb-input",
        ),
        rx.el.label(
            CB.tr["callback.message_label"], html_for="cw-cb-message", class_name="cw-label"
        ),
        rx.el.textarea(
            id="cw-cb-message",
            name="message",
            rows=3,
            max_length=2000,
            auto_complete="off",
            aria_required="true",
            aria_invalid=_invalid("message"),
            aria_describedby=ERROR_ID,
            class_name="cw-input cw-cb-input",
        ),
        rx.el.div(
            rx.cond(CB.cb_error != "", rx.el.p(CB.cb_error, class_name="cw-notice")),
            id=ERROR_ID,
            role="alert",
        ),
        # A PIN or code in the message: refused in the browser (never sent) or by the server.
        guard_alert(),
        rx.el.button(CB.tr["callback.send"], type="submit", class_name="cw-send"),
        on_submit=CB.submit,
        reset_on_submit=False,
        data_cw_guard="1",
        # An empty message must be explained (callback.error.message_required), not ignored.
        data_cw_required="1",
        no_validate=True,
        class_name="cw-callback-form",
    )


def _step(step: Any) -> rx.Component:
    return rx.el.li(
        step[0],
        aria_current=rx.cond(step[1] != "", "step", "false"),
        class_name="cw-cb-step",
    )


def _status() -> rx.Component:
    return rx.el.div(
        rx.el.h3(CB.tr["callback.status_title"], class_name="cw-h3"),
        rx.el.ol(rx.foreach(CB.cb_steps, _step), class_name="cw-cb-steps"),
        rx.el.p(CB.cb_status_text, class_name="cw-text", id="cw-cb-status", tab_index=-1),
        rx.cond(
            CB.cb_status == "done",
            rx.el.button(
                CB.tr["callback.new"], type="button", on_click=CB.start_new, class_name="cw-chip"
            ),
        ),
        role="status",
        class_name="cw-cb-status",
    )


def callback_panel() -> rx.Component:
    """The whole callback block: status of the latest request, and the form when none is open."""
    return rx.el.section(
        rx.el.h2(CB.tr["callback.title"], class_name="cw-h2", id="cw-cb-title"),
        rx.cond(CB.cb_status != "", _status()),
        rx.cond(
            CB.cb_show_form,
            rx.fragment(rx.el.p(CB.tr["callback.intro"], class_name="cw-text"), _form()),
        ),
        aria_labelledby="cw-cb-title",
        class_name="cw-callback",
        on_mount=CB.load,
    )


def long_queue_offer() -> rx.Component:
    """While waiting: a callback instead, offered only when the wait is long."""
    return rx.el.div(
        rx.cond(
            CB.cb_offer,
            rx.el.div(
                rx.el.p(CB.tr["callback.offer"], class_name="cw-text"),
                callback_panel(),
            ),
        ),
        on_mount=CB.check_queue,
        id="cw-cb-offer",
    )
