"""/agent/claims: the claims handlers' page. Everything is rendered as text (no raw HTML)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget import routes
from chat_widget.ui.agent.claims_state import ClaimsConsoleState
from chat_widget.ui.agent.pages import _stylesheet, logout_form
from chat_widget.ui.components.table import data_table

S = ClaimsConsoleState

CLAIMS_ROUTE = "/agent/claims"


def _select(label: Any, name: str, field_id: str, options: Any, value: Any) -> rx.Component:
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="cw-label"),
        rx.el.select(
            rx.el.option(S.tr["claims.all"], value=""),
            rx.foreach(options, lambda o: rx.el.option(o[1], value=o[0])),
            name=name,
            id=field_id,
            default_value=value,
            class_name="cw-select",
        ),
        class_name="cw-form-row",
    )


def _date(label: Any, name: str, field_id: str) -> rx.Component:
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="cw-label"),
        rx.el.input(type="date", name=name, id=field_id, class_name="cw-field"),
        class_name="cw-form-row",
    )


def _filters() -> rx.Component:
    return rx.el.form(
        _select(S.tr["claims.type"], "type", "cl-type", S.type_options, S.f_type),
        _select(S.tr["claims.status"], "status", "cl-status", S.status_options, S.f_status),
        _date(S.tr["claims.from"], "from", "cl-from"),
        _date(S.tr["claims.to"], "to", "cl-to"),
        rx.el.button(S.tr["claims.apply"], type="submit", class_name="cw-chip"),
        on_submit=S.filter,
        aria_label=S.tr["claims.filters"],
        class_name="ag-inline cl-filters",
    )


def _list() -> rx.Component:
    return rx.el.section(
        rx.el.h2(S.tr["claims.list"], class_name="cw-h2", id="cl-list-h"),
        _filters(),
        data_table(
            headers=[
                S.tr["claims.reference"],
                S.tr["claims.type"],
                S.tr["claims.status"],
                S.tr["claims.submitted"],
                S.tr["claims.action"],
            ],
            items=S.claims,
            count=S.claims.length(),  # type: ignore[attr-defined]
            empty_text=S.tr["claims.none"],
            labelled_by="cl-list-h",
            key=lambda c: c.id,
            row=lambda c: [
                rx.el.td(c.reference),
                rx.el.td(c.type),
                rx.el.td(c.status),
                rx.el.td(c.submitted),
                rx.el.td(
                    rx.el.button(
                        S.tr["claims.open"],
                        " ",
                        c.reference,
                        type="button",
                        on_click=S.ask_reason(c.id),
                        class_name="cw-chip",
                    )
                ),
            ],
        ),
        aria_labelledby="cl-list-h",
        class_name="ag-panel",
    )


def _reason_form() -> rx.Component:
    return rx.el.section(
        rx.el.h2(S.opening_text, class_name="cw-h2", id="cl-reason-h"),
        rx.el.form(
            rx.el.label(S.tr["claims.reason"], html_for="cl-reason", class_name="cw-label"),
            rx.el.input(
                name="reason",
                id="cl-reason",
                required=True,
                max_length=300,
                aria_describedby="cl-reason-help",
                class_name="cw-field",
            ),
            rx.el.p(S.tr["claims.reason_help"], id="cl-reason-help", class_name="cw-small"),
            rx.el.button(S.tr["claims.show"], type="submit", class_name="cw-send"),
            rx.el.button(
                S.tr["claims.cancel"], type="button", on_click=S.cancel_open, class_name="cw-chip"
            ),
            on_submit=S.open_claim,
            class_name="ag-inline",
        ),
        rx.el.div(
            rx.cond(S.reason_error != "", rx.el.p(S.reason_error, class_name="cw-guard")),
            rx.cond(S.claim_error != "", rx.el.p(S.claim_error, class_name="cw-guard")),
            role="alert",
        ),
        aria_labelledby="cl-reason-h",
        class_name="ag-panel",
    )


def _lines(rows: Any, css: str) -> rx.Component:
    return rx.el.ul(
        rx.foreach(
            rows,
            lambda r: rx.el.li(
                rx.el.span(r.label, ": ", class_name="ag-author"),
                rx.el.span(r.text, class_name="cw-msg-text"),
                key=r.id,
            ),
        ),
        class_name=css,
    )


def _detail() -> rx.Component:
    return rx.el.section(
        rx.el.h2(S.tr["claims.detail"], " ", S.d_reference, class_name="cw-h2", id="cl-detail-h"),
        rx.el.dl(
            rx.el.dt(S.tr["claims.type"]),
            rx.el.dd(S.d_type),
            rx.el.dt(S.tr["claims.status"]),
            rx.el.dd(S.d_status, id="cl-current-status"),
            rx.el.dt(S.tr["claims.submitted"]),
            rx.el.dd(S.d_submitted),
            class_name="ag-dl",
        ),
        rx.el.h3(S.tr["claims.answers"], class_name="cw-h3"),
        rx.el.dl(
            rx.foreach(
                S.d_answers,
                lambda a: rx.el.div(rx.el.dt(a.label), rx.el.dd(a.text), key=a.id),
            ),
            class_name="ag-dl cl-answers",
        ),
        rx.el.h3(S.tr["claims.documents"], class_name="cw-h3"),
        rx.cond(
            S.d_files.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(S.tr["claims.no_documents"], class_name="cw-small"),
            rx.el.ul(
                rx.foreach(
                    S.d_files,
                    lambda f: rx.el.li(
                        rx.el.a(f.name, href=f.url, target="_blank", rel="noopener noreferrer"),
                        key=f.id,
                    ),
                ),
                class_name="cl-files",
            ),
        ),
        rx.el.h3(S.tr["claims.history"], class_name="cw-h3"),
        _lines(S.d_history, "cl-history"),
        rx.el.h3(S.tr["claims.transcript"], class_name="cw-h3", id="cl-transcript-h"),
        rx.cond(
            S.d_transcript.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(S.tr["claims.no_transcript"], class_name="cw-small"),
            rx.el.div(
                _lines(S.d_transcript, "cw-msgs"),
                role="region",
                aria_labelledby="cl-transcript-h",
                tab_index=0,
                class_name="cw-log ag-log cl-transcript",
            ),
        ),
        rx.el.h3(S.tr["claims.set_status"], class_name="cw-h3"),
        rx.cond(
            S.d_next.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(S.tr["claims.final_status"], class_name="cw-small"),
            rx.el.form(
                rx.el.label(S.tr["claims.new_status"], html_for="cl-new", class_name="cw-label"),
                rx.el.select(
                    rx.foreach(S.d_next, lambda o: rx.el.option(o[1], value=o[0])),
                    name="status",
                    id="cl-new",
                    class_name="cw-select",
                ),
                rx.el.label(S.tr["claims.note"], html_for="cl-note", class_name="cw-label"),
                rx.el.textarea(
                    name="note", id="cl-note", rows=2, max_length=1000, class_name="cw-input"
                ),
                rx.el.button(S.tr["claims.save_status"], type="submit", class_name="cw-send"),
                on_submit=S.change_status,
                reset_on_submit=True,
                class_name="ag-inline",
            ),
        ),
        rx.el.div(
            rx.cond(S.status_error != "", rx.el.p(S.status_error, class_name="cw-guard")),
            rx.cond(S.status_saved, rx.el.p(S.tr["claims.status_saved"], class_name="cw-small")),
            role="status",
        ),
        rx.el.button(
            S.tr["claims.back"], type="button", on_click=S.close_detail, class_name="cw-chip"
        ),
        aria_labelledby="cl-detail-h",
        class_name="ag-panel cl-detail",
    )


def claims_page() -> rx.Component:
    return rx.el.div(
        _stylesheet(),
        rx.el.header(
            rx.el.p(S.tr["claims.title"], class_name="cw-brand"),
            rx.cond(S.authed, rx.el.span(S.signed_in_as, class_name="ag-who")),
            rx.el.a(S.tr["claims.to_console"], href=routes.AGENT, class_name="ag-who"),
            rx.el.label(
                S.tr["agent.lang_label"], html_for="cl-lang", class_name="cw-visually-hidden"
            ),
            rx.el.select(
                rx.foreach(S.locale_options, lambda o: rx.el.option(o[1], value=o[0])),
                id="cl-lang",
                value=S.locale,
                on_change=S.switch_locale,
                class_name="cw-select",
            ),
            logout_form(S.tr["agent.logout"]),
            class_name="cw-header",
        ),
        rx.el.main(
            rx.el.h1(S.tr["claims.title"], class_name="cw-visually-hidden"),
            rx.cond(
                S.authed,
                rx.cond(
                    S.d_id != "",
                    _detail(),
                    rx.el.div(
                        rx.cond(S.pending_id != "", _reason_form()),
                        _list(),
                        class_name="ag-col",
                    ),
                ),
            ),
            class_name="ag-main",
        ),
        class_name="ag-app",
        lang=S.locale,
    )
