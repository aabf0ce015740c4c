"""The console pushes its chat tabs only when they changed: Reflex hands out a fresh proxy at
every read of a list var, so a "did it change?" by identity against ``self.chats`` was always
yes, and every customer message in the open chat re-sent the agent's whole tab list."""

from __future__ import annotations

from datetime import UTC, datetime

from reflex.state import State

from chat_widget.domain.clock import epoch_ms
from chat_widget.domain.models import Message
from chat_widget.live_chat.console_view import ChatTab
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.stored_vars import stored

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _console() -> AgentState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(AgentState.get_full_name().split(".")[1:])
    assert isinstance(state, AgentState)
    return state


def _message(seq: int, author: str, at: datetime) -> Message:
    return Message(
        id=f"m{seq}",
        conversation_id="c1",
        seq=seq,
        client_msg_id=f"k{seq}",
        author_kind=author,
        author_id="someone",
        body=f"message {seq}",
        meta={},
        created_at=at,
    )


def test_a_read_of_a_list_var_is_a_new_proxy_but_stored_is_the_list_itself() -> None:
    state = _console()
    tabs = [ChatTab(conversation_id="c1", label="Ann", language="fr", topic="cards")]
    state.chats = tabs
    assert state.chats is not state.chats  # why identity checks need ``stored``
    assert stored(state, "chats") is tabs


def test_a_message_that_does_not_move_the_wait_does_not_push_the_tabs() -> None:
    state = _console()
    waiting = ChatTab(
        conversation_id="c1", label="Ann", language="fr", topic="cards", waiting_since=epoch_ms(T0)
    )
    state.chats = [waiting]
    state.current_id = "c1"
    state._clean()
    # The customer was already waiting for an answer: a second message changes no tab.
    state._add_to_open_chat([_message(2, "customer", T0.replace(minute=1))], "c1", wait=True)
    assert "chats" not in state.dirty_vars
    assert {"msgs_0"} <= state.dirty_vars  # the message itself is pushed

    # The agent answers: the tab's wait ends, and that change is pushed.
    state._clean()
    state._add_to_open_chat([_message(3, "agent", T0.replace(minute=2))], "c1", wait=True)
    assert "chats" in state.dirty_vars
    assert stored(state, "chats")[0].waiting_since == 0
