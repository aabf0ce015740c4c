"""State of the widget shell: boot handshake, locale, navigation, identity and host messages.

Handlers stay thin: validation lives in host_data, identity in chat_widget.identity, persistence
in chat_widget.customers; this module only wires them to the browser.
"""

from __future__ import annotations

import logging

import reflex as rx
from reflex_base.event import EventSpec
from reflex_base.utils.format import format_queue_events
from sqlmodel import Session

from chat_widget import customers
from chat_widget.domain.clock import utcnow
from chat_widget.i18n import LOCALES, catalog, format_clock, format_when, pick_locale
from chat_widget.identity import issue_session_token, read_session_token, verify_identity_token
from chat_widget.ui import runtime
from chat_widget.ui.connection import outbox_ready, resumed
from chat_widget.ui.host_data import (
    HostMessage,
    parse_host_message,
    parse_json_object,
)

log = logging.getLogger(__name__)

VIEWS = ("home", "assistant", "live_chat", "claim", "video", "privacy")
BRIDGE = "window.ContactWidgetBridge"


def _bridge_call(method: str, *args: str) -> EventSpec:
    import json

    rendered = ", ".join(json.dumps(a) for a in args)
    return rx.call_script(f"{BRIDGE} && {BRIDGE}.{method}({rendered})")


