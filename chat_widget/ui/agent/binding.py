"""Console state belongs to the console session that filled it, not to the Reflex tab.

Reflex keeps each tab's state under its tab token and sends the whole of it when a socket
(re)connects ("hydrate"), before any page handler can check anything. Someone who obtained an
agent's tab token (it is readable by scripts and travels in the websocket URL) would receive
the agent's name, queue and conversation in that snapshot. So the console state records a
digest of the session cookie it was filled under, and this middleware, on every hydrate,
empties the console states when the cookie of the new connection is not that one.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from reflex.middleware import Middleware
from reflex_base.event import Event

from chat_widget.web import console_session

if TYPE_CHECKING:
    from reflex.state import BaseState, StateUpdate

_HYDRATE_EVENTS = ("hydrate", "hydrate_and_load")


def session_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest() if token else ""


class ConsoleSessionBinding(Middleware):
    """``console_states``: the console's state classes, the first being the parent of the rest."""

    def __init__(self, console_states: tuple[type[Any], ...], *, secure: bool) -> None:
        self.console_states = console_states
        self.secure = secure

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        if event.name.rsplit(".", 1)[-1] not in _HYDRATE_EVENTS:
            return None
        token = console_session.token_from_cookie_header(
            state.router.headers.cookie, secure=self.secure
        )
        console = await state.get_state(self.console_states[0])
        if getattr(console, "_bound_session", "") != session_digest(token):
            for cls in self.console_states:
                (await state.get_state(cls)).reset()
        return None
