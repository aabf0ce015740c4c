"""/agent/supervisor: the supervisor view. Every figure and label is rendered as text (React
escapes it); customer questions included. No raw HTML anywhere."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget.ui.agent.nav import logout_form
from chat_widget.ui.agent.supervisor_state import SupervisorState
from chat_widget.ui.components.charts import bar_chart
from chat_widget.ui.components.console_links import console_nav

S = SupervisorState
STYLESHEETS = ("/live-chat.css", "/supervisor.css")


def _figures(figures: Any, label_id: str) -> rx.Component:
    return rx.el.dl(
        rx.foreach(
            figures,
            lambda f: rx.el.div(rx.el.dt(f.label), rx.el.dd(f.value), key=f.label),
        ),
        aria_labelledby=label_id,
        class_name="sv-figures",
    )


def _row(row: Any) -> rx.Component:
    return rx.el.tr(
        rx.el.th(row.head, scope="row"),
        rx.foreach(row.cells, lambda cell: rx.el.td(cell)),
        key=row.key,
    )


def _table(section: Any, heading_id: Any) -> rx.Component:
    table = rx.el.table(
        rx.el.caption(section.title, class_name="cw-visually-hidden"),
        rx.el.thead(
            rx.el.tr(
                rx.el.th(section.first, scope="col"),
                rx.foreach(section.columns, lambda title: rx.el.th(title, scope="col")),
            )
        ),
        rx.el.tbody(rx.foreach(section.rows, _row)),
        rx.el.tfoot(rx.foreach(section.totals, _row)),
        class_name="ag-table sv-table",
    )
    return rx.cond(
        (section.rows.length() == 0) & (section.totals.length() == 0),
        rx.el.p(S.tr["supervisor.empty"], class_name="cw-small"),
        # Wide tables scroll sideways on a phone; the scroller takes the focus so keyboard
        # users can scroll it too.
        rx.el.div(
            table,
            class_name="sv-scroll",
            tab_index=0,
            role="group",
            aria_labelledby=heading_id,
        ),
    )


def _section(section: Any) -> rx.Component:
    heading_id = "sv-" + section.name + "-h"
    return rx.el.section(
        rx.el.h3(section.title, id=heading_id, class_name="cw-h3"),
        rx.cond(section.help != "", rx.el.p(section.help, class_name="cw-small")),
        rx.cond(section.note != "", rx.el.p(section.note, class_name="cw-text")),
        rx.foreach(
            section.charts,
            lambda chart: bar_chart(
                chart,
                empty_text=S.tr["supervisor.chart_empty"],
                legend_label=S.tr["supervisor.legend"],
            ),
        ),
        _table(section, heading_id),
        rx.el.a(
            section.download,
            href=section.csv_url,
            download=True,
            # rx.el.a is a router link: a download must be left to the browser.
            reload_document=True,
            class_name="cw-chip ag-nav sv-download",
        ),
        aria_labelledby=heading_id,
        class_name="sv-section",
        key=section.name,
    )


def _live() -> rx.Component:
    return rx.el.section(
        rx.el.h2(S.tr["supervisor.live"], id="sv-live-h", class_name="cw-h2"),
        rx.el.p(S.tr["supervisor.live_help"], class_name="cw-small"),
        rx.el.div(
            rx.el.button(
                S.tr["supervisor.refresh"],
                type="button",
                on_click=S.refresh_live,
                class_name="cw-chip",
            ),
            rx.el.span(S.live_updated, class_name="cw-small", id="sv-updated"),
            class_name="ag-inline",
        ),
        _figures(S.live_figures, "sv-live-h"),
        rx.foreach(S.live_sections, _section),
        aria_labelledby="sv-live-h",
        class_name="ag-panel sv-live",
    )


def _period_form() -> rx.Component:
    def date_field(label: Any, name: str, field_id: str, value: Any) -> rx.Component:
        return rx.el.div(
            rx.el.label(label, html_for=field_id, class_name="cw-label"),
            rx.el.input(
                type="date",
                name=name,
                id=field_id,
                default_value=value,
                required=True,
                aria_describedby="sv-period-help",
                class_name="cw-field",
            ),
            class_name="cw-form-row",
        )

    return rx.el.form(
        date_field(S.tr["supervisor.from"], "from", "sv-from", S.f_from),
        date_field(S.tr["supervisor.to"], "to", "sv-to", S.f_to),
        rx.el.button(S.tr["supervisor.show"], type="submit", class_name="cw-send"),
        on_submit=S.show_period,
        aria_labelledby="sv-period-h",
        class_name="sv-period-form",
    )


def _period() -> rx.Component:
    return rx.el.section(
        rx.el.h2(S.tr["supervisor.period"], id="sv-period-h", class_name="cw-h2"),
        rx.el.p(S.period_help, id="sv-period-help", class_name="cw-small"),
        _period_form(),
        rx.el.div(
            rx.cond(S.period_error, rx.el.p(S.period_error_text, class_name="cw-guard")),
            role="alert",
        ),
        rx.el.p(S.period_text, role="status", class_name="cw-text", id="sv-period-shown"),
        rx.el.h3(S.tr["supervisor.glance"], id="sv-glance-h", class_name="cw-h3"),
        _figures(S.glance, "sv-glance-h"),
        rx.foreach(S.sections, _section),
        aria_labelledby="sv-period-h",
        class_name="ag-panel sv-period",
    )


def supervisor_page() -> rx.Component:
    return rx.el.div(
        *[rx.el.link(rel="stylesheet", href=href) for href in STYLESHEETS],
        rx.el.header(
            rx.el.p(S.tr["supervisor.title"], class_name="cw-brand"),
            rx.cond(S.authed, rx.el.span(S.signed_in_as, class_name="ag-who")),
            console_nav(S.nav, label=S.tr["supervisor.nav"]),
            rx.el.label(
                S.tr["agent.lang_label"], html_for="sv-lang", class_name="cw-visually-hidden"
            ),
            rx.el.select(
                rx.foreach(S.locale_options, lambda o: rx.el.option(o[1], value=o[0])),
                id="sv-lang",
                value=S.locale,
                on_change=S.switch_locale,
                class_name="cw-select",
            ),
            logout_form(S.tr["agent.logout"]),
            class_name="cw-header",
        ),
        rx.el.main(
            rx.el.h1(S.tr["supervisor.title"], class_name="cw-visually-hidden"),
            rx.cond(S.authed, rx.el.div(_live(), _period(), class_name="sv-main")),
            class_name="ag-main",
        ),
        class_name="ag-app",
        lang=S.locale,
    )
