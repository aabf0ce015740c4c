"""How many states Reflex's Redis state manager loads for one event, and the labels that made
it load more: a channel's computed labels read the channel state's own copy of the language
(``ui.locale_copy``), so an event loads its own state and its parents only, and a language
switch still reaches every label."""

from __future__ import annotations

import pytest
from reflex.istate.manager.redis import StateManagerRedis
from reflex.state import BaseState, State
from reflex_base.event import EventSpec

from chat_widget.i18n import catalog
from chat_widget.ui.agent.claims_state import ClaimsConsoleState
from chat_widget.ui.agent.meetings_state import MeetingsConsoleState
from chat_widget.ui.agent.nav import NavState
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.agent.supervisor_state import SupervisorState
from chat_widget.ui.assistant_state import AssistantState
from chat_widget.ui.callback_state import CallbackState
from chat_widget.ui.claim_state import ClaimState
from chat_widget.ui.components.console_links import CONSOLE_PAGES
from chat_widget.ui.live_chat_state import LiveChatState
from chat_widget.ui.locale_copy import LocaleCopy
from chat_widget.ui.privacy_state import PrivacyState
from chat_widget.ui.video_state import VideoState
from chat_widget.ui.widget_state import WidgetState

CUSTOMER = [LiveChatState, AssistantState, VideoState, CallbackState, ClaimState, PrivacyState]
CONSOLE = [NavState, ClaimsConsoleState, MeetingsConsoleState, SupervisorState]


def _loaded_for(cls: type[BaseState]) -> set[type[BaseState]]:
    """What ``StateManagerRedis.get_state`` fetches from Redis for an event of ``cls``."""
    manager = StateManagerRedis.__new__(StateManagerRedis)
    return manager._get_required_state_classes(cls, subclasses=True)


def _state(cls: type[BaseState]) -> BaseState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    return root.get_substate(cls.get_full_name().split(".")[1:])


@pytest.mark.parametrize("cls", CUSTOMER + CONSOLE, ids=lambda c: c.__name__)
def test_an_event_loads_its_state_and_its_parents_only(cls: type[BaseState]) -> None:
    parent = cls.get_parent_state()
    assert parent is not None
    # Before: a customer's send loaded 7 states (video, callback, claim and assistant too),
    # a console event 6.
    assert _loaded_for(cls) == {cls, parent, State}


@pytest.mark.parametrize("parent", [WidgetState, AgentState], ids=lambda c: c.__name__)
def test_no_channel_label_depends_on_the_parent(parent: type[BaseState]) -> None:
    assert parent._get_potentially_dirty_states() == {parent}
    assert _loaded_for(parent) - set(parent.get_substates()) == {parent, State}


def _targets(events: list[EventSpec]) -> set[str]:
    return {e.handler.state_full_name.rsplit(".", 1)[-1] for e in events}


def test_a_language_switch_reaches_every_channel_state_with_labels() -> None:
    widget = _state(WidgetState)
    copies = {c for c in WidgetState.get_substates() if issubclass(c, LocaleCopy)}
    assert copies == {LiveChatState, AssistantState, VideoState, CallbackState, ClaimState}
    events = widget._apply_locale("nl")  # type: ignore[attr-defined]
    assert {c.get_name() for c in copies} <= _targets(events)


def test_labels_follow_the_copy_not_the_parent() -> None:
    video = _state(VideoState)
    assert isinstance(video, VideoState)
    video.done_kind = "rescheduled"
    assert video.done_title == catalog("fr")["video.rescheduled_title"]
    video.locale, video.time_zone = "de", "America/New_York"
    assert video.done_title == catalog("fr")["video.rescheduled_title"]  # not followed yet
    video._copy_locale()
    assert video.done_title == catalog("de")["video.rescheduled_title"]
    assert video.done_title != catalog("fr")["video.rescheduled_title"]
    assert "New York" in video.tz_text


def test_the_console_language_reaches_every_console_page_state() -> None:
    agent = _state(AgentState)
    events = AgentState.set_locale.fn(agent, "en")  # type: ignore[attr-defined]
    assert {c.get_name() for c in CONSOLE} <= _targets(events)
    nav = _state(NavState)
    assert isinstance(nav, NavState)
    nav.pages = [page for page, _ in CONSOLE_PAGES][:2]
    nav.locale = "en"
    nav._copy_locale()
    labels = dict(CONSOLE_PAGES)
    assert [link.label for link in nav.links] == [catalog("en")[labels[p]] for p in nav.pages]
