"""The console's list tables: column headers, one row per item, a text when there are none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx


def data_table(
    *,
    headers: list[Any],
    items: Any,
    row: Callable[[Any], list[rx.Component]],
    count: Any,
    empty_text: Any,
    labelled_by: str | None = None,
    key: Callable[[Any], Any] | None = None,
) -> rx.Component:
    """``headers`` are the column titles; ``row(item)`` gives the cells of one item."""
    return rx.cond(
        count == 0,
        rx.el.p(empty_text, class_name="cw-small"),
        rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(h, scope="col") for h in headers])),
            rx.el.tbody(
                rx.foreach(
                    items,
                    lambda item: rx.el.tr(*row(item), **({"key": key(item)} if key else {})),
                )
            ),
            class_name="ag-table",
            **({"aria_labelledby": labelled_by} if labelled_by else {}),
        ),
    )
