"""The chat console's vars and session check, shared by the parts of ``AgentState``.

``AgentState`` (``ui.agent.state``) is one Reflex state made of mixins, so the browser sees
one state with the same var and event names; this mixin holds every var, the labels computed
from them, and the session check each handler starts with.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from chat_widget import agents, i18n, live_chat
from chat_widget.agents.presence import IdleWatch
from chat_widget.agents.records import Presence, Role
from chat_widget.domain.models import Message
from chat_widget.i18n import LOCALES, catalog
from chat_widget.live_chat import handoff, sides
from chat_widget.live_chat.console_view import (
    ChatTab,
    EarlierRow,
    NoteRow,
    QueueRow,
    TextRow,
    colleague_rows,
)
from chat_widget.live_chat.realtime import LocalTypingBoard, RedisTypingBoard, typing_board
from chat_widget.settings import get_settings
from chat_widget.ui import runtime
from chat_widget.ui.agent.binding import session_digest
from chat_widget.ui.agent.console_auth import sso_start_url
from chat_widget.ui.chat_items import ChatItem, to_item
from chat_widget.ui.state_pickle import without_recomputed
from chat_widget.ui.transcript_parts import PART_VARS
from chat_widget.ui.transcript_state import AGENT_AUTHOR, TranscriptMixin
from chat_widget.web import console_session
from chat_widget.web.handler_files import agent_chat_file_url

LOGIN_ROUTE = "/agent/login"


def console_item(message: Message, locale: str) -> ChatItem:
    """A message as the console shows it; a file links to the console's own file route."""
    item = to_item(message, locale)
    if item.file_id:
        item.file_url = agent_chat_file_url(item.file_id)
    return item


def typing_indicators() -> LocalTypingBoard | RedisTypingBoard:
    """Who is typing where: shared through Redis when the app runs on several workers."""
    return typing_board(runtime.settings().redis_url)


