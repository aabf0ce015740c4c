"""The console's composer: the reply field with its ``/`` canned-reply listbox, and notes.

The listbox is rendered by Reflex (the replies are expanded for the chat in
``live_chat.canned``); ``assets/agent-console.js`` filters and moves through it while the agent
types, so no key stroke waits for the server. Internal notes look unlike any message (a
labelled, dashed panel) so nobody mistakes one for something the customer saw.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget.live_chat.handoff import QUEUE_LANGUAGES
from chat_widget.ui.agent.state import AgentState, TextRow
from chat_widget.ui.components.dropzone import dropzone
from chat_widget.web.handler_files import AGENT_CHAT_PREVIEW_PREFIX as PREVIEW_PREFIX

A = AgentState

CONSOLE_SCRIPT = "/agent-console.js"
WORKSPACE_STYLESHEET = "/agent-workspace.css"

# Loaded once per page: a <script> rendered by React would not run.
_LOAD_SCRIPT = (
    "if(!document.getElementById('ag-console-js')){var s=document.createElement('script');"
    f"s.id='ag-console-js';s.src='{CONSOLE_SCRIPT}';s.async=true;document.head.appendChild(s);}}"
)


def console_assets() -> rx.Component:
    """The workspace stylesheet and, once mounted, the console script; the hidden buttons are
    how that script reports activity and ticks (agents.presence decides what they mean)."""
    return rx.fragment(
        rx.el.link(rel="stylesheet", href=WORKSPACE_STYLESHEET),
        rx.el.div(
            rx.el.button(type="button", id="ag-activity", on_click=A.console_activity),
            rx.el.button(
                type="button",
                id="ag-tick",
                on_click=A.console_tick,
                data_idle_seconds=A.idle_seconds,
            ),
            on_mount=[rx.call_script(_LOAD_SCRIPT), A.console_opened],
            hidden=True,
        ),
    )


def notify_button() -> rx.Component:
    """Shown by the console script only while the browser has not been asked yet: the
    permission prompt must come from a click."""
    return rx.el.button(
        A.tr["agent.ws.enable_alerts"], type="button", id="ag-notify", class_name="cw-chip"
    )


def _option(reply: TextRow) -> rx.Component:
    return rx.el.li(
        reply.text,
        id="ag-canned-" + reply.id,
        role="option",
        aria_selected="false",
        data_search=reply.label,
        data_text=reply.text,
        class_name="ag-canned-option",
        key=reply.id,
    )


def reply_form() -> rx.Component:
    """The reply field. Enter sends (widget-bridge.js), Shift+Enter is a new line; a text the
    privacy guard refuses comes back into the field with the reason (state.send)."""
    return rx.el.form(
        rx.el.label(A.tr["agent.reply_label"], html_for="ag-reply", class_name="cw-label"),
        rx.el.div(
            rx.el.textarea(
                name="message",
                id="ag-reply",
                rows=2,
                max_length=4000,
                data_cw_composer="1",
                aria_controls="ag-canned-list",
                aria_autocomplete="list",
                aria_describedby="ag-reply-hint",
                on_key_down=A.typed.throttle(1000),  # type: ignore[attr-defined]
                class_name="cw-input",
            ),
            rx.el.ul(
                rx.foreach(A.canned, _option),
                id="ag-canned-list",
                role="listbox",
                aria_label=A.tr["agent.ws.canned_list"],
                class_name="ag-canned-list",
            ),
            class_name="ag-reply-box",
        ),
        rx.el.p(A.tr["agent.ws.canned_hint"], id="ag-reply-hint", class_name="cw-small"),
        rx.el.input(type="hidden", name="client_msg_id", value=""),
        rx.el.button(A.tr["agent.send"], type="submit", class_name="cw-send"),
        on_submit=A.send,
        reset_on_submit=True,
        data_cw_guard="1",
        # Offline replies wait in the browser's outbox, bound to this chat (resume, #19).
        data_cw_outbox="agent",
        data_cw_conv=A.current_id,
        class_name="cw-composer",
    )


def _note(note: Any) -> rx.Component:
    return rx.el.li(
        rx.el.span(
            rx.cond(note.handover, A.tr["agent.ws.handover_badge"], A.tr["agent.ws.note_badge"]),
            class_name="ag-note-badge",
        ),
        " ",
        rx.el.span(note.text, class_name="ag-note-text"),
        rx.cond(note.author != "", rx.el.span(" — ", note.author, class_name="cw-small")),
        key=note.id,
        class_name=rx.cond(note.handover, "ag-note ag-note--handover", "ag-note"),
    )


def transfer_form() -> rx.Component:
    """Hand the chat on: a colleague who is not offline, or a language queue; the note goes
    with it (live_chat.handoff)."""
    return rx.el.form(
        rx.el.label(A.tr["agent.transfer_to"], html_for="ag-transfer", class_name="cw-label"),
        rx.el.select(
            rx.el.optgroup(
                rx.foreach(A.colleagues, lambda p: rx.el.option(p.text, value="agent:" + p.id)),
                label=A.tr["agent.ws.colleagues"],
            ),
            rx.el.optgroup(
                *[
                    rx.el.option(A.tr[f"lang.{lang}"], value=f"queue:{lang}")
                    for lang in QUEUE_LANGUAGES
                ],
                label=A.tr["agent.ws.queues"],
            ),
            id="ag-transfer",
            name="to",
            class_name="cw-select",
        ),
        rx.el.label(
            A.tr["agent.ws.transfer_note"], html_for="ag-transfer-note", class_name="cw-label"
        ),
        rx.el.textarea(
            name="transfer_note",
            id="ag-transfer-note",
            rows=2,
            max_length=1000,
            class_name="cw-input",
        ),
        rx.el.button(A.tr["agent.transfer"], type="submit", class_name="cw-chip"),
        on_submit=A.transfer,
        reset_on_submit=True,
        class_name="ag-inline ag-transfer",
    )


def notes_panel() -> rx.Component:
    """Notes: never sent to the customer (a separate table, see live_chat.notes)."""
    return rx.el.section(
        rx.el.h3(A.tr["agent.notes"], class_name="cw-h3", id="ag-notes-h"),
        rx.el.ul(rx.foreach(A.notes, _note), class_name="ag-notes"),
        rx.el.form(
            rx.el.label(A.tr["agent.note_label"], html_for="ag-note", class_name="cw-label"),
            rx.el.textarea(
                name="note", id="ag-note", rows=2, max_length=4000, class_name="cw-input"
            ),
            rx.el.button(A.tr["agent.add_note"], type="submit", class_name="cw-chip"),
            on_submit=A.add_note,
            reset_on_submit=True,
            class_name="ag-inline",
        ),
        aria_labelledby="ag-notes-h",
        class_name="ag-notes-panel",
    )


def _record(row: TextRow) -> rx.Component:
    return rx.el.li(
        rx.el.span(row.text, class_name="cw-text"),
        " ",
        rx.el.span(row.label, class_name="cw-small"),
        key=row.id,
    )


def customer_records() -> rx.Component:
    """The customer's claims and video meetings (live_chat.customer_pane), for context."""
    return rx.fragment(
        rx.el.h3(A.tr["agent.ws.claims"], class_name="cw-h3"),
        rx.cond(
            A.cust_claims.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(A.tr["agent.ws.no_claims"], class_name="cw-small"),
            rx.el.ul(rx.foreach(A.cust_claims, _record), class_name="ag-records"),
        ),
        rx.el.h3(A.tr["agent.ws.meetings"], class_name="cw-h3"),
        rx.cond(
            A.cust_meetings.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(A.tr["agent.ws.no_meetings"], class_name="cw-small"),
            rx.el.ul(rx.foreach(A.cust_meetings, _record), class_name="ag-records"),
        ),
    )


