"""Helpers shared by the customer and agent live views: socket liveness and listener timing."""

from __future__ import annotations

import sys
import time

#: A listener wakes at least this often to read the database (other workers' writes).
POLL_SECONDS = 0.8
#: A listener whose client stays disconnected this long stops; the reconnect's on_load restarts it.
DISCONNECTED_GRACE = 45.0


def client_connected(token: str) -> bool:
    """Is this client's websocket attached to this worker right now?"""
    module = sys.modules.get("chat_widget.chat_widget")
    app = getattr(module, "app", None)
    namespace = getattr(app, "event_namespace", None)
    if namespace is None:
        return True
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
