"""The console's header and navigation, shared by the chat, claims and meetings pages.

Each employee sees links to the pages their roles open (``agents.console.PAGE_ROLES``) and to
no other: a link that only bounces to the login page, or silently to another console, is a
dead end. The roles are read from the console session (the HttpOnly cookie of the websocket
handshake) when the navigation mounts, never from anything the page sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import reflex as rx

from chat_widget import agents
from chat_widget.agents.console import (
    CHAT_PAGE,
    CLAIMS_PAGE,
    MEETINGS_PAGE,
    SUPERVISOR_PAGE,
    may_open,
)
from chat_widget.ui import runtime
from chat_widget.ui.agent.state import AgentState

#: The console's pages in the order the navigation lists them, with their label keys.
NAV_PAGES: tuple[tuple[str, str], ...] = (
    (CHAT_PAGE, "nav.chat"),
    (MEETINGS_PAGE, "nav.meetings"),
    (CLAIMS_PAGE, "nav.claims"),
    (SUPERVISOR_PAGE, "nav.supervisor"),
)


def pages_for(roles: Iterable[str]) -> list[str]:
    """The console pages these roles may open, in navigation order."""
    held = set(roles)
    return [page for page, _ in NAV_PAGES if may_open(held, page)]


class NavState(AgentState):
    pages: list[str] = []

    @rx.var
    def links(self) -> list[list[str]]:
        """[href, label] of each page the employee may open, in the console language."""
        labels = dict(NAV_PAGES)
        return [[page, self.tr[labels[page]]] for page in self.pages]

    @rx.event
    async def load_nav(self) -> None:
        token = self._session_token()
        roles = (
            await runtime.run_db(lambda s: agents.roles_of_session(session=s, token=token))
            if token
            else None
        )
        self.pages = pages_for(roles or [])


def console_nav(current: str) -> rx.Component:
    """The links to the employee's own console pages; ``current`` is marked as the page."""
    return rx.el.nav(
        rx.el.ul(
            rx.foreach(
                NavState.links,
                lambda link: rx.el.li(
                    rx.el.a(
                        link[1],
                        href=link[0],
                        aria_current=rx.cond(link[0] == current, "page", "false"),
                        class_name="cw-chip ag-nav",
                    ),
                    key=link[0],
                ),
            ),
            class_name="ag-nav-list",
        ),
        aria_label=NavState.tr["nav.label"],
        on_mount=NavState.load_nav,
        class_name="ag-navbar",
    )


def console_header(
    state: Any, *, title: Any, current: str, on_locale: Any, select_id: str
) -> rx.Component:
    """Title, navigation, who is signed in, console language and logout, wrapping on phones."""
    from chat_widget.ui.agent.pages import logout_form  # pages imports console_nav from here

    return rx.el.header(
        rx.el.p(title, class_name="cw-brand ag-brand"),
        console_nav(current),
        rx.cond(state.authed, rx.el.span(state.signed_in_as, class_name="ag-who")),
        rx.el.label(
            state.tr["agent.lang_label"], html_for=select_id, class_name="cw-visually-hidden"
        ),
        rx.el.select(
            rx.foreach(state.locale_options, lambda o: rx.el.option(o[1], value=o[0])),
            id=select_id,
            value=state.locale,
            on_change=on_locale,
            class_name="cw-lang",
        ),
        logout_form(state.tr["agent.logout"]),
        class_name="cw-header ag-header",
    )