class WidgetState(rx.State):
    locale: str = "fr"
    #: Kept in the tab's session storage: a fresh server-side state (restart, another worker,
    #: reload) learns from it which view to reopen; ``on_boot`` checks it (resume.widget_view).
    view: str = rx.SessionStorage("home", name="cw_view")
    mode: str = "embed"
    booted: bool = False
    storage_blocked: bool = False
    identified: bool = False
    topic: str = ""
    page_url: str = ""
    notice_key: str = ""
    live_open: bool = False
    live_status: str = ""
    is_visible: bool = True
    guard_text: str = ""
    time_zone: str = ""

    _customer_id: str = ""
    _handover_from: str = ""  # assistant conversation whose summary goes to the live-chat agent
    _host_origin: str = ""
    _ignored_host_fields: int = 0

    # Empty in the compiled page: the whole catalog baked into the first download cost ~8 KB
    # gzip (twice, with the console's), and the server sends the customer's language on connect.
    @rx.var(initial_value={})
    def tr(self) -> dict[str, str]:
        return catalog(self.locale)

    @rx.var
    def greeting(self) -> str:
        """The bank's own greeting (settings) in this language, else the catalog's."""
        from chat_widget.ui.branding import get_branding

        return get_branding().greeting(self.locale) or catalog(self.locale)["widget.subtitle"]

    @rx.var
    def privacy_url(self) -> str:
        """The bank's privacy notice in the widget's language (``{lang}`` in CW_PRIVACY_URL)."""
        return runtime.settings().privacy_url_for(self.locale)

    @rx.var
    def brand_css(self) -> str:
        from chat_widget.ui.branding import get_branding

        return get_branding().css()

    @rx.var
    def brand_logo(self) -> str:
        from chat_widget.ui.branding import get_branding

        return get_branding().logo_url

    @rx.var
    def brand_team(self) -> list[dict[str, str]]:
        from chat_widget.ui.branding import get_branding

        return [{"name": m.name, "photo": m.photo_url} for m in get_branding().team]

    @rx.var
    def notice(self) -> str:
        return catalog(self.locale).get(self.notice_key, "") if self.notice_key else ""

    # --- boot -------------------------------------------------------------------------------

    @rx.event
    def boot(self) -> EventSpec:
        return rx.call_script(f"{BRIDGE}.boot()", callback=WidgetState.on_boot)

    @rx.event
    async def on_boot(self, raw: str) -> list[EventSpec]:
        data = parse_json_object(raw) or {}
        fresh = not self.booted  # a new tab, a reload, or a server that lost this state
        cfg = runtime.settings()
        host_origin = data.get("hostOrigin")
        self.mode = "app" if data.get("mode") == "app" else "embed"
        from chat_widget.meetings.screen import valid_time_zone

        self.time_zone = valid_time_zone(data.get("timeZone")) or ""
        self.storage_blocked = bool(data.get("storageBlocked"))
        # Host data counts only when it comes from a configured bank origin.
        trusted_host = isinstance(host_origin, str) and host_origin in cfg.allowed_origins
        self._host_origin = host_origin if trusted_host and isinstance(host_origin, str) else ""
        init = parse_host_message(data.get("init")) if trusted_host or self.mode == "app" else None
        if init is not None and init.rejected:
            self._note_rejected(init)
        browser = data.get("browserLocales")
        self.locale = pick_locale(
            init.locale if init else None,
            data.get("locale"),
            browser if isinstance(browser, list) else None,
            cfg.default_locale,
        )
        if init is not None:
            self.topic = init.topic or ""
            self.page_url = init.page or ""
        own = data.get("ownSession")
        session_token = own if isinstance(own, str) else (init.session if init else None)
        new_token = await self._resolve_customer(session_token)
        self._refresh_live_status()
        self.booted = True
        events: list[EventSpec] = [_bridge_call("setLang", self.locale)]
        if new_token:
            events.append(_bridge_call("saveSession", new_token))
        callback = str(format_queue_events(WidgetState.on_host_message, args_spec=lambda m: [m]))
        events.append(rx.call_script(f"{BRIDGE}.subscribe({callback})"))
        if fresh:
            events.extend(await self._reopen())
        elif self.view == "assistant":  # the same state: only the offline sends are missing
            from chat_widget.ui.assistant_state import AssistantState

            events.append(outbox_ready("assistant", AssistantState.send_queued))
        # The connection banner says "back online" only now that the state answers again.
        events.append(resumed())
        return events

    async def _reopen(self) -> list[EventSpec]:
        """Reopen the customer's conversation from the database (the state is new, the
        conversation is not); the view's own open handler replays it."""
        from chat_widget.live_chat import resume

        customer_id, last_view = self._customer_id, self.view
        view = await runtime.run_db(
            lambda s: resume.widget_view(session=s, customer_id=customer_id, last_view=last_view)
        )
        if view == "home":
            self.view = "home"
            return []
        opened = self.open_view(view)
        return [opened] if opened is not None else []

    async def _resolve_customer(self, token: str | None) -> str | None:
        """Load the customer behind the session token, or create an anonymous one.

        Returns a new token to store when one had to be issued.
        """
        secret, previous = runtime.settings().secret_key, runtime.settings().secret_key_previous
        claimed = read_session_token(token, secret, previous)
        # Signed with a key being rotated out: the same customer, with a token under the new key.
        stale = claimed is not None and read_session_token(token, secret) is None
        locale = self.locale

        def work(session: Session) -> tuple[str, bool]:
            customer = customers.get_customer(session=session, customer_id=claimed)
            if customer is None:
                customer = customers.create_anonymous(session=session, locale=locale)
                return customer.id, True
            customers.touch(session=session, customer=customer, locale=locale)
            return customer.id, False

        customer_id, created = await runtime.run_db(work)
        self._customer_id = customer_id
        self.identified = False
        return issue_session_token(customer_id, secret) if created or stale else None

    def _note_rejected(self, msg: HostMessage) -> None:
        self._ignored_host_fields += len(msg.rejected)
        self.notice_key = "error.bad_host_data"
        log.info("ignored host fields: %s", ",".join(msg.rejected))

    # --- messages from the host page --------------------------------------------------------

    @rx.event
    async def on_host_message(self, raw: str) -> list[EventSpec] | None:
        data = parse_json_object(raw)
        if data is not None and data.get("type") == "local-guard":
            self.show_guard_block(data.get("kinds"))
            return None
        if data is not None and data.get("type") == "local-too-large":
            self.notice_key = "error.too_large"
            return None
        msg = parse_host_message(data)
        if msg is None:
            self._ignored_host_fields += 1
            return None
        if msg.rejected:
            self._note_rejected(msg)
        if msg.type == "set-locale" and msg.locale:
            return self._apply_locale(msg.locale)
        if msg.type == "set-context":
            self.topic = msg.topic or self.topic
            self.page_url = msg.page or self.page_url
        elif msg.type == "identify":
            return await self._identify(msg.token)
        elif msg.type == "open":
            self.is_visible = True
            self._visibility_changed()
            return [_bridge_call("focus", "cw-view-heading")]
        elif msg.type == "close":
            self.is_visible = False
            self._visibility_changed()
        return None

    def _visibility_changed(self) -> None:
        """Wake this client's live chat listener: read receipt and unread count follow."""
        from chat_widget.live_chat.realtime import notifier, view_key

        notifier.notify(view_key(self.router.session.client_token))

    async def _identify(self, token: str | None) -> list[EventSpec] | None:
        cfg = runtime.settings()
        check = verify_identity_token(
            token,
            key=cfg.identity_jwt_key,
            algorithms=cfg.identity_jwt_algorithms,
            audience=cfg.identity_jwt_audience,
            issuer=cfg.identity_jwt_issuer,
            previous_keys=cfg.identity_jwt_key_previous,
        )
        if check.external_ref is None:
            self.identified = False
            self.notice_key = "error.identity"
            return None
        anonymous_id = self._customer_id
        external_ref = check.external_ref

        def work(session: Session) -> str:
            return customers.attach_identity(
                session=session, anonymous_id=anonymous_id, external_ref=external_ref
            ).id

        customer_id = await runtime.run_db(work)
        changed = customer_id != self._customer_id
        self._customer_id = customer_id
        self.identified = True
        if changed:
            return [_bridge_call("saveSession", issue_session_token(customer_id, cfg.secret_key))]
        return None

    def show_guard_block(self, kinds: object) -> None:
        """Explain, in the customer's language, why a message was not sent."""
        from chat_widget.guard.explain import explain
        from chat_widget.guard.rules import get_rules

        known = set(get_rules().kinds)
        clean = (
            [k for k in kinds if isinstance(k, str) and k in known]
            if isinstance(kinds, list)
            else []
        )
        self.guard_text = explain(clean or ["password"], self.locale)

    # --- user actions -----------------------------------------------------------------------

    @rx.event
    def set_locale(self, value: str) -> list[EventSpec]:
        return self._apply_locale(pick_locale(value, self.locale))

    def _apply_locale(self, locale: str) -> list[EventSpec]:
        if locale not in LOCALES:
            return []
        self.locale = locale
        self._refresh_live_status()
        events = [_bridge_call("setLang", locale)]
        if self.view == "claim":
            from chat_widget.ui.claim_state import ClaimState

            events.append(ClaimState.refresh_locale())
        return events

    @rx.event
    def open_view(self, view: str) -> EventSpec | None:
        if view not in VIEWS:
            return None
        if view == "assistant":
            from chat_widget.ui.assistant_state import AssistantState

            return AssistantState.open_assistant  # type: ignore[return-value]
        if view == "live_chat":
            # Found by name, not imported: the live chat state's mixins import this module.
            live = next(s for s in WidgetState.get_substates() if s.__name__ == "LiveChatState")
            return live.open_live_chat  # type: ignore[attr-defined,no-any-return]
        if view == "privacy":
            from chat_widget.ui.privacy_state import PrivacyState

            return PrivacyState.open_privacy  # type: ignore[return-value]
        if view == "video":
            from chat_widget.ui.video_state import VideoState

            return VideoState.open_video  # type: ignore[return-value]
        if view == "claim":
            from chat_widget.ui.claim_state import ClaimState

            return ClaimState.open_claim  # type: ignore[return-value]
        self.view = view
        self.notice_key = ""
        if view == "home":
            self._refresh_live_status()
        return _bridge_call("focus", "cw-view-heading")

    @rx.event
    def dismiss_notice(self) -> None:
        self.notice_key = ""

    @rx.event
    def request_close(self) -> EventSpec:
        return _bridge_call("post", "close")

    def _refresh_live_status(self) -> None:
        from chat_widget.ui.live_status import live_chat_status

        now = utcnow()
        status = live_chat_status(now)
        tr = catalog(self.locale)
        self.live_open = status.open
        if status.open and status.closes_at is not None:
            self.live_status = tr["channel.live_chat.open"].format(
                time=format_clock(status.closes_at, self.locale)
            )
        elif not status.open and status.next_open is not None:
            self.live_status = tr["channel.live_chat.closed"].format(
                when=format_when(status.next_open, self.locale)
            )
        else:
            self.live_status = tr["channel.live_chat.closed_unknown"]
