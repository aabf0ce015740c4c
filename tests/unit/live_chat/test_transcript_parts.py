"""The transcript's parts: what a change re-sends to the browser."""

from __future__ import annotations

from dataclasses import dataclass

from chat_widget.ui.transcript_parts import (
    PART_SIZE,
    PARTS,
    PENDING_SEQ,
    changed_parts,
    merge,
    split,
)


def test_parts_keep_every_message_once_in_order() -> None:
    for n in (0, 1, PART_SIZE, PART_SIZE + 1, PART_SIZE * PARTS + 5):
        items = list(range(n))
        parts = split(items)
        assert len(parts) == PARTS
        assert [i for p in parts for i in p] == items
        # The last part takes what is beyond the others' room.
        assert all(len(p) <= PART_SIZE for p in parts[:-1])


def test_a_new_message_re_sends_only_its_own_part() -> None:
    n = 2 * PART_SIZE + PART_SIZE // 2  # the third part half full
    items = list(range(n))
    shown = split(items)
    changed = changed_parts([*items, n], shown)
    assert changed == {2: list(range(2 * PART_SIZE, n + 1))}


def test_a_message_that_opens_a_part_sends_only_that_part() -> None:
    items = list(range(2 * PART_SIZE))
    changed = changed_parts([*items, 99], split(items))
    assert changed == {2: [99]}


def test_a_pending_copy_replaced_by_the_stored_message_sends_one_part() -> None:
    n = PART_SIZE + PART_SIZE // 2
    items = [*range(n), "pending"]
    changed = changed_parts([*range(n), n], split(items))
    assert list(changed) == [1]


def test_nothing_changed_sends_nothing_and_clearing_empties_every_filled_part() -> None:
    items = list(range(PART_SIZE + PART_SIZE // 2))
    assert changed_parts(items, split(items)) == {}
    assert changed_parts([], split(items)) == {0: [], 1: []}


def test_beyond_the_parts_the_last_one_grows() -> None:
    items = list(range(PART_SIZE * PARTS + 10))
    changed = changed_parts([*items, "new"], split(items))
    assert list(changed) == [PARTS - 1]
    assert changed[PARTS - 1][-1] == "new"


@dataclass(frozen=True)
class Msg:
    id: str
    seq: int


def shown_as(items: list[Msg]) -> list[list[Msg]]:
    return split(items)


def after(shown: list[list[Msg]], changed: dict[int, list[Msg]]) -> list[Msg]:
    parts = [changed.get(i, part) for i, part in enumerate(shown)]
    assert parts == split([m for p in parts for m in p])  # still the canonical layout
    return [m for p in parts for m in p]


def msgs(*seqs: int) -> list[Msg]:
    return [Msg(f"m{s}", s) for s in seqs]


def test_merge_adds_new_messages_at_the_end_touching_only_the_last_part() -> None:
    n = 2 * PART_SIZE + PART_SIZE // 2
    shown = shown_as(msgs(*range(1, n + 1)))
    changed, added = merge(shown, msgs(n + 1, n + 2))
    assert list(changed) == [2] and added == msgs(n + 1, n + 2)
    assert after(shown, changed) == msgs(*range(1, n + 3))


def test_merge_replaces_the_pending_copy_and_skips_what_is_shown() -> None:
    pending = Msg("client-1", PENDING_SEQ)
    n = PART_SIZE
    shown = shown_as([*msgs(*range(1, n + 1)), pending])  # the pending copy opens part 1
    changed, added = merge(shown, [Msg(f"m{n}", n), Msg("stored", n + 1)], drop="client-1")
    assert added == [Msg("stored", n + 1)]
    assert after(shown, changed) == [*msgs(*range(1, n + 1)), Msg("stored", n + 1)]


def test_merge_sorts_an_older_message_into_an_earlier_part() -> None:
    n, late = 3 * PART_SIZE, PART_SIZE // 2 + 1  # a message of the first part comes late
    shown = shown_as(msgs(*[s for s in range(1, n) if s != late]))
    changed, added = merge(shown, msgs(late))
    assert added == msgs(late)
    assert after(shown, changed) == msgs(*range(1, n))


def test_merge_with_nothing_new_assigns_nothing() -> None:
    shown = shown_as(msgs(1, 2, 3))
    assert merge(shown, msgs(3)) == ({}, [])
    assert merge(shown, [], drop="not-shown") == ({}, [])
    assert merge(shown_as([]), []) == ({}, [])
