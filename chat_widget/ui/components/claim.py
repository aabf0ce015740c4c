"""myBo: claim type choice, one question at a time, uploads, summary, confirmation, my claims.

Every answer and label is rendered as text (React escapes it). Forms are uncontrolled and read
on submit; ``key`` changes with each render so a pre-filled value shows after "back"/"change".
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget.ui.claim_state import UPLOAD_ID, ClaimState
from chat_widget.ui.components.dropzone import UploadProgress, dropzone

C = ClaimState
INPUT_ID = "cw-claim-input"
ERROR_ID = "cw-claim-error"
HELP_ID = "cw-claim-help"


def _heading(text: Any) -> rx.Component:
    return rx.el.h2(text, id="cw-claim-heading", tab_index=-1, class_name="cw-h2 cw-claim-h")


def _error_area() -> rx.Component:
    # Always in the page so screen readers announce the reason as soon as it appears.
    return rx.el.div(
        rx.cond(C.error != "", rx.el.p(C.error, class_name="cw-claim-error")),
        id=ERROR_ID,
        role="alert",
    )


def _nav_buttons() -> rx.Component:
    return rx.el.div(
        rx.el.button(C.ct["back"], type="button", on_click=C.back, class_name="cw-link-btn"),
        rx.cond(
            ~C.q_required & (C.q_type != "files"),
            rx.el.button(
                C.tr["claim.skip"], type="button", on_click=C.skip, class_name="cw-link-btn"
            ),
        ),
        class_name="cw-claim-nav",
    )


def _text_question() -> rx.Component:
    common: dict[str, Any] = {
        "name": "value",
        "id": INPUT_ID,
        "default_value": C.q_value,
        "aria_labelledby": "cw-claim-q",
        "aria_describedby": f"{HELP_ID} {ERROR_ID}",
        "aria_invalid": rx.cond(C.error != "", "true", "false"),
        "aria_required": rx.cond(C.q_required, "true", "false"),
        "auto_complete": "off",
        "class_name": "cw-input cw-claim-field",
    }
    return rx.el.form(
        rx.cond(
            C.q_multiline,
            rx.el.textarea(rows=4, max_length=4000, **common),
            rx.el.input(
                type=C.q_input_type,
                input_mode=rx.cond(C.q_type == "amount", "decimal", "text"),
                **common,
            ),
        ),
        _error_area(),
        rx.el.button(C.tr["claim.next"], type="submit", class_name="cw-send", disabled=C.busy),
        on_submit=C.submit_answer,
        key=C.q_key,
        class_name="cw-claim-form",
    )


def _choice_question() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.foreach(
                C.q_options,
                lambda o: rx.el.button(
                    o.label,
                    type="button",
                    on_click=C.pick(o.id),
                    class_name=rx.cond(C.q_value == o.id, "cw-chip cw-chip--on", "cw-chip"),
                    aria_pressed=rx.cond(C.q_value == o.id, "true", "false"),
                    disabled=C.busy,
                ),
            ),
            role="group",
            aria_labelledby="cw-claim-q",
            class_name="cw-chips",
        ),
        _error_area(),
    )


def _yes_no_question() -> rx.Component:
    def _btn(value: str, label: Any) -> rx.Component:
        chosen = C.q_value == value
        return rx.el.button(
            label,
            type="button",
            on_click=C.pick(value),
            class_name=rx.cond(chosen, "cw-chip cw-chip--on", "cw-chip"),
            aria_pressed=rx.cond(chosen, "true", "false"),
            disabled=C.busy,
        )

    return rx.el.div(
        rx.el.div(
            _btn("yes", C.ct["yes"]),
            _btn("no", C.ct["no"]),
            role="group",
            aria_labelledby="cw-claim-q",
            class_name="cw-chips",
        ),
        _error_area(),
    )


def _file_link(f: Any) -> rx.Component:
    """The file's name as a link; a photo shows as a thumbnail too (decorative: the name is
    the link's text)."""
    return rx.el.a(
        rx.cond(
            f.thumb != "",
            rx.el.img(src=f.thumb, alt="", loading="lazy", class_name="cw-thumb"),
        ),
        rx.el.span(f.name),
        href=f.url,
        target="_blank",
        rel="noopener noreferrer",
        class_name="cw-link cw-file-link",
    )


