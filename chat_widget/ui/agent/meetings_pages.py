"""/agent/meetings: the console's list of upcoming video meetings."""

from __future__ import annotations

import reflex as rx

from chat_widget import routes
from chat_widget.ui.agent.meetings_state import MeetingsConsoleState
from chat_widget.ui.agent.pages import logout_form
from chat_widget.ui.components.table import data_table

M = MeetingsConsoleState


def meetings_page() -> rx.Component:
    return rx.el.div(
        rx.el.link(rel="stylesheet", href=routes.LIVE_STYLESHEET),
        rx.el.header(
            rx.el.p(M.tr["agent.title"], class_name="cw-brand"),
            rx.cond(M.authed, rx.el.span(M.signed_in_as, class_name="ag-who")),
            rx.el.a(M.tr["meetings.back"], href="/agent", class_name="cw-chip ag-nav"),
            logout_form(M.tr["agent.logout"]),
            class_name="cw-header",
        ),
        rx.el.main(
            rx.el.h1(M.tr["meetings.title"], class_name="cw-h1"),
            rx.el.p(M.outcome, role="status", class_name="cw-small"),
            data_table(
                headers=[
                    M.tr[f"meetings.{k}"] for k in ("when", "topic", "advisor", "status", "actions")
                ],
                items=M.meetings,
                count=M.meetings.length(),  # type: ignore[attr-defined]
                empty_text=M.tr["meetings.none"],
                row=lambda m: [
                    rx.el.td(m.when),
                    rx.el.td(m.topic),
                    rx.el.td(m.advisor),
                    rx.el.td(m.status),
                    rx.el.td(
                        rx.el.button(
                            M.tr["meetings.move"],
                            type="button",
                            on_click=M.move_meeting(m.booking_id),
                            class_name="cw-chip",
                        ),
                        rx.el.button(
                            M.tr["meetings.cancel"],
                            type="button",
                            on_click=M.cancel_meeting(m.booking_id),
                            class_name="cw-chip",
                        ),
                    ),
                ],
            ),
            class_name="cw-main",
        ),
    )
