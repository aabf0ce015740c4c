"""The one file drop zone (claims, the customer's live chat, the console's replies).

Written once so the accessibility fixes stay in every copy: the hidden file input gets a
name, the keyboard reaches the zone through its button only (``no_keyboard``), and the
progress bar is named. Files are checked on the server, never here (no ``accept``, no size
limit), so the browser refuses nothing a server answer could explain better.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx


@dataclass(frozen=True)
class UploadProgress:
    """The progress bar under a zone: shown while ``active``, at ``value`` percent, named by
    ``label``; ``on_change`` receives the browser's progress reports."""

    active: Any
    value: Any
    label: Any
    on_change: Any


def label_file_input(component: rx.Component, label: Any) -> rx.Component:
    """rx.upload renders react-dropzone's visually hidden ``input type=file`` without a name;
    give it one (axe "label"), as it is what a screen reader meets inside the drop zone."""
    for child in component.children:
        if not isinstance(child, rx.Component):
            continue
        if child.tag == "input":
            child.custom_attrs["aria-label"] = label
        else:
            label_file_input(child, label)
    return component


def dropzone(
    *,
    upload_id: str,
    choose_label: Any,
    hint: Any,
    on_files: Any,
    multiple: bool,
    class_name: str = "cw-dropzone",
    disabled: Any = None,
    on_rejected: Any = None,
    progress: UploadProgress | None = None,
) -> rx.Component:
    """A button and a hint inside a drop zone; the dropped or chosen files go to ``on_files``
    (an upload event handler). The button's words also name the hidden file input."""
    upload = (
        rx.upload_files(upload_id=upload_id, on_upload_progress=progress.on_change)
        if progress is not None
        else rx.upload_files(upload_id=upload_id)
    )
    props: dict[str, Any] = {}
    if disabled is not None:
        props["disabled"] = disabled
    if on_rejected is not None:
        props["on_drop_rejected"] = on_rejected
    zone = label_file_input(
        rx.upload(
            rx.el.button(choose_label, type="button", class_name="cw-chip"),
            rx.el.p(hint, class_name="cw-small"),
            id=upload_id,
            multiple=multiple,
            no_keyboard=True,
            on_drop=on_files(upload),
            class_name=class_name,
            **props,
        ),
        choose_label,
    )
    if progress is None:
        return zone
    return rx.fragment(
        zone,
        rx.cond(
            progress.active,
            rx.el.div(
                rx.el.progress(
                    value=progress.value,
                    max=100,
                    aria_label=progress.label,
                    class_name="cw-progress",
                ),
                rx.el.span(progress.value, "%", class_name="cw-small"),
                class_name="cw-progress-row",
            ),
        ),
    )
