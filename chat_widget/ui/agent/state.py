"""Agent console state: login page, queue, conversations, side panel. Thin handlers.

Every page load and every event re-checks the console session with ``agents.require_role``,
with the token of the HttpOnly cookie the browser sent on the websocket handshake
(``web.console_session``). Nothing the page's scripts can read or send (the Reflex tab token,
state, event payloads) authorises anything. A failure sends the browser to the login page.
Message text is plain data, rendered as text.

One Reflex state (the browser, ``bench/chat_load.py`` and the e2e tests address it by this
module's and this class's name), made of mixins by job: the vars and the session check
(``state_base``), the push loop (``state_listen``), chats and presence (``state_chats``), the
composer (``state_compose``), actions on the open chat (``state_actions``). The rules they
apply live in ``agents`` and ``live_chat`` (``console_sync``, ``console_view``, …).
"""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget import agents, live_chat
from chat_widget.i18n import LOCALES
from chat_widget.live_chat import resume
from chat_widget.live_chat.console_view import (
    ChatTab,
    EarlierRow,
    NoteRow,
    QueueRow,
    TextRow,
)
from chat_widget.ui import runtime
from chat_widget.ui.agent.console_auth import sso_start_url
from chat_widget.ui.agent.state_actions import ActionsMixin
from chat_widget.ui.agent.state_base import LOGIN_ROUTE
from chat_widget.ui.agent.state_chats import ChatsMixin
from chat_widget.ui.agent.state_compose import ComposeMixin
from chat_widget.ui.agent.state_listen import ListenMixin
from chat_widget.ui.connection import outbox_ready, resumed
from chat_widget.ui.locale_copy import follow_events
from chat_widget.web import console_session

__all__ = [
    "LOGIN_ROUTE",
    "AgentState",
    "ChatTab",
    "EarlierRow",
    "NoteRow",
    "QueueRow",
    "TextRow",
]


class AgentState(ListenMixin, ChatsMixin, ComposeMixin, ActionsMixin, rx.State):
    def _open_chat(self, conversation_id: str) -> EventSpec:
        return AgentState.select_chat(conversation_id)

    @rx.event
    async def on_login_page(self) -> EventSpec | None:
        """Already signed in: on to the console. Otherwise show why the last attempt failed
        (the login endpoints redirect here with ``?error=…``) and keep the asked page. With
        single sign-on as the only way in, go straight on to the identity provider, unless
        this page reports a failure or a sign-out (``agents.console.login_notice``)."""
        params = self.router.url.query_parameters
        settings = runtime.settings()
        self.sso_enabled = settings.oidc is not None
        self.passwords_enabled = settings.local_passwords
        self.login_unavailable = not (self.sso_enabled or self.passwords_enabled)
        self.login_next = console_session.safe_next(params.get("next"))
        token = self._session_token()
        if token:
            roles = await runtime.run_db(lambda s: agents.roles_of_session(session=s, token=token))
            if roles is not None and agents.opens_a_page(roles):
                return rx.redirect(agents.landing_page(roles, self.login_next))
        self._forget()
        notice = agents.login_notice(params, sso=self.sso_enabled, passwords=self.passwords_enabled)
        self.login_error_key, self.login_wait = notice.key, notice.wait
        if notice.to_provider:
            # A full page load: the provider is another site, not a route of this app.
            target = json.dumps(sso_start_url(self.login_next))
            return rx.call_script(f"window.location.assign({target})")
        return None

    @rx.event
    async def on_console_page(self) -> EventSpec | list[EventSpec] | None:
        if await self._require() is None:
            return self._to_login()
        await self._load_static()
        agent_id = self._agent_id
        # Chats held when the page loads are not "new"; anything routed after this is.
        self._known_chats = await runtime.run_db(
            lambda s: [c.id for c in live_chat.active_chats_for_agent(session=s, agent_id=agent_id)]
        )
        if not self.current_id:  # a fresh state: reselect the chat from the database
            wanted = self.resume_chat
            chosen = await runtime.run_db(
                lambda s: resume.console_chat(session=s, agent_id=agent_id, wanted=wanted)
            )
            if chosen:
                async for _ in self._select(agent_id, chosen):
                    pass
        return [AgentState.listen, outbox_ready("agent", AgentState.send_queued), resumed()]

    @rx.event
    def set_locale(self, value: str) -> list[EventSpec]:
        if value in LOCALES:
            self.locale = value
            return follow_events(AgentState)
        return []
