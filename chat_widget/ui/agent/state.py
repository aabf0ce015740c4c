"""Agent console state: login page, queue, conversations, side panel. Thin handlers.

Every page load and every event re-checks the console session with ``agents.require_role``,
with the token of the HttpOnly cookie the browser sent on the websocket handshake
(``web.console_session``). Nothing the page's scripts can read or send (the Reflex tab token,
state, event payloads) authorises anything. A failure sends the browser to the login page.
Message text is plain data, rendered as text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from chat_widget import agents, live_chat
from chat_widget.adapters.oidc import LogoutRequest
from chat_widget.agents import directory
from chat_widget.agents import presence as presence_rules
from chat_widget.agents.directory import Employee, RoleMap
from chat_widget.agents.presence import IdleWatch
from chat_widget.agents.records import Presence, Role
from chat_widget.domain.clock import epoch_ms, utcnow
from chat_widget.domain.models import Message
from chat_widget.files import FileRejected, UploadLimits
from chat_widget.guard.explain import explain
from chat_widget.i18n import LOCALES, catalog
from chat_widget.live_chat import attachments, canned, customer_pane, handoff, resume, sides
from chat_widget.live_chat.bus import RESYNC, bus
from chat_widget.live_chat.realtime import (
    QUEUE,
    TYPING_TTL,
    ExternalWrites,
    LocalTypingBoard,
    RedisTypingBoard,
    db_key,
    from_customer,
    notifier,
    read_key,
    typing_board,
    typing_key,
)
from chat_widget.settings import get_settings
from chat_widget.ui import runtime
from chat_widget.ui.agent.binding import session_digest
from chat_widget.ui.agent.customer_rows import pane_rows
from chat_widget.ui.chat_items import ChatItem, to_item
from chat_widget.ui.connection import outbox_ready, outbox_result, resumed
from chat_widget.ui.live_push import Liveness, external_writes
from chat_widget.web import console_session, oidc
from chat_widget.web.claim_files import ServedFile
from chat_widget.web.handler_files import agent_chat_file_url

log = logging.getLogger(__name__)

LOGIN_ROUTE = "/agent/login"
CONSOLE_ROUTE = "/agent"
CLAIMS_ROUTE = "/agent/claims"
#: Re-check the console session this often while a listener pushes updates without events.
REAUTH_SECONDS = 20.0
SESSION_MAX_AGE = 10 * 3600


@dataclass
class QueueRow:
    conversation_id: str
    waited: str
    topic: str
    language: str
    page: str
    summary: str


@dataclass
class ChatTab:
    conversation_id: str
    label: str
    language: str
    topic: str
    unread: str = ""
    #: epoch ms of the customer's first unanswered message (live_chat.waiting); 0 = answered.
    #: The browser counts from it (assets/agent-console.js), so the wait grows without events.
    waiting_since: int = 0


@dataclass
class TextRow:
    id: str
    text: str
    label: str = ""


@dataclass
class NoteRow:
    id: str
    text: str
    author: str = ""
    #: written with a transfer: what the receiving agent should read first
    handover: bool = False


@dataclass
class EarlierRow:
    conversation_id: str
    channel: str
    started: str
    topic: str
    summary: str


def _agent_delta(
    agent_id: str,
    conversation_id: str,
    after_seq: int,
    queue: bool,
    chats: bool,
    current: bool,
    session: Session,
) -> sides.AgentDelta:
    return sides.agent_delta(
        session=session,
        agent_id=agent_id,
        conversation_id=conversation_id,
        after_seq=after_seq,
        queue=queue,
        chats=chats,
        current=current,
    )


#: A console listener re-reads everything this rarely when nothing woke it (safety net).
RESYNC_SECONDS = 300.0
#: Marks "the agent opened another chat": read it at once, from seq 0.
_SELECTED = "*selected*"


def _chat_keys(held: list[str], current: str) -> set[str]:
    """What the console listens on per chat it holds: news in it (``c``), the customer's
    side (message, read receipt), other processes' writes; typing for the open one."""
    keys = {k for c in held for k in (c, from_customer(c), db_key(c))}
    if current:
        keys |= {current, from_customer(current), db_key(current), typing_key(current, "customer")}
    return keys


