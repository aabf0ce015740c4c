"""/agent/claims: the claims handlers' workspace. Everything is rendered as text (no raw HTML).

The list is a search first (what the customer on the phone reads out), the oldest open claims
on top; below 640 px each row becomes a card. A claim opens with a reason; its answers are
shown once, the collecting conversation is folded, documents are previews that open large,
and a status is only saved after an explicit choice (and a confirmation for accept/refuse).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget.agents.console import CLAIMS_PAGE
from chat_widget.claims.console import OWNER_MINE, OWNER_NONE, SORT_NEWEST, SORT_OLDEST, STATUS_OPEN
from chat_widget.ui.agent.claims_state import ClaimsConsoleState
from chat_widget.ui.agent.nav import console_header
from chat_widget.ui.agent.pages import _stylesheet
from chat_widget.ui.components.table import data_table
from chat_widget.web.handler_files import PREFIX, PREVIEW_PREFIX

S = ClaimsConsoleState

CLAIMS_ROUTE = CLAIMS_PAGE


def _select(
    label: Any, name: str, field_id: str, value: Any, options: list[rx.Component]
) -> rx.Component:
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="cw-label"),
        rx.el.select(*options, name=name, id=field_id, default_value=value, class_name="cw-select"),
        class_name="cw-form-row",
    )


def _option(label: Any, value: Any) -> rx.Component:
    return rx.el.option(label, value=value)


def _choices(options: Any) -> rx.Component:
    return rx.foreach(options, lambda o: _option(o[1], o[0]))


def _date(label: Any, name: str, field_id: str, value: Any) -> rx.Component:
    return rx.el.div(
        rx.el.label(label, html_for=field_id, class_name="cw-label"),
        rx.el.input(
            type="date", name=name, id=field_id, default_value=value, class_name="cw-field"
        ),
        class_name="cw-form-row",
    )


def _search() -> rx.Component:
    q = S.query
    return rx.el.form(
        rx.el.div(
            rx.el.label(S.tr["claims.search"], html_for="cl-q", class_name="cw-label"),
            rx.el.input(
                type="search",
                name="q",
                id="cl-q",
                default_value=q.text,
                max_length=40,
                aria_describedby="cl-q-help",
                class_name="cw-field",
            ),
            rx.el.p(S.tr["claims.search_help"], id="cl-q-help", class_name="cw-small"),
            class_name="cw-form-row cl-search",
        ),
        _select(
            S.tr["claims.type"],
            "type",
            "cl-type",
            q.claim_type,
            [_option(S.tr["claims.all"], ""), _choices(S.type_options)],
        ),
        _select(
            S.tr["claims.status"],
            "status",
            "cl-status",
            q.status,
            [
                _option(S.tr["claims.status_open"], STATUS_OPEN),
                _option(S.tr["claims.all"], ""),
                _choices(S.status_options),
            ],
        ),
        _select(
            S.tr["claims.owner"],
            "owner",
            "cl-owner",
            q.owner,
            [
                _option(S.tr["claims.all"], ""),
                _option(S.tr["claims.owner_mine"], OWNER_MINE),
                _option(S.tr["claims.owner_unassigned"], OWNER_NONE),
            ],
        ),
        _date(S.tr["claims.from"], "from", "cl-from", q.submitted_from),
        _date(S.tr["claims.to"], "to", "cl-to", q.submitted_to),
        _select(
            S.tr["claims.sort"],
            "sort",
            "cl-sort",
            q.sort,
            [
                _option(S.tr["claims.sort_oldest"], SORT_OLDEST),
                _option(S.tr["claims.sort_newest"], SORT_NEWEST),
            ],
        ),
        rx.el.button(S.tr["claims.apply"], type="submit", class_name="cw-send"),
        on_submit=S.search,
        role="search",
        aria_label=S.tr["claims.filters"],
        class_name="ag-inline cl-filters",
    )


def _cell(label: Any, *children: Any, **props: Any) -> rx.Component:
    """A cell that names its column, so a row still reads as a card on a phone."""
    return rx.el.td(rx.el.div(*children, class_name="cl-cell"), data_label=label, **props)


def _list() -> rx.Component:
    tr = S.tr
    return rx.el.section(
        rx.el.h2(tr["claims.list"], class_name="cw-h2", id="cl-list-h"),
        _search(),
        rx.el.p(
            S.count_text,
            role="status",
            class_name="cw-small",
        ),
        rx.el.div(
            data_table(
                headers=[
                    tr["claims.reference"],
                    tr["claims.customer"],
                    tr["claims.policy"],
                    tr["claims.type"],
                    tr["claims.status"],
                    tr["claims.owner"],
                    tr["claims.age"],
                    tr["claims.action"],
                ],
                items=S.claims,
                count=S.claims.length(),  # type: ignore[attr-defined]
                empty_text=tr["claims.none"],
                labelled_by="cl-list-h",
                key=lambda c: c.id,
                row=lambda c: [
                    _cell(tr["claims.reference"], c.reference, class_name="cl-ref"),
                    _cell(tr["claims.customer"], c.customer),
                    _cell(
                        tr["claims.policy"],
                        c.policy,
                        rx.cond(c.plate != "", rx.el.span(c.plate, class_name="cl-plate")),
                    ),
                    _cell(tr["claims.type"], c.type),
                    _cell(tr["claims.status"], c.status),
                    _cell(tr["claims.owner"], c.owner),
                    _cell(
                        tr["claims.age"],
                        c.age,
                        rx.cond(c.late != "", rx.el.span(c.late, class_name="cl-late")),
                    ),
                    rx.el.td(
                        rx.el.button(
                            tr["claims.open"],
                            " ",
                            c.reference,
                            type="button",
                            on_click=S.ask_reason(c.id),
                            class_name="cw-chip",
                        ),
                        class_name="cl-action",
                    ),
                ],
            ),
            class_name="cl-list",
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
            rx.cond(
                S.open_error_key != "",
                rx.el.p(S.tr[S.open_error_key], class_name="cw-guard"),
            ),
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


def _document(f: Any) -> rx.Component:
    """A preview that opens the file itself (a photo full size in a new tab, a PDF download);
    both come from the cookie-checked, audited file routes."""
    return rx.el.li(
        rx.el.a(
            rx.cond(
                f.kind != "file",
                rx.el.img(src=PREVIEW_PREFIX + f.id, alt="", loading="lazy", class_name="cl-thumb"),
            ),
            rx.el.span(f.name, class_name="cl-doc-name"),
            rx.el.span(
                rx.match(
                    f.kind,
                    ("image", S.tr["claims.doc_opens_large"]),
                    ("pdf", S.tr["claims.doc_pdf"]),
                    S.tr["claims.doc_download"],
                ),
                class_name="cw-small",
            ),
            href=PREFIX + f.id,
            target="_blank",
            rel="noopener noreferrer",
            class_name="cl-doc",
        ),
        key=f.id,
    )


def _owner() -> rx.Component:
    return rx.el.div(
        rx.cond(
            S.mine,
            rx.fragment(),
            rx.el.button(S.tr["claims.take"], type="button", on_click=S.take, class_name="cw-chip"),
        ),
        rx.el.form(
            rx.el.label(S.tr["claims.assign_to"], html_for="cl-assign", class_name="cw-label"),
            rx.el.select(
                rx.el.option(S.tr["claims.choose_person"], value="", disabled=True),
                rx.foreach(S.handlers, lambda h: rx.el.option(h[1], value=h[0])),
                name="owner",
                id="cl-assign",
                default_value="",
                required=True,
                class_name="cw-select",
            ),
            rx.el.button(S.tr["claims.assign"], type="submit", class_name="cw-chip"),
            on_submit=S.assign,
            reset_on_submit=True,
            class_name="ag-inline",
        ),
        class_name="cl-owner",
    )


def _status_form() -> rx.Component:
    return rx.cond(
        S.confirm_status != "",
        rx.el.div(
            rx.el.p(S.confirm_text, id="cl-confirm-text", class_name="cl-confirm-text"),
            rx.el.button(
                S.tr["claims.confirm_yes_" + S.confirm_status],
                type="button",
                id="cl-confirm-yes",
                on_click=S.confirm,
                aria_describedby="cl-confirm-text",
                class_name="cw-send",
            ),
            rx.el.button(
                S.tr["claims.confirm_no"],
                type="button",
                on_click=S.cancel_confirm,
                class_name="cw-chip",
            ),
            role="group",
            aria_labelledby="cl-confirm-text",
            class_name="ag-inline cl-confirm",
        ),
        rx.el.form(
            rx.el.label(S.tr["claims.new_status"], html_for="cl-new", class_name="cw-label"),
            # No status is preselected: the first option is a prompt the browser refuses to
            # submit (required), and the server refuses an empty or unknown choice as well.
            rx.el.select(
                rx.el.option(S.tr["claims.choose"], value="", disabled=True),
                rx.foreach(S.d.next, lambda o: rx.el.option(o[1], value=o[0])),
                name="status",
                id="cl-new",
                default_value="",
                required=True,
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
    )


def _fact(label: Any, *value: Any, **props: Any) -> rx.Component:
    return rx.el.div(rx.el.dt(label), rx.el.dd(*value, **props))


def _facts() -> rx.Component:
    d, tr = S.d, S.tr
    return rx.el.dl(
        _fact(tr["claims.type"], d.type),
        _fact(tr["claims.status"], d.status, id="cl-current-status"),
        _fact(tr["claims.customer"], d.customer),
        _fact(tr["claims.policy"], d.policy),
        _fact(tr["claims.submitted"], d.submitted),
        _fact(
            tr["claims.age"],
            d.age,
            rx.cond(d.late != "", rx.el.span(d.late, class_name="cl-late")),
        ),
        _fact(tr["claims.owner"], d.owner, id="cl-owner-now"),
        class_name="ag-dl cl-facts",
    )


def _content() -> rx.Component:
    """What the customer sent: the answers once, the documents, the conversation folded."""
    d = S.d
    return rx.el.div(
        rx.el.h3(S.tr["claims.answers"], class_name="cw-h3"),
        rx.el.dl(
            rx.foreach(
                d.answers,
                lambda a: rx.el.div(rx.el.dt(a.label), rx.el.dd(a.text), key=a.id),
            ),
            class_name="ag-dl cl-answers",
        ),
        rx.el.h3(S.tr["claims.documents"], class_name="cw-h3"),
        rx.cond(
            d.files.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(S.tr["claims.no_documents"], class_name="cw-small"),
            rx.el.ul(rx.foreach(d.files, _document), class_name="cl-files"),
        ),
        rx.cond(
            d.transcript.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(S.tr["claims.no_transcript"], class_name="cw-small"),
            rx.el.details(
                rx.el.summary(d.transcript_label, class_name="cl-summary"),
                _lines(d.transcript, "cw-msgs"),
                class_name="cl-transcript",
            ),
        ),
        class_name="cl-main",
    )


def _handling() -> rx.Component:
    """What the handler does with it: take or pass it on, move the status; and its history."""
    d = S.d
    return rx.el.div(
        rx.el.div(
            rx.cond(
                S.status_error_key != "",
                rx.el.p(S.tr[S.status_error_key], class_name="cw-guard"),
            ),
            role="alert",
        ),
        rx.el.div(
            rx.cond(S.done_key != "", rx.el.p(S.tr[S.done_key], class_name="cl-done")),
            role="status",
        ),
        rx.el.h3(S.tr["claims.owner"], class_name="cw-h3"),
        _owner(),
        rx.el.h3(S.tr["claims.set_status"], class_name="cw-h3"),
        rx.cond(
            d.next.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(S.tr["claims.final_status"], class_name="cw-small"),
            _status_form(),
        ),
        rx.el.h3(S.tr["claims.history"], class_name="cw-h3"),
        _lines(d.history, "cl-history"),
        class_name="cl-side",
    )


def _detail() -> rx.Component:
    return rx.el.section(
        rx.el.div(
            rx.el.button(
                S.tr["claims.back"], type="button", on_click=S.close_detail, class_name="cw-chip"
            ),
            rx.el.h2(
                S.tr["claims.detail"],
                " ",
                S.d.reference,
                class_name="cw-h2",
                id="cl-detail-h",
                tab_index=-1,
            ),
            class_name="cl-detail-head",
        ),
        _facts(),
        rx.el.div(_content(), _handling(), class_name="cl-detail-grid"),
        aria_labelledby="cl-detail-h",
        class_name="ag-panel cl-detail",
    )


def claims_page() -> rx.Component:
    return rx.el.div(
        _stylesheet(),
        console_header(
            S,
            title=S.tr["claims.title"],
            current=CLAIMS_PAGE,
            on_locale=S.switch_locale,
            select_id="cl-lang",
        ),
        rx.el.main(
            rx.el.h1(S.tr["claims.title"], class_name="cw-visually-hidden"),
            rx.cond(
                S.authed,
                rx.cond(
                    S.d.id != "",
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