#: (keys, catalog key of what they do), in the order of the "?" dialog
SHORTCUTS = (
    ("Alt+N", "agent.ws.key_next"),
    ("Alt+Shift+N", "agent.ws.key_previous"),
    ("Alt+R", "agent.ws.key_reply"),
    ("Enter", "agent.ws.key_send"),
    ("Shift+Enter", "agent.ws.key_newline"),
    ("/", "agent.ws.key_canned"),
    ("Alt+T", "agent.ws.key_transfer"),
    ("Alt+E", "agent.ws.key_end"),
    ("Alt+Q", "agent.ws.key_queue"),
    ("?", "agent.ws.key_help"),
)


def shortcuts_button() -> rx.Component:
    return rx.el.button(
        "?",
        rx.el.span(" ", A.tr["agent.ws.keys_title"], class_name="cw-visually-hidden"),
        type="button",
        id="ag-keys-open",
        aria_haspopup="dialog",
        title=A.tr["agent.ws.keys_title"],
        class_name="cw-chip",
    )


def shortcuts_dialog() -> rx.Component:
    """A native modal dialog (opened by the console script with showModal): focus is kept
    inside and Escape closes it without any script of ours."""
    return rx.el.dialog(
        rx.el.h2(A.tr["agent.ws.keys_title"], id="ag-keys-h", class_name="cw-h2"),
        rx.el.table(
            rx.el.thead(
                rx.el.tr(
                    rx.el.th(A.tr["agent.ws.keys_col_keys"], scope="col"),
                    rx.el.th(A.tr["agent.ws.keys_col_action"], scope="col"),
                )
            ),
            rx.el.tbody(
                *[
                    rx.el.tr(rx.el.td(rx.el.kbd(keys)), rx.el.td(A.tr[what]))
                    for keys, what in SHORTCUTS
                ]
            ),
            class_name="ag-table",
        ),
        rx.el.button(
            A.tr["agent.ws.keys_close"], type="button", id="ag-keys-close", class_name="cw-send"
        ),
        id="ag-keys",
        aria_labelledby="ag-keys-h",
        class_name="ag-keys",
    )