class AgentBase(TranscriptMixin, mixin=True):
    locale: str = get_settings().default_locale
    authed: bool = False
    agent_name: str = ""
    presence: str = "offline"
    login_error_key: str = ""
    login_wait: str = ""
    login_next: str = ""
    #: how employees sign in here: the bank's identity provider, local passwords (not in
    #: production), or both (a demo with a local provider)
    sso_enabled: bool = False
    passwords_enabled: bool = False
    #: production without single sign-on: nobody can sign in (said once the page has loaded)
    login_unavailable: bool = False
    error_key: str = ""
    queue: list[QueueRow] = []
    chats: list[ChatTab] = []
    current_id: str = ""
    current_status: str = ""
    current_language: str = ""
    customer_typing: bool = False
    customer_read_seq: int = 0
    canned: list[TextRow] = []
    notes: list[NoteRow] = []
    colleagues: list[TextRow] = []
    ctx_topic: str = ""
    ctx_page: str = ""
    ctx_summary: str = ""
    ctx_device: bool = False
    ctx_device_text: str = ""
    earlier: list[EarlierRow] = []
    #: customer pane (live_chat.customer_pane): id = reference, text = the line, label = date
    cust_identified: bool = False
    cust_claims: list[TextRow] = []
    cust_meetings: list[TextRow] = []
    transcript_text: str = ""
    transcript_error_key: str = ""
    blocked_text: str = ""
    assigned_text: str = ""
    attach_error: str = ""
    #: the server's clock (epoch ms) when the console opened: the browser measures waits
    #: against it, not against its own clock, which may be off
    server_now_ms: int = 0

    #: The chat this tab had open, kept in its session storage: a fresh server-side state
    #: (restart, another worker) selects it again if the agent still holds it.
    resume_chat: str = rx.SessionStorage("", name="cw_agent_chat")

    _agent_id: str = ""
    #: digest of the session cookie this state was filled under (see ui.agent.binding)
    _bound_session: str = ""
    _first_name: str = ""
    _last_seq: int = 0
    _listen_gen: int = 0
    _known_chats: list[str] = []
    #: per held chat (last seq counted, unread): counted on from the bus's notes
    _unread_counts: dict[str, tuple[int, int]] = {}
    _idle: IdleWatch | None = None

    # Empty in the compiled pages (every page downloads every state's initial values): the
    # server sends the catalog on connect. Saves ~8 KB gzip on the customer's widget.
    @rx.var(initial_value={})
    def tr(self) -> dict[str, str]:
        return catalog(self.locale)

    def __getstate__(self) -> dict[str, Any]:
        """Scale-out mode: the catalog stays out of the state's pickle (``ui.state_pickle``)."""
        return without_recomputed(type(self), super().__getstate__())

    @rx.var
    def error_text(self) -> str:
        return self.tr.get(self.error_key, "") if self.error_key else ""

    @rx.var
    def login_error(self) -> str:
        if not self.login_error_key:
            return ""
        if self.login_wait.isdigit():  # the plural form for the count (gettext)
            return i18n.tn(
                self.locale, self.login_error_key, int(self.login_wait), seconds=self.login_wait
            )
        return self.tr.get(self.login_error_key, "")

    @rx.var
    def sso_login_url(self) -> str:
        return sso_start_url(self.login_next)

    @rx.var
    def transcript_error(self) -> str:
        key = self.transcript_error_key
        return self.tr.get(key, "") if key else ""

    @rx.var
    def signed_in_as(self) -> str:
        return self.tr["agent.signed_in_as"].format(name=self.agent_name)

    @rx.var(deps=[*PART_VARS, "customer_read_seq"], auto_deps=False)
    def read_by_customer(self) -> bool:
        mine = self._last_seq_of(AGENT_AUTHOR)
        return bool(mine) and self.customer_read_seq >= mine

    @rx.var
    def presence_options(self) -> list[list[str]]:
        return [[p.value, self.tr[f"agent.presence.{p.value}"]] for p in Presence]

    @rx.var
    def reason_options(self) -> list[list[str]]:
        return [[r, self.tr[f"agent.reason.{r}"]] for r in live_chat.CLOSE_REASONS]

    @rx.var
    def locale_options(self) -> list[list[str]]:
        return [[loc, self.tr[f"lang.{loc}"]] for loc in LOCALES]

    @rx.var
    def idle_seconds(self) -> int:
        """CW_AGENT_IDLE_SECONDS, for the console script's tick rate."""
        return runtime.settings().agent_idle_seconds

    # --- session ----------------------------------------------------------------------------

    def _session_token(self) -> str:
        """The console cookie sent with this connection's handshake; '' without one."""
        return console_session.token_from_cookie_header(
            self.router.headers.cookie, secure=runtime.settings().public_url.startswith("https")
        )

    async def _require(self) -> str | None:
        """The agent's id if the console session is valid (slides its expiry), else None."""
        token = self._session_token()
        if not token:
            self._forget()
            return None

        def work(s: Session) -> tuple[str, str, str]:
            agent = agents.require_role(session=s, session_token=token, role=Role.AGENT)
            return agent.id, agent.display_name, agent.first_name

        try:
            agent_id, name, first = await runtime.run_db(work)
        except (agents.NotAuthenticated, agents.NotAuthorized):
            self._forget()
            return None
        self._agent_id, self.agent_name, self._first_name = agent_id, name, first
        self._bound_session = session_digest(token)
        self.authed = True
        return agent_id

    def _to_login(self) -> EventSpec:
        """To the login page, which brings the employee back to this page afterwards."""
        page = console_session.safe_next(self.router.url.path)
        return rx.redirect(f"{LOGIN_ROUTE}?next={page}" if page else LOGIN_ROUTE)

    def _forget(self) -> None:
        self._bound_session = ""
        self._agent_id = ""
        self.agent_name = ""
        self.authed = False
        self.current_id = ""
        self._set_transcript([])
        self.queue = []
        self.chats = []
        self._known_chats = []
        self._unread_counts = {}
        self.assigned_text = ""
        self._listen_gen += 1  # stops a running listener

    # --- shared by the parts ----------------------------------------------------------------

    def _show(self, messages: list[Message]) -> None:
        """Add the messages the open chat does not show yet, in order (each assignment is
        pushed to the browser, so nothing is assigned when nothing is new)."""
        self._merge_transcript([console_item(m, self.locale) for m in messages])

    async def _load_static(self) -> None:
        agent_id = self._agent_id
        people = await runtime.run_db(
            lambda s: [
                (a.id, a.display_name) for a in sides.colleagues(session=s, agent_id=agent_id)
            ]
        )
        self.colleagues = colleague_rows(people)

    async def _load_notes(self, conversation_id: str) -> None:
        rows = await runtime.run_db(
            lambda s: [
                NoteRow(id=n.id, text=n.body, author=n.author, handover=n.handover)
                for n in handoff.notes_with_authors(session=s, conversation_id=conversation_id)
            ]
        )
        self.notes = rows
