"""A customer's and an agent's state as Reflex's Redis state manager stores them
(``BaseState._serialize`` / ``_deserialize``): small, without the language's catalog, and the
catalog back in the right language after a load."""

from __future__ import annotations

import pytest
from reflex.state import BaseState, State

from chat_widget.i18n import catalog
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.live_chat_state import LiveChatState
from chat_widget.ui.widget_state import WidgetState


def _state(cls: type[BaseState]) -> BaseState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    return root.get_substate(cls.get_full_name().split(".")[1:])


@pytest.mark.parametrize("cls", [WidgetState, AgentState])
def test_the_catalog_is_not_pickled_and_comes_back_in_the_same_language(
    cls: type[BaseState],
) -> None:
    state = _state(cls)
    state.locale = "nl"  # type: ignore[attr-defined]
    assert len(state.tr) > 300  # type: ignore[attr-defined]  # read: now cached on the state
    cached = {key for key in vars(state) if key.startswith("__cached_tr")}
    assert cached

    data = state._serialize()

    # The catalog alone pickled to ~28 kB (bench/chat_load.py --mode redis).
    assert len(data) < 4_000
    assert catalog("nl")["widget.subtitle"].encode() not in data
    assert cached <= set(vars(state))  # the live state keeps its cached catalog
    loaded = cls._deserialize(data)
    assert loaded.locale == "nl"  # type: ignore[attr-defined]
    assert loaded.tr == catalog("nl")  # type: ignore[attr-defined]
    assert loaded.tr != catalog("fr")  # type: ignore[attr-defined]


def test_other_fields_still_travel() -> None:
    state = _state(LiveChatState)
    parent = state.parent_state
    assert isinstance(parent, WidgetState)
    parent.page_url = "https://www.belfius.be/retail/fr/index.aspx"
    parent._customer_id = "cust-1"
    loaded = WidgetState._deserialize(parent._serialize())
    assert isinstance(loaded, WidgetState)
    assert loaded.page_url == "https://www.belfius.be/retail/fr/index.aspx"
    assert loaded._customer_id == "cust-1"