AGENT_UPLOAD_ID = "ag-upload"


def console_file(item: Any) -> rx.Component:
    """A file in the conversation: a server-rendered thumbnail (photo, or a PDF's first page)
    inside the link that opens it, then its name and size. The image is decorative (alt="");
    the link's text names the file."""
    return rx.el.p(
        rx.el.a(
            rx.el.img(
                src=PREVIEW_PREFIX + item.file_id,
                alt="",
                loading="lazy",
                class_name="ag-thumb",
            ),
            rx.el.span(A.tr["chat.attachment"], ": ", class_name="cw-visually-hidden"),
            rx.el.span(item.file_name, class_name="cw-file-name"),
            rx.el.span(" (", item.file_size, ")", class_name="cw-file-size"),
            rx.el.span(" ", A.tr["chat.opens_new_tab"], class_name="cw-visually-hidden"),
            href=item.file_url,
            target="_blank",
            rel="noopener noreferrer",
            class_name="cw-link cw-file-chip ag-file",
        ),
        class_name="cw-msg-text",
    )


def attach_zone() -> rx.Component:
    """The agent sends the customer a file: one at a time, checked on the server exactly as
    customer uploads are (live_chat.attachments.attach_agent_file)."""
    return rx.el.div(
        dropzone(
            upload_id=AGENT_UPLOAD_ID,
            choose_label=A.tr["agent.ws.attach"],
            hint=A.tr["agent.ws.attach_hint"],
            on_files=A.agent_attach,
            multiple=False,
            class_name="cw-dropzone cw-attach",
        ),
        rx.el.div(
            rx.cond(A.attach_error != "", rx.el.p(A.attach_error, class_name="cw-notice")),
            id="ag-attach-error",
            role="alert",
        ),
        class_name="cw-attach-area",
    )
