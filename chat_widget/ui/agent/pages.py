"""/agent/login and /agent: the employee console (not frameable, see chat_widget.web.security).

Message text, notes, summaries and transcripts are rendered as React text children (escaped);
nothing here uses raw HTML.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget import routes
from chat_widget.ui.agent.callbacks_view import callback_requests
from chat_widget.ui.agent.composer import (
    attach_zone,
    console_assets,
    console_file,
    customer_records,
    notes_panel,
    notify_button,
    reply_form,
    shortcuts_button,
    shortcuts_dialog,
    transfer_form,
)
from chat_widget.ui.agent.nav import console_nav, logout_form
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.components.native_form import native_form
from chat_widget.ui.components.table import data_table
from chat_widget.ui.connection import pending_list, status_region
from chat_widget.ui.transcript_state import transcript_vars
from chat_widget.web import console_session

A = AgentState


def _field(label: Any, name: str, field_id: str, **props: Any) -> rx.Component:
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="cw-label"),
        rx.el.input(name=name, id=field_id, class_name="cw-field", **props),
        class_name="cw-form-row",
    )


def _language_select() -> rx.Component:
    return rx.el.div(
        rx.el.label(A.tr["agent.lang_label"], html_for="ag-lang", class_name="cw-visually-hidden"),
        rx.el.select(
            rx.foreach(A.locale_options, lambda o: rx.el.option(o[1], value=o[0])),
            id="ag-lang",
            value=A.locale,
            on_change=A.set_locale,
            class_name="cw-select",
        ),
    )


def _stylesheet() -> rx.Component:
    return rx.el.link(rel="stylesheet", href=routes.LIVE_STYLESHEET)


def _password_form() -> rx.Component:
    # A plain POST to the login endpoint, which sets the HttpOnly session cookie and
    # redirects; no Reflex event ever carries the password or the session.
    return native_form(
        _field(A.tr["agent.username"], "username", "ag-username", auto_complete="username"),
        _field(
            A.tr["agent.password"],
            "password",
            "ag-password",
            type="password",
            auto_complete="current-password",
        ),
        rx.el.input(type="hidden", name="next", value=A.login_next),
        rx.el.button(A.tr["agent.login"], type="submit", class_name="cw-send"),
        action=console_session.LOGIN_PATH,
        class_name="ag-login-form",
    )


def _sso_entry() -> rx.Component:
    """A link, not a form: the page's CSP (form-action 'self') would stop a form's redirect
    to the identity provider, and a link also works before the websocket is up. ``rx.el.a``
    is React Router's link: ``reload_document`` makes it a real page load of the endpoint."""
    return rx.el.section(
        rx.el.p(A.tr["agent.sso_intro"], class_name="cw-text", id="ag-sso-intro"),
        rx.el.a(
            A.tr["agent.sso_login"],
            href=A.sso_login_url,
            reload_document=True,
            aria_describedby="ag-sso-intro",
            class_name="cw-send ag-sso",
        ),
        class_name="ag-login-sso",
    )


def login_page() -> rx.Component:
    return rx.el.div(
        _stylesheet(),
        rx.el.main(
            rx.el.h1(A.tr["agent.login_title"], class_name="cw-h1"),
            _language_select(),
            rx.cond(A.sso_enabled, _sso_entry()),
            rx.cond(
                A.passwords_enabled,
                rx.el.section(
                    rx.cond(
                        A.sso_enabled,
                        rx.el.h2(A.tr["agent.local_login"], class_name="cw-h2"),
                    ),
                    _password_form(),
                ),
            ),
            rx.el.div(
                rx.cond(A.login_error != "", rx.el.p(A.login_error, class_name="cw-guard")),
                rx.cond(
                    A.login_unavailable,
                    rx.el.p(A.tr["agent.login_unavailable"], class_name="cw-guard"),
                ),
                role="alert",
            ),
            class_name="ag-login",
        ),
        class_name="ag-app",
        lang=A.locale,
    )


def _queue() -> rx.Component:
    return rx.el.section(
        rx.el.h2(A.tr["agent.queue"], class_name="cw-h2", id="ag-queue-h", tab_index=-1),
        data_table(
            headers=[
                A.tr["agent.col.wait"],
                A.tr["agent.col.topic"],
                A.tr["agent.col.language"],
                A.tr["agent.col.page"],
                A.tr["agent.col.action"],
            ],
            items=A.queue,
            count=A.queue.length(),  # type: ignore[attr-defined]
            empty_text=A.tr["agent.queue_empty"],
            labelled_by="ag-queue-h",
            row=lambda q: [
                # Filled and counted on by agent-console.js from the moment the customer asked.
                rx.el.td(rx.el.span(class_name="ag-qwait", data_since=q.since)),
                rx.el.td(q.topic, " ", q.summary),
                rx.el.td(q.language),
                rx.el.td(q.page, class_name="ag-page"),
                rx.el.td(
                    rx.el.button(
                        A.tr["agent.accept"],
                        type="button",
                        on_click=A.accept(q.conversation_id),
                        class_name="cw-chip",
                    )
                ),
            ],
        ),
        aria_labelledby="ag-queue-h",
        id="ag-queue",
        data_minutes=A.tr["agent.minutes"],
        class_name="ag-panel ag-queue-panel",
    )