def _files_question() -> rx.Component:
    return rx.el.div(
        dropzone(
            upload_id=UPLOAD_ID,
            choose_label=C.tr["claim.files_choose"],
            hint=C.tr["claim.files_drop"],
            on_files=C.receive_files,
            multiple=True,
            disabled=C.uploading | C.busy,
            on_rejected=C.drop_rejected,
            progress=UploadProgress(
                active=C.uploading,
                value=C.upload_progress,
                label=C.tr["claim.files_progress"],
                on_change=C.upload_progress_changed,
            ),
        ),
        rx.el.div(
            rx.cond(
                C.file_reports.length() > 0,  # type: ignore[attr-defined]
                rx.el.ul(
                    rx.foreach(
                        C.file_reports,
                        lambda r: rx.el.li(
                            rx.el.span(r.name, class_name="cw-file-name"),
                            ": ",
                            rx.el.span(r.text),
                            class_name=rx.cond(r.ok, "cw-file-ok", "cw-file-bad"),
                        ),
                    ),
                    class_name="cw-file-reports",
                ),
            ),
            id="cw-claim-file-reports",
            tab_index=-1,
            role="alert",
            aria_label=C.tr["claim.files_reports"],
        ),
        rx.cond(
            C.files.length() > 0,  # type: ignore[attr-defined]
            rx.el.div(
                rx.el.h3(C.tr["claim.files_list"], class_name="cw-h3"),
                rx.el.ul(
                    rx.foreach(
                        C.files,
                        lambda f: rx.el.li(
                            _file_link(f),
                            rx.el.button(
                                C.tr["claim.remove"],
                                rx.el.span(" ", f.name, class_name="cw-visually-hidden"),
                                type="button",
                                on_click=C.remove_file(f.id),
                                class_name="cw-link-btn",
                            ),
                            class_name="cw-file",
                        ),
                    ),
                    class_name="cw-files",
                ),
            ),
        ),
        _error_area(),
        rx.el.button(
            C.tr["claim.next"],
            type="button",
            on_click=C.continue_files,
            class_name="cw-send",
            disabled=C.uploading | C.busy,
        ),
        class_name="cw-claim-form",
    )


def _progress() -> rx.Component:
    """Step k of n: in words for everyone, and as a bar (named by the words)."""
    return rx.cond(
        C.q_steps > 0,
        rx.el.div(
            rx.el.p(C.progress_text, id="cw-claim-progress", class_name="cw-small"),
            rx.el.progress(
                value=C.q_step,
                max=C.q_steps,
                aria_labelledby="cw-claim-progress",
                class_name="cw-progress cw-claim-progress",
            ),
            class_name="cw-claim-progress-row",
        ),
    )


def question_view() -> rx.Component:
    return rx.el.div(
        rx.el.p(C.claim_type_label, class_name="cw-small"),
        _progress(),
        rx.el.h2(C.q_label, id="cw-claim-q", tab_index=-1, class_name="cw-h2 cw-claim-h"),
        rx.el.p(
            rx.cond(C.q_help != "", C.q_help, ""),
            rx.cond(~C.q_required, rx.el.span(" (", C.ct["optional"], ")"), ""),
            id=HELP_ID,
            class_name="cw-small",
        ),
        rx.match(
            C.q_type,
            ("choice", _choice_question()),
            ("yes_no", _yes_no_question()),
            ("files", _files_question()),
            _text_question(),
        ),
        _nav_buttons(),
        class_name="cw-claim-step",
    )


