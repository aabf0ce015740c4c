"""A chat transcript held in a fixed set of parts, so a new message does not re-send the chat.

Reflex pushes a state var whole whenever it is assigned (``reflex/istate/delta.py``,
``build_delta``: every dirty var's full value goes into the delta). With the transcript in one
list var, every message, pending bubble and acknowledgement sent the whole conversation to the
browser (a chat of a hundred messages, ~30 KB, at every message, to both sides).
Here message ``j`` lives in part ``j // PART_SIZE`` (the last part takes whatever is beyond), so
a change near the end re-sends only the part it falls in: at most ``PART_SIZE`` messages.

Messages never move between parts while the transcript grows (changes happen at its end: a
new message, a pending bubble replaced by the stored one), so the browser keeps the rendered
messages of untouched parts as they are: nothing is re-mounted or re-announced in the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

#: Messages per part; the last part has no limit.
PART_SIZE = 16
#: How many parts a transcript is kept in: 7 x 16 = 112 messages before the last part grows.
PARTS = 8
#: The state var of each part, in order (``ui/transcript_state.TranscriptMixin``).
PART_VARS: tuple[str, ...] = tuple(f"msgs_{i}" for i in range(PARTS))


def split(items: Sequence[T]) -> list[list[T]]:
    """``items`` cut into :data:`PARTS` lists, in order; ``sum(split(x), []) == list(x)``."""
    parts = [list(items[i * PART_SIZE : (i + 1) * PART_SIZE]) for i in range(PARTS - 1)]
    parts.append(list(items[(PARTS - 1) * PART_SIZE :]))
    return parts


def changed_parts(items: Sequence[T], shown: Sequence[Sequence[T]]) -> dict[int, list[T]]:
    """The parts (by index) that differ from what is ``shown``: only those are assigned."""
    return {i: part for i, part in enumerate(split(items)) if list(shown[i]) != part}
