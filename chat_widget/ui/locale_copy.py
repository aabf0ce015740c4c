"""A substate's own copy of its parent's language, read by the substate's computed labels.

Why: with Redis (scale-out), Reflex loads for every event each substate whose computed vars
read a var of the event's parent state, since the event might change that var
(``StateManagerRedis._get_required_state_classes`` in reflex/istate/manager/redis.py, through
``BaseState._potentially_dirty_states``). Labels computed from the parent's ``tr`` or
``locale`` made a customer's every send load the video, callback, claim and assistant states
too (7 states instead of 3), and each event of a console page every other page's state (6
instead of 3). Computed vars that read this copy depend on their own state only; the copy follows the parent's ``locale`` when the state's view opens and when the
language changes (``follow_locale``, sent by the parent's language switch)."""

from __future__ import annotations

import reflex as rx
from reflex.state import BaseState
from reflex_base.event import EventSpec

from chat_widget.i18n import catalog
from chat_widget.settings import get_settings


class LocaleCopy(rx.State, mixin=True):
    _view_locale: str = ""

    def _copy_locale(self) -> None:
        """Called by the state's own handlers (they may read the parent: computed vars may not)."""
        locale: str = self.locale  # type: ignore[attr-defined]
        if self._view_locale != locale:
            self._view_locale = locale

    def _lang(self) -> str:
        """The copied language (the bank's default until the state's view opened)."""
        return self._view_locale or get_settings().default_locale

    def _texts(self) -> dict[str, str]:
        return catalog(self._lang())

    @rx.event
    def follow_locale(self) -> None:
        self._copy_locale()


def follow_events(parent: type[BaseState]) -> list[EventSpec]:
    """After ``parent``'s language changed: each substate's copy follows it."""
    return [
        s.follow_locale()  # type: ignore[attr-defined]
        for s in parent.get_substates()
        if issubclass(s, LocaleCopy)
    ]
