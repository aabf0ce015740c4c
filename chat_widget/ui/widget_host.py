"""The host page and the customer's identity (a mixin of ``WidgetState``): messages the bank's
page posts (context, locale, identify, open/close), the session token resolved at boot."""

from __future__ import annotations

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from chat_widget import customers
from chat_widget.identity import issue_session_token, read_session_token, verify_identity_token
from chat_widget.ui import runtime
from chat_widget.ui.host_data import parse_host_message, parse_json_object
from chat_widget.ui.widget_base import WidgetBase, bridge_call


class HostMixin(WidgetBase, mixin=True):
    def _apply_locale(self, locale: str) -> list[EventSpec]:
        """Switch the widget's language (``WidgetState._apply_locale``, which the state this
        mixin is part of provides)."""
        raise NotImplementedError

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
            return [bridge_call("focus", "cw-view-heading")]
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
            return [bridge_call("saveSession", issue_session_token(customer_id, cfg.secret_key))]
        return None
