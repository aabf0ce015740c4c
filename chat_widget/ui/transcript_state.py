"""The transcript vars every chat view shares (live chat, the assistant, the agent console):
set and read as one list, pushed to the browser by part (``transcript_parts``)."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from chat_widget.domain.clock import utcnow
from chat_widget.i18n import format_clock
from chat_widget.ui.chat_items import ChatItem
from chat_widget.ui.stored_vars import stored
from chat_widget.ui.transcript_parts import PART_VARS, PENDING_SEQ, changed_parts, merge

#: Author sets for ``TranscriptMixin._last_seq_of``.
CUSTOMER = frozenset({"customer"})
AGENT_AUTHOR = frozenset({"agent"})
NOT_CUSTOMER = frozenset({"agent", "assistant", "system"})


class TranscriptMixin(rx.State, mixin=True):
    msgs_0: list[ChatItem] = []
    msgs_1: list[ChatItem] = []
    msgs_2: list[ChatItem] = []
    msgs_3: list[ChatItem] = []
    msgs_4: list[ChatItem] = []
    msgs_5: list[ChatItem] = []
    msgs_6: list[ChatItem] = []
    msgs_7: list[ChatItem] = []
    msgs_8: list[ChatItem] = []
    msgs_9: list[ChatItem] = []
    msgs_10: list[ChatItem] = []
    msgs_11: list[ChatItem] = []
    msgs_12: list[ChatItem] = []
    msgs_13: list[ChatItem] = []
    msgs_14: list[ChatItem] = []
    msgs_15: list[ChatItem] = []

    def _parts(self) -> list[list[ChatItem]]:
        """The parts as stored, for reading only: Reflex wraps a list var read through the
        state, and every item read from it, in a change-tracking proxy; the reads that built
        them were a fifth of the server's CPU at 250 messages a second (docs/live-chat.md,
        fifth pass). Nothing here changes these
        lists or their items in place: new parts are built and assigned (which is what pushes
        them)."""
        return [stored(self, name) for name in PART_VARS]

    def _transcript(self) -> list[ChatItem]:
        """The whole transcript, in order."""
        return [item for name in PART_VARS for item in getattr(self, name)]

    def _set_transcript(self, items: Sequence[ChatItem]) -> None:
        """Show ``items``: assigns (and so pushes) only the parts that changed."""
        for i, part in changed_parts(items, self._parts()).items():
            setattr(self, PART_VARS[i], part)

    def _merge_transcript(self, fresh: Sequence[ChatItem], drop: str = "") -> list[ChatItem]:
        """Add ``fresh`` (in seq order, not twice) and remove the pending copy ``drop``,
        reading and pushing only the transcript's tail; returns what was added. The way
        every message comes in: whole-transcript reads are for rare changes."""
        parts, added = merge(self._parts(), fresh, drop)
        for i, part in parts.items():
            setattr(self, PART_VARS[i], part)
        return added

    def _last_seq_of(self, authors: frozenset[str]) -> int:
        """The seq of the newest message by one of ``authors`` (0: none), read from the end."""
        for part in reversed(self._parts()):
            for item in reversed(part):
                if item.author in authors:
                    return int(item.seq)
        return 0

    def _show_pending(self, client_msg_id: str, text: str, locale: str) -> None:
        """The customer's message as typed, until the stored one replaces it (or it fails)."""
        pending = ChatItem(
            id=client_msg_id,
            seq=PENDING_SEQ,
            author="customer",
            text=text,
            time=format_clock(utcnow(), locale),
        )
        self._merge_transcript([pending])


def transcript_vars(state: type[TranscriptMixin]) -> list[rx.Var]:
    """The parts of ``state``'s transcript, in order, for the view to render one after another."""
    return [getattr(state, name) for name in PART_VARS]
