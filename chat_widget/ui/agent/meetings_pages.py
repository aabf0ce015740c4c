"""/agent/meetings: the employees' agenda of video meetings (today, this week, all ahead).

Text only (no raw HTML). Below 640 px each meeting becomes a card; cancel and move ask for a
confirmation that names the customer and the time before anything is sent to Bookings.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget.agents.console import MEETINGS_PAGE
from chat_widget.meetings.console import AgendaView
from chat_widget.ui.agent.meetings_state import MeetingsConsoleState
from chat_widget.ui.agent.nav import console_header
from chat_widget.ui.agent.pages import _stylesheet
from chat_widget.ui.components.table import data_table

M = MeetingsConsoleState


def _views() -> rx.Component:
    return rx.el.div(
        *[
            rx.el.button(
                M.tr[f"meetings.view_{view.value}"],
                type="button",
                on_click=M.show(view.value),
                aria_pressed=rx.cond(M.view == view.value, "true", "false"),
                class_name="cw-chip",
            )
            for view in AgendaView
        ],
        role="group",
        aria_label=M.tr["meetings.views"],
        class_name="cw-chips mt-views",
    )


def _confirm() -> rx.Component:
    return rx.el.div(
        rx.el.p(M.confirm_text, id="mt-confirm-text", class_name="cl-confirm-text"),
        rx.el.button(
            rx.cond(
                M.confirm_kind == "move",
                M.tr["meetings.confirm_move_yes"],
                M.tr["meetings.confirm_cancel_yes"],
            ),
            type="button",
            id="mt-confirm-yes",
            on_click=M.confirm,
            aria_describedby="mt-confirm-text",
            class_name="cw-send",
        ),
        rx.el.button(M.tr["meetings.keep"], type="button", on_click=M.keep, class_name="cw-chip"),
        role="group",
        aria_labelledby="mt-confirm-text",
        class_name="ag-inline cl-confirm",
    )


def _cell(label: Any, *children: Any) -> rx.Component:
    return rx.el.td(rx.el.div(*children, class_name="cl-cell"), data_label=label)


def _actions(m: Any) -> rx.Component:
    return rx.el.td(
        rx.cond(
            m.changeable,
            rx.el.div(
                rx.el.button(
                    M.tr["meetings.move"],
                    type="button",
                    on_click=M.ask_move(m.booking_id),
                    aria_label=M.tr["meetings.move_of"] + " " + m.customer,
                    class_name="cw-chip",
                ),
                rx.el.button(
                    M.tr["meetings.cancel"],
                    type="button",
                    on_click=M.ask_cancel(m.booking_id),
                    aria_label=M.tr["meetings.cancel_of"] + " " + m.customer,
                    class_name="cw-chip",
                ),
                class_name="cw-chips",
            ),
        ),
        class_name="cl-action",
    )


def meetings_page() -> rx.Component:
    tr = M.tr
    return rx.el.div(
        _stylesheet(),
        console_header(
            M,
            title=tr["meetings.title"],
            current=MEETINGS_PAGE,
            on_locale=M.switch_locale,
            select_id="mt-lang",
        ),
        rx.el.main(
            rx.el.h1(tr["meetings.title"], class_name="cw-h1"),
            rx.cond(
                M.authed,
                rx.el.div(
                    _views(),
                    rx.el.p(M.zone_text, class_name="cw-small"),
                    rx.el.p(M.outcome, role="status", class_name="cw-small mt-outcome"),
                    rx.cond(M.confirm_id != "", _confirm()),
                    rx.el.div(
                        data_table(
                            headers=[
                                tr[f"meetings.{k}"]
                                for k in (
                                    "when",
                                    "customer",
                                    "topic",
                                    "advisor",
                                    "status",
                                    "actions",
                                )
                            ],
                            items=M.meetings,
                            count=M.meetings.length(),  # type: ignore[attr-defined]
                            empty_text=M.empty_text,
                            key=lambda m: m.booking_id,
                            row=lambda m: [
                                _cell(
                                    tr["meetings.when"],
                                    m.when,
                                    rx.cond(
                                        m.customer_when != "",
                                        rx.el.span(m.customer_when, class_name="cl-plate"),
                                    ),
                                ),
                                _cell(tr["meetings.customer"], m.customer),
                                _cell(tr["meetings.topic"], m.topic),
                                _cell(tr["meetings.advisor"], m.advisor),
                                _cell(tr["meetings.status"], m.status),
                                _actions(m),
                            ],
                        ),
                        class_name="cl-list",
                    ),
                    class_name="ag-col",
                ),
            ),
            class_name="ag-main",
        ),
        class_name="ag-app",
        lang=M.locale,
    )