def _tabs() -> rx.Component:
    return rx.el.nav(
        rx.el.h2(A.tr["agent.my_chats"], class_name="cw-h2", id="ag-chats-h"),
        # Automatic routing hands chats over without a click: say so to sighted and
        # screen-reader users alike.
        rx.el.p(A.assigned_text, role="status", class_name="cw-small ag-assigned"),
        rx.cond(
            A.chats.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(A.tr["agent.no_chats"], class_name="cw-small"),
            rx.el.ul(
                rx.foreach(
                    A.chats,
                    lambda c: rx.el.li(
                        rx.el.button(
                            c.label,
                            " (",
                            c.language,
                            ", ",
                            c.topic,
                            ")",
                            rx.el.span(" · ", A.tr["agent.ws.mine"], class_name="ag-mine"),
                            rx.cond(
                                c.unread != "",
                                rx.el.span(" · ", c.unread, class_name="ag-unread"),
                            ),
                            # Filled and kept current by agent-console.js from the moment.
                            rx.cond(
                                c.waiting_since != 0,
                                rx.el.span(class_name="ag-wait", data_since=c.waiting_since),
                            ),
                            type="button",
                            on_click=A.select_chat(c.conversation_id),
                            aria_current=rx.cond(
                                A.current_id == c.conversation_id, "true", "false"
                            ),
                            class_name="cw-link-btn ag-chat-tab",
                        )
                    ),
                ),
                class_name="cw-other",
            ),
        ),
        aria_labelledby="ag-chats-h",
        id="ag-chats",
        # How agent-console.js words a customer's wait, and the server's clock to count from.
        data_wait_now=A.tr["agent.ws.wait_now"],
        data_wait_min=A.tr["agent.ws.wait_min"],
        data_server_now=A.server_now_ms,
        class_name="ag-panel",
    )


def _message(item: Any) -> rx.Component:
    return rx.el.li(
        rx.el.span(
            rx.match(
                item.author,
                ("customer", A.tr["agent.customer"]),
                ("agent", A.tr["chat.agent"]),
                ("assistant", A.tr["chat.assistant"]),
                A.tr["chat.system"],
            ),
            ": ",
            class_name="ag-author",
        ),
        rx.cond(
            item.file_id != "",
            console_file(item),
            rx.el.span(item.text, class_name="cw-msg-text"),
        ),
        rx.el.span(" ", item.time, class_name="cw-msg-time"),
        class_name=rx.match(
            item.author,
            ("agent", "cw-msg cw-msg--customer"),
            ("system", "cw-msg cw-msg--system"),
            "cw-msg cw-msg--other",
        ),
        key=item.id,
    )


def _conversation() -> rx.Component:
    return rx.el.section(
        rx.el.h2(A.tr["agent.conversation"], class_name="cw-h2", id="ag-conv-h"),
        rx.el.div(
            rx.el.ul(*[rx.foreach(p, _message) for p in transcript_vars(A)], class_name="cw-msgs"),
            role="log",
            aria_live="polite",
            aria_labelledby="ag-conv-h",
            tab_index=0,
            class_name="cw-log ag-log",
        ),
        pending_list(A.tr, "agent"),
        rx.el.p(
            rx.cond(A.read_by_customer, A.tr["agent.read_by_customer"], ""),
            class_name="cw-small",
            id="ag-read",
        ),
        rx.el.p(
            rx.cond(A.customer_typing, A.tr["agent.customer_typing"], ""),
            role="status",
            class_name="cw-typing",
        ),
        rx.el.div(
            rx.cond(A.blocked_text != "", rx.el.p(A.blocked_text, class_name="cw-guard")),
            rx.cond(A.error_text != "", rx.el.p(A.error_text, class_name="cw-notice")),
            role="alert",
        ),
        rx.cond(
            A.current_status == "active",
            rx.el.div(
                reply_form(),
                attach_zone(),
                rx.el.h3(A.tr["agent.canned"], class_name="cw-h3", id="ag-canned-h"),
                rx.el.div(
                    rx.foreach(
                        A.canned,
                        lambda c: rx.el.button(
                            c.text,
                            type="button",
                            on_click=A.send_canned(c.text),
                            class_name="cw-chip",
                        ),
                    ),
                    role="group",
                    aria_labelledby="ag-canned-h",
                    class_name="cw-chips",
                ),
                transfer_form(),
                rx.el.form(
                    rx.el.label(
                        A.tr["agent.close_reason"], html_for="ag-reason", class_name="cw-label"
                    ),
                    rx.el.select(
                        rx.foreach(A.reason_options, lambda o: rx.el.option(o[1], value=o[0])),
                        id="ag-reason",
                        name="reason",
                        class_name="cw-select",
                    ),
                    rx.el.button(A.tr["agent.close"], type="submit", class_name="cw-chip"),
                    on_submit=A.close_chat,
                    class_name="ag-inline",
                ),
            ),
            rx.el.p(A.tr["agent.chat_closed"], class_name="cw-small"),
        ),
        notes_panel(),
        aria_labelledby="ag-conv-h",
        class_name="ag-panel ag-conversation",
    )


