"""State of the widget shell: boot handshake, locale, navigation, identity and host messages.

Handlers stay thin: validation lives in host_data, identity in chat_widget.identity, persistence
in chat_widget.customers; this module only wires them to the browser.

One Reflex state (every channel state is its substate; the browser, ``bench/chat_load.py`` and
the e2e tests address it by this module's and this class's name), made of mixins by job: vars,
labels and shared helpers (``widget_base``), the host page's messages and identity
(``widget_host``); boot, locale and navigation are here.
"""

from __future__ import annotations

import logging

import reflex as rx
from reflex_base.event import EventSpec
from reflex_base.utils.format import format_queue_events

from chat_widget.i18n import LOCALES, pick_locale
from chat_widget.ui import runtime
from chat_widget.ui.connection import outbox_ready, resumed
from chat_widget.ui.host_data import parse_host_message, parse_json_object
from chat_widget.ui.locale_copy import follow_events
from chat_widget.ui.widget_base import BRIDGE, VIEWS, WidgetBase, bridge_call
from chat_widget.ui.widget_host import HostMixin

__all__ = ["BRIDGE", "VIEWS", "WidgetState", "_bridge_call"]

log = logging.getLogger(__name__)

#: The name ``ui.privacy_state`` imports.
_bridge_call = bridge_call


class WidgetState(HostMixin, WidgetBase, rx.State):
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
        previous_locale = self.locale
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
        if not fresh and self.locale != previous_locale:
            events.extend(follow_events(WidgetState))
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

    # --- user actions -----------------------------------------------------------------------

    @rx.event
    def set_locale(self, value: str) -> list[EventSpec]:
        return self._apply_locale(pick_locale(value, self.locale))

    def _apply_locale(self, locale: str) -> list[EventSpec]:
        if locale not in LOCALES:
            return []
        self.locale = locale
        self._refresh_live_status()
        events = [_bridge_call("setLang", locale), *follow_events(WidgetState)]
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
