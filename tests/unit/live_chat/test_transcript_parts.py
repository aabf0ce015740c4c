"""The transcript's parts: what a change re-sends to the browser."""

from __future__ import annotations

from chat_widget.ui.transcript_parts import PART_SIZE, PARTS, changed_parts, split


def test_parts_keep_every_message_once_in_order() -> None:
    for n in (0, 1, PART_SIZE, PART_SIZE + 1, PART_SIZE * PARTS + 5):
        items = list(range(n))
        parts = split(items)
        assert len(parts) == PARTS
        assert [i for p in parts for i in p] == items
        # The last part takes what is beyond the others' room.
        assert all(len(p) <= PART_SIZE for p in parts[:-1])


def test_a_new_message_re_sends_only_its_own_part() -> None:
    items = list(range(45))
    shown = split(items)
    changed = changed_parts([*items, 45], shown)
    assert changed == {2: list(range(32, 46))}


def test_a_message_that_opens_a_part_sends_only_that_part() -> None:
    items = list(range(2 * PART_SIZE))
    changed = changed_parts([*items, 99], split(items))
    assert changed == {2: [99]}


def test_a_pending_copy_replaced_by_the_stored_message_sends_one_part() -> None:
    items = [*range(20), "pending"]
    changed = changed_parts([*range(20), 20], split(items))
    assert list(changed) == [1]


def test_nothing_changed_sends_nothing_and_clearing_empties_every_filled_part() -> None:
    items = list(range(20))
    assert changed_parts(items, split(items)) == {}
    assert changed_parts([], split(items)) == {0: [], 1: []}


def test_beyond_the_parts_the_last_one_grows() -> None:
    items = list(range(PART_SIZE * PARTS + 10))
    changed = changed_parts([*items, "new"], split(items))
    assert list(changed) == [PARTS - 1]
    assert changed[PARTS - 1][-1] == "new"
