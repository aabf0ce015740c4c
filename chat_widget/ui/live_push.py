"""Helpers shared by the customer and agent live views: socket liveness, the watch on other
processes' writes."""

from __future__ import annotations

import sys
import time
from collections.abc import Hashable, Mapping

from sqlalchemy.engine import make_url

from chat_widget.live_chat import sides
from chat_widget.live_chat.bus import bus
from chat_widget.live_chat.realtime import ExternalWrites
from chat_widget.ui import runtime

#: A listener whose client stays disconnected this long stops; the reconnect's on_load restarts it.
DISCONNECTED_GRACE = 45.0


def client_connected(token: str) -> bool:
    """Is this client's websocket attached to this worker right now?"""
    module = sys.modules.get("chat_widget.chat_widget")
    app = getattr(module, "app", None)
    namespace = getattr(app, "event_namespace", None)
    if namespace is None:
        return True
    # ``token_to_sid`` copies the whole token map into a new dict at every read: one copy of
    # 1,000 entries per listener wake-up under load. The token manager's own map is looked
    # up in place (reflex/utils/token_manager.py, ``TokenManager.token_to_socket``).
    sockets = getattr(getattr(namespace, "_token_manager", None), "token_to_socket", None)
    if isinstance(sockets, dict):
        return token in sockets
    return token in namespace.token_to_sid


class Liveness:
    """Tracks how long a client has been gone, so a listener can give up after a grace period."""

    def __init__(self, token: str, grace: float = DISCONNECTED_GRACE) -> None:
        self.token = token
        self.grace = grace
        self._gone_since: float | None = None

    def expired(self) -> bool:
        if client_connected(self.token):
            self._gone_since = None
            return False
        now = time.monotonic()
        if self._gone_since is None:
            self._gone_since = now
        return now - self._gone_since > self.grace


async def _read_versions(keys: list[str]) -> Mapping[str, Hashable]:
    return await runtime.run_db(lambda s: sides.live_versions(session=s, keys=keys))


_external: list[ExternalWrites] = []


def external_writes() -> ExternalWrites | None:
    """SQLite: the process's watch on other processes' writes (None on PostgreSQL, where
    every writer publishes on the bus)."""
    url = runtime.settings().database_url
    if not url.startswith("sqlite"):
        return None
    if not _external:
        path = make_url(url).database or ""
        _external.append(ExternalWrites(path, _read_versions, bus().hub))
    _external[0].ensure()
    return _external[0]
