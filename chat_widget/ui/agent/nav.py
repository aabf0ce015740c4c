"""The console's header and navigation, shared by the chat, claims and meetings pages.

Each employee sees links to the pages their roles open (``agents.console.PAGE_ROLES``) and to
no other: a link that only bounces to the login page, or silently to another console, is a
dead end. The roles are read from the console session (the HttpOnly cookie of the websocket
handshake) when the navigation mounts, never from anything the page sends; only the list of
pages reaches the browser.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_widget import agents
from chat_widget.ui import runtime
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.components import console_links
from chat_widget.ui.components.console_links import CONSOLE_PAGES, NavLink
from chat_widget.ui.components.native_form import native_form
from chat_widget.ui.locale_copy import LocaleCopy
from chat_widget.web import console_session


class NavState(LocaleCopy, AgentState):
    #: the console pages this employee's roles open (only this list reaches the browser)
    pages: list[str] = []

    @rx.var
    def links(self) -> list[NavLink]:
        """The links in menu order, labelled in the console language."""
        labels, texts = dict(CONSOLE_PAGES), self._texts()
        return [
            NavLink(page, texts.get(labels[page], page))
            for page, _ in CONSOLE_PAGES
            if page in self.pages
        ]

    @rx.event
    async def load_nav(self) -> None:
        self._copy_locale()
        token = self._session_token()
        roles = (
            await runtime.run_db(lambda s: agents.roles_of_session(session=s, token=token))
            if token
            else None
        )
        self.pages = [link.href for link in console_links.links_for(roles or [], {})]


def console_nav(current: str) -> rx.Component:
    """The employee's own console pages, ``current`` marked as the page: the same pages, names
    and markup as the supervisor view's ``console_links``. The mark is decided here, in the
    page, because moving between console pages does not remount a new state."""
    return rx.el.nav(
        rx.el.ul(
            rx.foreach(
                NavState.links,
                lambda link: rx.el.li(
                    rx.el.a(
                        link.label,
                        href=link.href,
                        aria_current=rx.cond(link.href == current, "page", "false"),
                        class_name="cw-chip ag-nav",
                    ),
                    key=link.href,
                ),
            ),
            class_name="sv-nav-list",
        ),
        aria_label=NavState.tr["supervisor.nav"],
        on_mount=NavState.load_nav,
        class_name="sv-nav ag-navbar",
    )


def logout_form(label: Any) -> rx.Component:
    """Logout is a plain POST: only the server can clear the HttpOnly session cookie."""
    return native_form(
        rx.el.button(label, type="submit", class_name="cw-chip"),
        action=console_session.LOGOUT_PATH,
        class_name="ag-logout",
    )


def console_header(
    state: Any, *, title: Any, current: str, on_locale: Any, select_id: str
) -> rx.Component:
    """Title, navigation, who is signed in, console language and logout, wrapping on phones."""
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
