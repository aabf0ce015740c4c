"""The "My data" view."""

from __future__ import annotations

import reflex as rx

from chat_widget.ui.privacy_state import PrivacyState

P = PrivacyState


def privacy_body() -> rx.Component:
    return rx.el.div(
        rx.el.h2(P.device_title, class_name="cw-h2"),
        rx.el.p(P.device_text, class_name="cw-text"),
        rx.el.p(
            rx.cond(
                P.device_allowed, P.tr["privacy.device_saved_yes"], P.tr["privacy.device_saved_no"]
            ),
            role="status",
            class_name="cw-small",
        ),
        rx.el.div(
            rx.el.button(
                P.device_accept, type="button", on_click=P.decide_device(True), class_name="cw-chip"
            ),
            rx.el.button(
                P.device_decline,
                type="button",
                on_click=P.decide_device(False),
                class_name="cw-chip",
            ),
            class_name="cw-actions",
        ),
        rx.el.h2(P.tr["privacy.rights_title"], class_name="cw-h2"),
        rx.cond(
            P.identified,
            rx.el.div(
                rx.el.div(
                    rx.el.button(
                        P.tr["privacy.export"],
                        type="button",
                        on_click=P.download_data,
                        class_name="cw-chip",
                    ),
                    rx.el.button(
                        P.tr["privacy.erase"],
                        type="button",
                        on_click=P.ask_erase(True),
                        class_name="cw-chip",
                    ),
                    class_name="cw-actions",
                ),
                rx.cond(
                    P.confirming,
                    rx.el.div(
                        rx.el.p(P.tr["privacy.erase_confirm"], class_name="cw-text"),
                        rx.el.div(
                            rx.el.button(
                                P.tr["privacy.erase_yes"],
                                type="button",
                                on_click=P.erase,
                                class_name="cw-send",
                            ),
                            rx.el.button(
                                P.tr["privacy.erase_no"],
                                type="button",
                                on_click=P.ask_erase(False),
                                class_name="cw-chip",
                            ),
                            class_name="cw-actions",
                        ),
                        role="alertdialog",
                        aria_label=P.tr["privacy.erase"],
                        class_name="cw-card",
                    ),
                ),
            ),
            rx.el.p(P.tr["privacy.sign_in_needed"], class_name="cw-text"),
        ),
        rx.cond(
            P.statement.length() > 0,  # type: ignore[attr-defined]
            rx.el.div(
                rx.el.p(P.tr["privacy.erased"], class_name="cw-text"),
                rx.el.ul(
                    rx.foreach(
                        P.statement,
                        lambda line: rx.el.li(
                            rx.el.strong(line.title), " — ", line.text, class_name="cw-text"
                        ),
                    ),
                    class_name="cw-statement",
                ),
                role="status",
            ),
        ),
        class_name="cw-privacy",
    )
