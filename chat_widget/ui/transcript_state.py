"""The transcript vars every chat view shares (live chat, the assistant, the agent console):
set and read as one list, pushed to the browser by part (``transcript_parts``)."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from chat_widget.domain.clock import utcnow
from chat_widget.i18n import format_clock
from chat_widget.ui.chat_items import ChatItem
from chat_widget.ui.transcript_parts import PART_VARS, changed_parts

#: A customer's message shown before it is stored sorts after every stored one.
PENDING_SEQ = 10**9


class TranscriptMixin(rx.State, mixin=True):
    msgs_0: list[ChatItem] = []
    msgs_1: list[ChatItem] = []
    msgs_2: list[ChatItem] = []
    msgs_3: list[ChatItem] = []
    msgs_4: list[ChatItem] = []
    msgs_5: list[ChatItem] = []
    msgs_6: list[ChatItem] = []
    msgs_7: list[ChatItem] = []

    def _transcript(self) -> list[ChatItem]:
        """The whole transcript, in order."""
        return [item for name in PART_VARS for item in getattr(self, name)]

    def _set_transcript(self, items: Sequence[ChatItem]) -> None:
        """Show ``items``: assigns (and so pushes) only the parts that changed."""
        shown = [getattr(self, name) for name in PART_VARS]
        for i, part in changed_parts(items, shown).items():
            setattr(self, PART_VARS[i], part)

    def _show_pending(self, client_msg_id: str, text: str, locale: str) -> None:
        """The customer's message as typed, until the stored one replaces it (or it fails)."""
        pending = ChatItem(
            id=client_msg_id,
            seq=PENDING_SEQ,
            author="customer",
            text=text,
            time=format_clock(utcnow(), locale),
        )
        self._set_transcript([*self._transcript(), pending])

    def _without(self, client_msg_id: str) -> list[ChatItem]:
        """The transcript without the pending copy of ``client_msg_id``."""
        return [i for i in self._transcript() if i.id != client_msg_id]


def transcript_vars(state: type[TranscriptMixin]) -> list[rx.Var]:
    """The parts of ``state``'s transcript, in order, for the view to render one after another."""
    return [getattr(state, name) for name in PART_VARS]
