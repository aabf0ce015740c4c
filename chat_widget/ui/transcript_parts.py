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
from typing import Protocol, TypeVar


class Item(Protocol):
    """What the merge reads of a shown message."""

    @property
    def id(self) -> str: ...
    @property
    def seq(self) -> int: ...


T = TypeVar("T")
I = TypeVar("I", bound=Item)  # noqa: E741

#: A customer's message shown before it is stored sorts after every stored one.
PENDING_SEQ = 10**9

#: Messages per part; the last part has no limit. A message re-sends its part whole, so the
#: part's size is what a message costs to serialise (JSON) and to type-check on assignment:
#: 16 → 8 took that out of a customer send's CPU under load (docs/live-chat.md).
PART_SIZE = 8
#: How many parts a transcript is kept in: 15 x 8 = 120 messages before the last part grows.
PARTS = 16
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


def merge(
    shown: Sequence[Sequence[I]], fresh: Sequence[I], drop: str = ""
) -> tuple[dict[int, list[I]], list[I]]:
    """Add ``fresh`` messages (in seq order, not twice) and remove the pending copy ``drop``:
    the parts to assign, and the messages that were added.

    Reads only the tail it changes: messages arrive at the end, so from the last part
    holding messages, back only as far as the earliest fresh seq or a pending copy (pending
    copies sort last) reaches. The whole transcript, read through Reflex's state proxies at
    every message, was a sixth of the event loop's time under load."""
    if not fresh and not drop:
        return {}, []
    sizes = [len(part) for part in shown]
    start = max((i for i, n in enumerate(sizes) if n), default=0)
    reach = min([*(f.seq for f in fresh), *([PENDING_SEQ] if drop else [])])
    while start > 0 and shown[start][0].seq >= reach:
        start -= 1
    tail = [item for part in shown[start:] for item in part if not drop or item.id != drop]
    known = {item.id for item in tail}
    added: list[I] = []
    for item in fresh:
        if item.id not in known:
            known.add(item.id)
            added.append(item)
    if not added and len(tail) == sum(sizes[start:]):
        return {}, []
    tail = sorted([*tail, *added], key=lambda item: item.seq)
    parts: dict[int, list[I]] = {}
    for i in range(start, PARTS):
        offset = (i - start) * PART_SIZE
        part = tail[offset : offset + PART_SIZE] if i < PARTS - 1 else tail[offset:]
        if part or sizes[i]:
            parts[i] = part
    return parts, added