def summary_view() -> rx.Component:
    return rx.el.div(
        _heading(C.ct["summary_title"]),
        rx.el.ul(
            rx.foreach(
                C.summary,
                lambda row: rx.el.li(
                    rx.el.span(row.label, class_name="cw-sum-label"),
                    rx.el.span(row.value, class_name="cw-sum-value"),
                    rx.cond(
                        row.files.length() > 0,
                        rx.el.ul(
                            rx.foreach(row.files, lambda f: rx.el.li(_file_link(f))),
                            class_name="cw-files",
                        ),
                    ),
                    rx.el.button(
                        C.ct["edit"],
                        rx.el.span(": ", row.label, class_name="cw-visually-hidden"),
                        type="button",
                        on_click=C.edit(row.question_id),
                        class_name="cw-link-btn",
                    ),
                    class_name="cw-sum-row",
                ),
            ),
            class_name="cw-summary",
        ),
        rx.cond(C.missing, rx.el.p(C.tr["claim.missing"], class_name="cw-notice")),
        _error_area(),
        rx.el.button(
            C.ct["submit"],
            type="button",
            on_click=C.send_claim,
            class_name="cw-send",
            disabled=C.busy | C.missing,
        ),
        rx.el.button(C.ct["back"], type="button", on_click=C.back, class_name="cw-link-btn"),
        class_name="cw-claim-step",
    )


def types_view() -> rx.Component:
    return rx.el.div(
        _heading(C.tr["claim.choose_type"]),
        rx.el.p(C.tr["claim.intro"], class_name="cw-text"),
        rx.foreach(
            C.type_groups,
            lambda g: rx.el.div(
                rx.el.h3(g.label, class_name="cw-h3"),
                rx.el.ul(
                    rx.foreach(
                        g.types,
                        lambda t: rx.el.li(
                            rx.el.button(
                                t.label,
                                type="button",
                                on_click=C.start(t.type),
                                class_name="cw-chip cw-claim-type",
                                disabled=C.busy,
                            )
                        ),
                    ),
                    class_name="cw-claim-types",
                ),
            ),
        ),
        rx.cond(
            C.my_claims.length() > 0,  # type: ignore[attr-defined]
            rx.el.button(
                C.tr["claim.my_claims"],
                type="button",
                on_click=C.show_my_claims,
                class_name="cw-link-btn",
            ),
        ),
        class_name="cw-claim-step",
    )


def done_view() -> rx.Component:
    return rx.el.div(
        _heading(C.tr["claim.done_title"]),
        rx.cond(
            C.reference != "",
            rx.el.p(C.confirmation, class_name="cw-text cw-claim-done"),
            rx.el.p(C.tr["claim.not_sent"], class_name="cw-notice"),
        ),
        rx.el.button(
            C.tr["claim.my_claims"], type="button", on_click=C.show_my_claims, class_name="cw-chip"
        ),
        rx.el.button(
            C.tr["claim.another"], type="button", on_click=C.new_claim, class_name="cw-link-btn"
        ),
        class_name="cw-claim-step",
    )


def list_view() -> rx.Component:
    return rx.el.div(
        _heading(C.tr["claim.my_claims"]),
        rx.cond(
            C.my_claims.length() > 0,  # type: ignore[attr-defined]
            rx.el.ul(
                rx.foreach(
                    C.my_claims,
                    lambda c: rx.el.li(
                        rx.el.span(c.reference, class_name="cw-sum-label"),
                        rx.el.span(c.type_label),
                        rx.el.span(
                            C.tr["claim.submitted_on"], " ", c.submitted, class_name="cw-small"
                        ),
                        rx.el.span(
                            C.tr["claim.status"], ": ", c.status, class_name="cw-claim-status"
                        ),
                        class_name="cw-sum-row",
                    ),
                ),
                class_name="cw-summary",
            ),
            rx.el.p(C.tr["claim.no_claims"], class_name="cw-text"),
        ),
        rx.el.button(C.tr["claim.new"], type="button", on_click=C.new_claim, class_name="cw-chip"),
        class_name="cw-claim-step",
    )


def claim_body() -> rx.Component:
    return rx.el.div(
        rx.match(
            C.phase,
            ("question", question_view()),
            ("summary", summary_view()),
            ("done", done_view()),
            ("list", list_view()),
            types_view(),
        ),
        class_name="cw-claim",
        aria_busy=rx.cond(C.busy, "true", "false"),
    )
