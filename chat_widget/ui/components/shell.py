"""The widget frame: header (title, language, close), persistent PIN reminder, notices."""

from __future__ import annotations

import reflex as rx

from chat_widget.i18n import LOCALES
from chat_widget.ui.widget_state import WidgetState

S = WidgetState


def language_switch() -> rx.Component:
    return rx.el.div(
        rx.el.label(S.tr["widget.language"], html_for="cw-lang", class_name="cw-visually-hidden"),
        rx.el.select(
            *[rx.el.option(S.tr[f"lang.{loc}"], value=loc, lang=loc) for loc in LOCALES],
            id="cw-lang",
            value=S.locale,
            on_change=S.set_locale,
            class_name="cw-lang",
        ),
        class_name="cw-lang-wrap",
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.cond(
            S.view != "home",
            rx.el.button(
                rx.el.span("\u2190", aria_hidden="true"),
                rx.el.span(S.tr["widget.back"], class_name="cw-visually-hidden"),
                type="button",
                on_click=S.open_view("home"),
                class_name="cw-icon-btn",
                title=S.tr["widget.back"],
            ),
        ),
        rx.el.p(
            rx.cond(S.brand_logo != "", rx.el.img(src=S.brand_logo, alt="", class_name="cw-logo")),
            rx.el.span(S.tr["widget.title"]),
            class_name="cw-brand",
        ),
        language_switch(),
        rx.cond(
            S.mode == "embed",
            rx.el.button(
                rx.el.span("\u2715", aria_hidden="true"),
                rx.el.span(S.tr["widget.close"], class_name="cw-visually-hidden"),
                type="button",
                on_click=S.request_close,
                class_name="cw-icon-btn",
                title=S.tr["widget.close"],
            ),
        ),
        class_name="cw-header",
    )


def reminder() -> rx.Component:
    """Always on screen but one line high (it took ~18% of a phone); the full text is a
    disclosure away, and a screen reader reaches both."""
    return rx.el.details(
        rx.el.summary(S.tr["widget.reminder_short"]),
        rx.el.p(S.tr["widget.reminder"], class_name="cw-reminder-full"),
        class_name="cw-reminder",
        id="cw-reminder",
    )


def notices() -> rx.Component:
    """Status messages screen readers announce politely (role=status is always present)."""
    return rx.el.div(
        rx.cond(
            S.notice != "",
            rx.el.p(
                S.notice,
                rx.el.button(
                    rx.el.span("\u2715", aria_hidden="true"),
                    rx.el.span(S.tr["widget.close"], class_name="cw-visually-hidden"),
                    type="button",
                    on_click=S.dismiss_notice,
                    class_name="cw-icon-btn cw-icon-btn--small",
                ),
                class_name="cw-notice",
            ),
        ),
        rx.cond(
            S.storage_blocked,
            rx.el.p(S.tr["widget.storage_blocked"], class_name="cw-notice cw-notice--info"),
        ),
        role="status",
        aria_live="polite",
    )


def footer(*top: rx.Component) -> rx.Component:
    return rx.el.footer(
        *top,
        rx.el.div(
            rx.cond(
                S.identified,
                rx.el.span(
                    S.tr["identity.signed_in"], class_name="cw-signed-in", id="cw-signed-in"
                ),
            ),
            rx.el.button(
                S.tr["privacy.link"],
                type="button",
                on_click=S.open_view("privacy"),
                class_name="cw-link-btn cw-footer-btn",
            ),
            rx.el.a(
                S.tr["widget.privacy"],
                rx.el.span(" ", S.tr["widget.privacy_new_tab"], class_name="cw-visually-hidden"),
                href=S.privacy_url,
                target="_blank",
                rel="noopener noreferrer",
                class_name="cw-link",
            ),
            class_name="cw-footer-row",
        ),
        class_name="cw-footer",
    )