def _earlier(row: Any) -> rx.Component:
    return rx.el.li(
        rx.el.p(row.started, " · ", row.channel, " · ", row.topic, class_name="cw-small"),
        rx.el.p(row.summary, class_name="cw-text"),
        rx.el.form(
            rx.el.input(type="hidden", name="conversation_id", value=row.conversation_id),
            rx.el.label(
                A.tr["agent.transcript_reason"],
                html_for="ag-why-" + row.conversation_id,
                class_name="cw-label",
            ),
            rx.el.input(
                name="reason",
                id="ag-why-" + row.conversation_id,
                class_name="cw-field",
                max_length=300,
            ),
            rx.el.button(A.tr["agent.open_transcript"], type="submit", class_name="cw-chip"),
            on_submit=A.open_transcript,
            class_name="ag-inline",
        ),
        key=row.conversation_id,
    )


def _side_panel() -> rx.Component:
    return rx.el.aside(
        rx.el.h2(A.tr["agent.context"], class_name="cw-h2", id="ag-ctx-h"),
        rx.el.dl(
            rx.el.dt(A.tr["agent.ws.customer"]),
            rx.el.dd(
                rx.cond(A.cust_identified, A.tr["agent.ws.identified"], A.tr["agent.ws.anonymous"])
            ),
            rx.el.dt(A.tr["agent.topic"]),
            rx.el.dd(A.ctx_topic),
            rx.el.dt(A.tr["agent.page"]),
            rx.el.dd(A.ctx_page, class_name="ag-page"),
            rx.el.dt(A.tr["agent.summary"]),
            rx.el.dd(rx.cond(A.ctx_summary != "", A.ctx_summary, A.tr["agent.no_summary"])),
            rx.el.dt(A.tr["agent.device"]),
            rx.el.dd(
                rx.cond(
                    A.ctx_device,
                    rx.cond(A.ctx_device_text != "", A.ctx_device_text, A.tr["agent.device_shown"]),
                    A.tr["agent.device_hidden"],
                )
            ),
            class_name="ag-dl",
        ),
        customer_records(),
        rx.el.h3(A.tr["agent.earlier"], class_name="cw-h3"),
        rx.cond(
            A.earlier.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(A.tr["agent.no_earlier"], class_name="cw-small"),
            rx.el.ul(rx.foreach(A.earlier, _earlier), class_name="ag-earlier"),
        ),
        rx.el.div(
            rx.cond(A.transcript_error != "", rx.el.p(A.transcript_error, class_name="cw-guard")),
            role="alert",
        ),
        rx.cond(
            A.transcript_text != "",
            rx.el.section(
                rx.el.h3(A.tr["agent.transcript"], class_name="cw-h3", id="ag-transcript-h"),
                rx.el.pre(A.transcript_text, class_name="ag-transcript", tab_index=0),
                aria_labelledby="ag-transcript-h",
            ),
        ),
        aria_labelledby="ag-ctx-h",
        class_name="ag-panel ag-side",
    )


def console_page() -> rx.Component:
    return rx.el.div(
        _stylesheet(),
        console_assets(),
        rx.el.header(
            rx.el.p(A.tr["agent.title"], class_name="cw-brand"),
            rx.cond(A.authed, rx.el.span(A.signed_in_as, class_name="ag-who")),
            rx.el.label(
                A.tr["agent.presence"], html_for="ag-presence", class_name="ag-header-label"
            ),
            rx.el.select(
                rx.foreach(A.presence_options, lambda o: rx.el.option(o[1], value=o[0])),
                id="ag-presence",
                value=A.presence,
                on_change=A.set_presence,
                class_name="cw-lang",
            ),
            _language_select(),
            notify_button(),
            shortcuts_button(),
            console_nav(routes.AGENT),
            logout_form(A.tr["agent.logout"]),
            class_name="cw-header",
        ),
        shortcuts_dialog(),
        rx.el.main(
            rx.el.h1(A.tr["agent.title"], class_name="cw-visually-hidden"),
            status_region(A.tr),
            rx.cond(
                A.authed,
                rx.el.div(
                    rx.el.div(_queue(), callback_requests(), _tabs(), class_name="ag-col"),
                    rx.cond(
                        A.current_id != "",
                        rx.fragment(_conversation(), _side_panel()),
                        rx.el.p(A.tr["agent.select_chat"], class_name="cw-small"),
                    ),
                    class_name="ag-grid",
                ),
            ),
            class_name="ag-main",
        ),
        class_name="ag-app",
        lang=A.locale,
    )
