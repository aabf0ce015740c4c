"""Console navigation: each employee sees links to the console pages their roles open, and
to no other (``agents.console.PAGE_ROLES`` decides, the same rule the pages enforce).

A console state fills a ``list[NavLink]`` var with :func:`links_for` (the employee's roles,
its catalog, the current page) and renders it with :func:`console_nav`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import reflex as rx

from chat_widget.agents.console import (
    CHAT_PAGE,
    CLAIMS_PAGE,
    MEETINGS_PAGE,
    SUPERVISOR_PAGE,
    may_open,
)
from chat_widget.i18n import catalog
from chat_widget.settings import get_settings

#: Console pages in menu order, with the catalog key of their link text.
CONSOLE_PAGES: tuple[tuple[str, str], ...] = (
    (CHAT_PAGE, "supervisor.to_console"),
    (CLAIMS_PAGE, "claims.title"),
    (MEETINGS_PAGE, "meetings.title"),
    (SUPERVISOR_PAGE, "supervisor.title"),
)


@dataclass
class NavLink:
    href: str
    label: str
    current: bool = False


def links_for(roles: Iterable[str], tr: Mapping[str, str], current: str = "") -> list[NavLink]:
    held = list(roles)
    return [
        NavLink(page, tr.get(key, key), page == current)
        for page, key in CONSOLE_PAGES
        if may_open(held, page)
    ]


def page_title(tr: Any, key: str) -> Any:
    """A console page's tab title, in the console's language like the page it names (and
    changing with it). ``tr`` is empty in the compiled page until the server sends the
    catalog, so the default locale's words stand in: the title is never blank."""
    return tr[key] | catalog(get_settings().default_locale)[key]


def console_nav(links: Any, *, label: Any) -> rx.Component:
    """The links as a labelled ``nav``; the current page is marked ``aria-current``."""
    return rx.el.nav(
        rx.el.ul(
            rx.foreach(
                links,
                lambda link: rx.el.li(
                    rx.el.a(
                        link.label,
                        href=link.href,
                        aria_current=rx.cond(link.current, "page", "false"),
                        class_name="cw-chip ag-nav",
                    ),
                    key=link.href,
                ),
            ),
            class_name="sv-nav-list",
        ),
        aria_label=label,
        class_name="sv-nav",
    )
