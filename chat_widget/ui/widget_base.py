"""The vars and labels of ``WidgetState`` (``ui.widget_state``), one Reflex state made of
mixins by job: this base, the host page's messages and identity (``widget_host``); boot,
locale and navigation stay in ``widget_state``, which every channel state extends."""

from __future__ import annotations

import json
import logging
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget.domain.clock import utcnow
from chat_widget.i18n import catalog, format_clock, format_when
from chat_widget.ui import runtime
from chat_widget.ui.host_data import HostMessage
from chat_widget.ui.state_pickle import without_recomputed

log = logging.getLogger(__name__)

VIEWS = ("home", "assistant", "live_chat", "claim", "video", "privacy")
BRIDGE = "window.ContactWidgetBridge"


def bridge_call(method: str, *args: str) -> EventSpec:
    """A call to the widget's bridge script in the host page (when it is there)."""
    rendered = ", ".join(json.dumps(a) for a in args)
    return rx.call_script(f"{BRIDGE} && {BRIDGE}.{method}({rendered})")


class WidgetBase(rx.State, mixin=True):
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

    def __getstate__(self) -> dict[str, Any]:
        """Scale-out mode: the catalog stays out of the state's pickle (``ui.state_pickle``)."""
        return without_recomputed(type(self), super().__getstate__())

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

    def _note_rejected(self, msg: HostMessage) -> None:
        self._ignored_host_fields += len(msg.rejected)
        self.notice_key = "error.bad_host_data"
        log.info("ignored host fields: %s", ",".join(msg.rejected))

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