def _moved_for_agent(
    external: ExternalWrites | None, conversation_id: str, after: int, customer_read: int
) -> bool:
    """Did another process change the open conversation beyond what the console shows?"""
    version = external.version(conversation_id) if external is not None else None
    if not isinstance(version, tuple):
        return True
    return version[0] > after or version[3] != customer_read


def _agent_read(agent_id: str, conversation_id: str, seq: int, session: Session) -> None:
    sides.agent_read(session=session, agent_id=agent_id, conversation_id=conversation_id, seq=seq)


async def read_agent_chat_file(token: str, file_id: str) -> ServedFile | None:
    """For the console's file route: the attachment if the session's agent holds its chat.

    The console session is checked (and its role) on every request; the read is audited."""

    def work(session: Session) -> ServedFile | None:
        try:
            agent = agents.require_role(session=session, session_token=token, role=Role.AGENT)
        except (agents.NotAuthenticated, agents.NotAuthorized):
            return None
        found = attachments.open_for_agent(
            session=session, store=runtime.file_store(), agent_id=agent.id, file_id=file_id
        )
        if found is None:
            return None
        return ServedFile(found.data, found.meta.content_type, found.meta.original_name)

    return await runtime.run_db(work)


async def console_sign_in(
    username: str, password: str, client: str, asked: str
) -> console_session.SignedIn | console_session.Refused:
    """For the login endpoint: the use case, in a worker thread."""
    production = runtime.settings().is_production
    result = await runtime.run_db(
        lambda s: agents.sign_in(
            session=s,
            username=username,
            password=password,
            client=client,
            asked=asked,
            production=production,
        )
    )
    if result.token is None:
        return console_session.Refused(result.retry_after)
    return console_session.SignedIn(result.token, result.landing)


async def console_sign_out(token: str) -> None:
    await runtime.run_db(lambda s: agents.revoke_agent_session(session=s, token=token))


def sso_role_map() -> RoleMap:
    """The configured group → role/language map (empty without single sign-on)."""
    settings = runtime.settings()
    if settings.oidc is None:
        return RoleMap()
    return RoleMap(
        settings.oidc.role_map,
        settings.oidc.language_map,
        default_languages=(settings.default_locale,),
    )


async def console_sso_sign_in(employee: Employee, asked: str) -> oidc.SsoSignedIn | oidc.SsoRefused:
    """For the single sign-on callback: the validated employee in, a console session out."""
    role_map = sso_role_map()
    result = await runtime.run_db(
        lambda s: directory.sign_in_employee(
            session=s, employee=employee, role_map=role_map, asked=asked
        )
    )
    if result.token is None:
        return oidc.SsoRefused(result.refusal)
    return oidc.SsoSignedIn(result.token, result.landing)


async def console_sso_logout(request: LogoutRequest) -> int:
    """The identity provider ended the employee's session there: end it here too."""
    return await runtime.run_db(
        lambda s: directory.end_provider_sessions(
            session=s, issuer=request.issuer, subject=request.subject, sid=request.sid
        )
    )


async def reconcile_sso_roles() -> None:
    """Lifespan task: map every provider employee's stored groups with this start's map, so a
    group taken out of CW_OIDC_ROLE_MAP closes the console at its members' next request."""
    if runtime.settings().oidc is None:
        return
    role_map = sso_role_map()
    changed = await runtime.run_db(
        lambda s: directory.reconcile_roles(session=s, role_map=role_map)
    )
    if changed:
        log.info("single sign-on: roles of %d employee(s) changed with the role map", changed)


def sso_start_url(next_page: str) -> str:
    page = console_session.safe_next(next_page)
    return f"{oidc.LOGIN_PATH}?next={page}" if page else oidc.LOGIN_PATH


_LOGIN_ERRORS = {
    "invalid": "agent.login_failed",
    "sso": "agent.sso_failed",
    "norole": "agent.sso_norole",
}


def console_item(message: Message, locale: str) -> ChatItem:
    """A message as the console shows it; a file links to the console's own file route."""
    item = to_item(message, locale)
    if item.file_id:
        item.file_url = agent_chat_file_url(item.file_id)
    return item


def _typing() -> LocalTypingBoard | RedisTypingBoard:
    return typing_board(runtime.settings().redis_url)


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


class AgentState(rx.State):
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
    items: list[ChatItem] = []
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

    # Empty in the compiled pages (every page downloads every state's initial values): the
    # server sends the catalog on connect. Saves ~8 KB gzip on the customer's widget.
    @rx.var(initial_value={})
    def tr(self) -> dict[str, str]:
        return catalog(self.locale)

    @rx.var
    def error_text(self) -> str:
        return self.tr.get(self.error_key, "") if self.error_key else ""

    @rx.var
    def login_error(self) -> str:
        if not self.login_error_key:
            return ""
        return self.tr.get(self.login_error_key, "").format(seconds=self.login_wait)

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

    @rx.var
    def read_by_customer(self) -> bool:
        mine = [i.seq for i in self.items if i.author == "agent"]
        return bool(mine) and self.customer_read_seq >= mine[-1]

    @rx.var
    def presence_options(self) -> list[list[str]]:
        return [[p.value, self.tr[f"agent.presence.{p.value}"]] for p in Presence]

    @rx.var
    def reason_options(self) -> list[list[str]]:
        return [[r, self.tr[f"agent.reason.{r}"]] for r in live_chat.CLOSE_REASONS]

    @rx.var
    def locale_options(self) -> list[list[str]]:
        return [[loc, self.tr[f"lang.{loc}"]] for loc in LOCALES]

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
        self.items = []
        self.queue = []
        self.chats = []
        self._known_chats = []
        self.assigned_text = ""
        self._listen_gen += 1  # stops a running listener

    @rx.event
    async def on_login_page(self) -> EventSpec | None:
        """Already signed in: on to the console. Otherwise show why the last attempt failed
        (the login endpoints redirect here with ``?error=…``) and keep the asked page. With
        single sign-on as the only way in, go straight on to the identity provider, unless
        this page reports a failure or a sign-out (the provider would sign the employee
        straight back in, and a failure would loop)."""
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
        error = params.get("error", "")
        seconds = params.get("seconds", "")
        if error == "wait" and seconds.isdigit():
            self.login_error_key, self.login_wait = "agent.login_wait", seconds
        elif error in _LOGIN_ERRORS:
            self.login_error_key, self.login_wait = _LOGIN_ERRORS[error], ""
        elif params.get("signed_out"):
            self.login_error_key, self.login_wait = "agent.signed_out", ""
        else:
            self.login_error_key, self.login_wait = "", ""
            if self.sso_enabled and not self.passwords_enabled:
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
    def set_locale(self, value: str) -> None:
        if value in LOCALES:
            self.locale = value

    # --- live updates -----------------------------------------------------------------------

    @rx.event(background=True)
    async def listen(self) -> AsyncIterator[EventSpec | None]:
        """Push, not poll: sleep until the bus wakes the console, read only the parts the keys
        concern (the queue, the agent's chats, the open conversation's new messages), apply
        them under one state lock. One background task per console tab."""
        async with self:
            self._listen_gen += 1
            gen = self._listen_gen
            agent_id = self._agent_id
            liveness = Liveness(self.router.session.client_token)
            current, after = self.current_id, self._last_seq
            held = [c.conversation_id for c in self.chats]
        if not agent_id:
            return
        me = f"agent:{agent_id}"
        base = {QUEUE, me, db_key(QUEUE), db_key(me)}
        sub = bus().subscribe(base)
        external = external_writes()
        dirty: set[str] = {RESYNC}  # the first pass reads everything
        checked = last_full = time.monotonic()
        shown_typing = False
        shown_read = 0
        marked = ("", 0)
        try:
            while True:
                sub.set_keys(base | _chat_keys(held, current))
                now = time.monotonic()
                full = RESYNC in dirty or now - last_full >= RESYNC_SECONDS
                want_queue = full or bool(dirty & {QUEUE, db_key(QUEUE)})
                held_keys = _chat_keys(held, "") - {typing_key(current, "customer")}
                want_chats = full or bool(dirty & ({me, db_key(me)} | held_keys))
                want_current = bool(current) and (
                    full
                    or bool(dirty & {current, from_customer(current), _SELECTED})
                    or (
                        db_key(current) in dirty
                        and _moved_for_agent(external, current, after, shown_read)
                    )
                )
                typing_due = bool(current) and (
                    want_current or shown_typing or typing_key(current, "customer") in dirty
                )
                reauth = now - checked > REAUTH_SECONDS
                if not (want_queue or want_chats or want_current or typing_due or reauth):
                    if liveness.expired():
                        return
                    dirty = await sub.wait(self._sleep_for(now, checked, last_full, shown_typing))
                    continue
                if full:
                    last_full = now
                delta: sides.AgentDelta | None = None
                if want_queue or want_chats or want_current:
                    try:
                        delta = await runtime.run_db(
                            partial(
                                _agent_delta,
                                agent_id,
                                current,
                                after,
                                want_queue,
                                want_chats,
                                want_current,
                            )
                        )
                    except Exception:  # a database hiccup: read everything on the next pass
                        log.exception("console sync failed")
                        last_full = 0.0
                customer_typing = (
                    await _typing().is_typing(current, "customer") if typing_due else False
                )
                to_open = ""
                async with self:
                    if gen != self._listen_gen:
                        return
                    if reauth:
                        checked = time.monotonic()
                        if await self._require() is None:
                            yield self._to_login()
                            return
                    if delta is not None:
                        to_open = self._apply_delta(delta, current)
                    if self.current_id == current and self.customer_typing != customer_typing:
                        self.customer_typing = customer_typing
                    shown_typing = customer_typing and self.current_id == current
                    read_up_to = self._last_seq if self.current_id == current and current else 0
                    selected = self.current_id != current
                    current, after = self.current_id, self._last_seq
                    shown_read = self.customer_read_seq
                    held = [c.conversation_id for c in self.chats]
                if read_up_to and (current, read_up_to) != marked and not selected:
                    marked = (current, read_up_to)
                    try:
                        await runtime.run_db(partial(_agent_read, agent_id, current, read_up_to))
                        notifier.notify(read_key(current))
                    except live_chat.LiveChatError:
                        pass
                if to_open:
                    yield AgentState.select_chat(to_open)
                if liveness.expired():
                    return
                if selected:  # another chat was opened meanwhile: read it at once
                    dirty = {_SELECTED} | sub.pending()
                    continue
                dirty = await sub.wait(
                    self._sleep_for(time.monotonic(), checked, last_full, shown_typing)
                )
        finally:
            sub.close()

    @staticmethod
    def _sleep_for(now: float, checked: float, last_full: float, typing: bool = False) -> float:
        """Until the next session re-check, resync or (while the customer is shown typing)
        the indicator's expiry, whichever is first."""
        due = min(REAUTH_SECONDS - (now - checked), RESYNC_SECONDS - (now - last_full))
        if typing:
            due = min(due, TYPING_TTL / 2)
        return max(0.05, due)

    def _apply_delta(self, delta: sides.AgentDelta, current: str) -> str:
        """Assign only what was read and changed (every assignment is pushed to the browser);
        returns a routed chat to open, if any."""
        if delta.presence is not None and delta.presence != self.presence:
            self.presence = delta.presence
        if delta.colleagues is not None:
            people = [TextRow(id=i, text=name) for i, name in delta.colleagues]
            if people != self.colleagues:
                self.colleagues = people
        if delta.queue is not None:
            queue = [
                QueueRow(
                    conversation_id=e.conversation_id,
                    waited=self.tr["agent.minutes"].format(n=_minutes(e.waited)),
                    topic=self._topic_label(e.topic),
                    language=e.language,
                    page=e.page_url or "",
                    summary=self.tr["agent.has_summary"] if e.has_handover_summary else "",
                )
                for e in delta.queue
            ]
            if queue != self.queue:
                self.queue = queue
        to_open = ""
        if delta.chats is not None:
            chats = [
                ChatTab(
                    conversation_id=c.conversation_id,
                    label=self.tr["agent.open_chat"].format(n=i + 1),
                    language=c.language,
                    topic=self._topic_label(c.topic),
                    unread=self.tr["agent.unread"].format(n=c.unread)
                    if c.unread and c.conversation_id != self.current_id
                    else "",
                    waiting_since=epoch_ms(c.waiting_since) if c.waiting_since else 0,
                )
                for i, c in enumerate(delta.chats)
            ]
            if chats != self.chats:
                self.chats = chats
            to_open = self._note_assigned(delta.chats)
        if not self.current_id or self.current_id != current or delta.status is None:
            return to_open
        if delta.status != self.current_status:
            self.current_status = delta.status
        if (delta.language or "") != self.current_language:
            self.current_language = delta.language or ""
        known = {i.id for i in self.items}
        fresh = [m for m in delta.messages if m.id not in known]
        if fresh:
            self.items = sorted(
                [*self.items, *(console_item(m, self.locale) for m in fresh)],
                key=lambda i: i.seq,
            )
        if delta.messages:
            self._last_seq = max(self._last_seq, delta.messages[-1].seq)
        if (
            delta.customer_read_seq is not None
            and delta.customer_read_seq != self.customer_read_seq
        ):
            self.customer_read_seq = delta.customer_read_seq
        return to_open

    def _note_assigned(self, chats: list[sides.AgentChat]) -> str:
        """Announce chats that routing gave this agent since the last read; returns the one to
        open when the agent has none open (they should not have to hunt for it)."""
        ids = [c.conversation_id for c in chats]
        new = [i for i in ids if i not in self._known_chats and i != self.current_id]
        self._known_chats = ids
        if not new:
            return ""
        chat = next(c for c in chats if c.conversation_id == new[0])
        self.assigned_text = self.tr["agent.assigned"].format(
            language=chat.language.upper(), topic=self._topic_label(chat.topic)
        )
        return "" if self.current_id else new[0]

    def _topic_label(self, topic: str | None) -> str:
        if not topic:
            return "—"
        return self.tr.get(f"live.topic.{topic}", topic)

    async def _load_static(self) -> None:
        agent_id = self._agent_id
        people = await runtime.run_db(
            lambda s: [
                TextRow(id=a.id, text=a.display_name)
                for a in sides.colleagues(session=s, agent_id=agent_id)
            ]
        )
        self.colleagues = people

    # --- queue and presence -----------------------------------------------------------------

    @rx.event
    async def set_presence(self, value: str) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        if value not in {p.value for p in Presence}:
            return None
        await runtime.run_db(
            lambda s: agents.set_presence(session=s, agent_id=agent_id, presence=value)
        )
        self.presence = value
        if self._idle is not None:
            self._idle = self._idle.chosen()
        notifier.notify(QUEUE)
        return None

    @rx.event
    async def accept(self, conversation_id: str) -> AsyncIterator[EventSpec | None]:
        if (agent_id := await self._require()) is None:
            yield self._to_login()
            return
        self.error_key = ""
        try:
            won = await runtime.run_db(
                lambda s: live_chat.accept(
                    session=s, agent_id=agent_id, conversation_id=conversation_id
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "agent.action_failed"
            return
        notifier.notify(QUEUE, conversation_id)
        if not won:
            self.error_key = "agent.taken"
            return
        async for event in self._select(agent_id, conversation_id):
            yield event

    @rx.event
    async def select_chat(self, conversation_id: str) -> AsyncIterator[EventSpec | None]:
        if (agent_id := await self._require()) is None:
            yield self._to_login()
            return
        async for event in self._select(agent_id, conversation_id):
            yield event

    async def _select(self, agent_id: str, conversation_id: str) -> AsyncIterator[EventSpec | None]:
        try:
            ctx = await runtime.run_db(
                lambda s: live_chat.customer_context(
                    session=s, agent_id=agent_id, conversation_id=conversation_id
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "agent.action_failed"
            return
        self.current_id = conversation_id
        self.resume_chat = conversation_id
        self.current_language = ctx.language
        self.items = []
        self._last_seq = 0
        self.transcript_text = ""
        self.transcript_error_key = ""
        self.blocked_text = ""
        self.ctx_topic = self._topic_label(ctx.topic)
        self.ctx_page = ctx.page_url or "—"
        self.ctx_summary = ctx.handover_summary or ""
        self.ctx_device = ctx.device_data_visible
        self.ctx_device_text = " · ".join(f"{k}: {v}" for k, v in ctx.device_data.items() if v)
        self.earlier = [
            EarlierRow(
                conversation_id=e.conversation_id,
                channel=e.channel,
                started=e.started_at.strftime("%Y-%m-%d %H:%M"),
                topic=self._topic_label(e.topic),
                summary=e.summary or "",
            )
            for e in ctx.earlier_sessions
        ]
        customer_id = ctx.customer_id
        first_name = await runtime.run_db(
            lambda s: canned.customer_first_name(session=s, customer_id=customer_id)
        )
        # label: the folded text the composer's "/" search matches (see live_chat.canned)
        self.canned = [
            TextRow(id=r.key, text=r.text, label=r.search)
            for r in canned.canned_for(
                ctx.language,
                first_name=first_name,
                agent=self._first_name,
                topic=self.ctx_topic if ctx.topic else "",
            )
        ]
        await self._load_notes(conversation_id)
        await self._load_customer(agent_id, conversation_id)
        await self._load_static()
        notifier.notify(f"agent:{agent_id}")
        yield None

    async def _load_customer(self, agent_id: str, conversation_id: str) -> None:
        overview = await runtime.run_db(
            lambda s: customer_pane.customer_overview(
                session=s, agent_id=agent_id, conversation_id=conversation_id
            )
        )
        identified, claims, meetings = pane_rows(overview, self.locale)
        self.cust_identified = identified
        self.cust_claims = [TextRow(id=i, text=t, label=when) for i, t, when in claims]
        self.cust_meetings = [TextRow(id=i, text=t, label=when) for i, t, when in meetings]

    async def _load_notes(self, conversation_id: str) -> None:
        rows = await runtime.run_db(
            lambda s: [
                NoteRow(id=n.id, text=n.body, author=n.author, handover=n.handover)
                for n in handoff.notes_with_authors(session=s, conversation_id=conversation_id)
            ]
        )
        self.notes = rows

    # --- conversation -----------------------------------------------------------------------

    async def _post(self, agent_id: str, text: str, client_msg_id: str) -> None:
        conversation_id = self.current_id
        if not conversation_id or not text.strip():
            return
        self.blocked_text = ""
        self.error_key = ""
        try:
            sent = await runtime.run_db(
                lambda s: sides.agent_send(
                    session=s,
                    agent_id=agent_id,
                    conversation_id=conversation_id,
                    client_msg_id=client_msg_id,
                    text=text,
                    locale=self.current_language or self.locale,
                )
            )
        except (live_chat.LiveChatError, ValueError):
            self.error_key = "agent.action_failed"
            return
        await _typing().clear(conversation_id, "agent")
        if sent.message is None:
            # The customer's own explanation, in the console's language (guard.explain).
            self.blocked_text = explain(sent.blocked_kinds or ["password"], self.locale)
            return
        if all(i.id != sent.message.id for i in self.items):
            self.items = sorted(
                [*self.items, console_item(sent.message, self.locale)], key=lambda i: i.seq
            )
        notifier.notify(conversation_id)

    @rx.event
    async def send(self, form: dict[str, Any]) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        text = str(form.get("message") or "").strip()
        client_msg_id = str(form.get("client_msg_id") or "")[:64] or uuid.uuid4().hex
        await self._post(agent_id, text, client_msg_id)
        if self.blocked_text:
            # The form was reset on submit: give the agent their text back to correct it.
            return rx.set_value("ag-reply", text)
        return None

    @rx.event
    async def send_queued(self, raw: str) -> EventSpec | None:
        """Replies typed while the connection was down, each to the chat it was typed in,
        with their original ids (see ``resume.agent_outbox``)."""
        if (agent_id := await self._require()) is None:
            return self._to_login()
        queued = resume.parse_outbox(raw)
        if not queued:
            return None
        current, locale = self.current_id, self.current_language or self.locale
        try:
            results = await runtime.run_db(
                partial(resume.agent_outbox, agent_id, current, queued, locale)
            )
        except SQLAlchemyError:
            return outbox_result({q.client_msg_id: "failed" for q in queued})
        mine = [r.message for r in results if r.message and r.message.conversation_id == current]
        known = {i.id for i in self.items}
        fresh = [console_item(m, self.locale) for m in mine if m.id not in known]
        if fresh:
            self.items = sorted([*self.items, *fresh], key=lambda i: i.seq)
        for r in results:
            if r.message is not None:
                notifier.notify(r.message.conversation_id)
        blocked = [k for r in results for k in r.blocked_kinds]
        if blocked:
            self.blocked_text = explain(blocked, self.locale)
        return outbox_result({r.client_msg_id: r.outcome for r in results})

    @rx.event
    async def send_canned(self, text: str) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        await self._post(agent_id, text, uuid.uuid4().hex)
        return None

    @rx.event
    async def typed(self) -> EventSpec | None:
        # Throttled in the browser (one event per second of typing), so the check stays cheap.
        if await self._require() is None:
            return self._to_login()
        if self.current_id and await _typing().touch(self.current_id, "agent"):
            notifier.notify(typing_key(self.current_id, "agent"))
        return None

    @rx.event
    async def add_note(self, form: dict[str, Any]) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        body = str(form.get("note") or "").strip()
        conversation_id = self.current_id
        if not body or not conversation_id:
            return None
        await runtime.run_db(
            lambda s: live_chat.add_note(
                session=s, conversation_id=conversation_id, agent_id=agent_id, body=body
            )
        )
        await self._load_notes(conversation_id)
        return None

    @rx.event
    async def transfer(self, form: dict[str, Any]) -> EventSpec | None:
        """To a colleague (``agent:<id>``) or a language queue (``queue:<lang>``), with a note
        the receiving agent reads (live_chat.handoff)."""
        if (agent_id := await self._require()) is None:
            return self._to_login()
        conversation_id = self.current_id
        note = str(form.get("transfer_note") or "")
        try:
            target = handoff.Target.parse(str(form.get("to") or ""))
        except ValueError:
            return None
        if not conversation_id:
            return None
        try:
            await runtime.run_db(
                lambda s: handoff.transfer_chat(
                    session=s,
                    conversation_id=conversation_id,
                    from_agent_id=agent_id,
                    target=target,
                    note=note,
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "agent.action_failed"
            # The note stays in its field (the form is not reset on a failed transfer).
            return rx.set_value("ag-transfer-note", note)
        notifier.notify(conversation_id, f"agent:{target.agent_id}", QUEUE)
        self.current_id = ""
        self.items = []
        return None

    @rx.event
    async def close_chat(self, form: dict[str, Any]) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        reason = str(form.get("reason") or "")
        conversation_id = self.current_id
        if reason not in live_chat.CLOSE_REASONS or not conversation_id:
            return None
        try:
            await runtime.run_db(
                lambda s: live_chat.close(
                    session=s, conversation_id=conversation_id, agent_id=agent_id, reason=reason
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "agent.action_failed"
            return None
        notifier.notify(conversation_id, QUEUE)
        return None

    @rx.event
    async def open_transcript(self, form: dict[str, Any]) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        reason = str(form.get("reason") or "").strip()
        conversation_id = str(form.get("conversation_id") or "")
        self.transcript_text = ""
        if len(reason) < 3:
            self.transcript_error_key = "agent.transcript_reason_short"
            return None
        try:
            text = await runtime.run_db(
                lambda s: live_chat.open_transcript(
                    session=s, agent_id=agent_id, conversation_id=conversation_id, reason=reason
                )
            )
        except (live_chat.LiveChatError, ValueError):
            self.transcript_error_key = "agent.transcript_denied"
            return None
        self.transcript_error_key = ""
        self.transcript_text = text
        return None

    # --- workspace: presence when the console opens and with idle time (agents.presence) ----

    _idle: IdleWatch | None = None
    #: the server's clock (epoch ms) when the console opened: the browser measures waits
    #: against it, not against its own clock, which may be off
    server_now_ms: int = 0

    @rx.var
    def idle_seconds(self) -> int:
        """CW_AGENT_IDLE_SECONDS, for the console script's tick rate."""
        return runtime.settings().agent_idle_seconds

    async def _change_presence(self, agent_id: str, value: str | None) -> None:
        if value is None or value == self.presence:
            return
        await runtime.run_db(
            lambda s: agents.set_presence(session=s, agent_id=agent_id, presence=value)
        )
        self.presence = value
        notifier.notify(QUEUE)

    @rx.event
    async def console_opened(self) -> None:
        """The chat console is on screen: an offline agent is now available."""
        if (agent_id := await self._require()) is None:
            return
        agent = await runtime.run_db(lambda s: agents.get_agent(session=s, agent_id=agent_id))
        if agent is not None:
            self.presence = agent.presence
        self._idle = IdleWatch.start()
        self.server_now_ms = epoch_ms(utcnow())
        await self._change_presence(agent_id, presence_rules.on_console_open(self.presence))

    @rx.event
    async def console_activity(self) -> None:
        if (agent_id := await self._require()) is None:
            return
        self._idle, change = (self._idle or IdleWatch.start()).activity(self.presence)
        await self._change_presence(agent_id, change)

    @rx.event
    async def console_tick(self) -> None:
        if (agent_id := await self._require()) is None:
            return
        idle_after = timedelta(seconds=runtime.settings().agent_idle_seconds)
        self._idle, change = (self._idle or IdleWatch.start()).tick(self.presence, idle_after)
        await self._change_presence(agent_id, change)

    # --- workspace: the agent sends a file (live_chat.attachments, the customers' checks) ---

    attach_error: str = ""

    @rx.event
    async def agent_attach(self, files: list[rx.UploadFile]) -> EventSpec | None:
        """Each file is checked and posted on its own; a refusal says why in the console's
        language and leaves the conversation as it was."""
        if (agent_id := await self._require()) is None:
            return self._to_login()
        self.attach_error = ""
        conversation_id = self.current_id
        if not conversation_id:
            return None
        settings = runtime.settings()
        limits = UploadLimits(
            max_bytes=settings.chat_upload_max_bytes, max_files=settings.chat_upload_max_files
        )
        locale = self.current_language or self.locale
        errors: list[str] = []
        for upload in files:
            name = upload.filename or "file"
            # One byte over the limit is enough to refuse it; never read more than that.
            data = await upload.read(limits.max_bytes + 1)
            digest = hashlib.sha256(conversation_id.encode() + name.encode() + data).hexdigest()

            def work(
                s: Session, name: str = name, data: bytes = data, key: str = digest
            ) -> Message:
                message, _ = attachments.attach_agent_file(
                    session=s,
                    store=runtime.file_store(),
                    agent_id=agent_id,
                    conversation_id=conversation_id,
                    client_msg_id="agent-file-" + key[:40],
                    filename=name,
                    data=data,
                    limits=limits,
                    locale=locale,
                )
                return message

            try:
                message = await runtime.run_db(work)
            except FileRejected as rejected:
                errors.append(rejected.message(self.locale))
                continue
            except (live_chat.LiveChatError, ValueError):
                errors.append(self.tr["agent.action_failed"])
                continue
            if all(i.id != message.id for i in self.items):
                self.items = sorted(
                    [*self.items, console_item(message, self.locale)], key=lambda i: i.seq
                )
            notifier.notify(conversation_id)
        self.attach_error = " ".join(errors)
        return None
