"""The console's "waiting for an answer" rule (live_chat.waiting): plain data, pinned times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chat_widget.live_chat.waiting import waiting_since

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_no_message_or_only_system_lines_is_no_wait() -> None:
    assert waiting_since([]) is None
    assert waiting_since([("system", at(0))]) is None


def test_the_wait_runs_from_the_first_unanswered_customer_message() -> None:
    messages = [("customer", at(0)), ("customer", at(3)), ("customer", at(7))]
    assert waiting_since(messages) == at(0)


def test_an_agent_answer_ends_the_wait_and_the_next_question_starts_a_new_one() -> None:
    assert waiting_since([("customer", at(0)), ("agent", at(2))]) is None
    messages = [("customer", at(0)), ("agent", at(2)), ("customer", at(5)), ("customer", at(6))]
    assert waiting_since(messages) == at(5)


def test_system_lines_answer_nothing_the_assistant_does() -> None:
    assert waiting_since([("customer", at(0)), ("system", at(1))]) == at(0)
    assert waiting_since([("system", at(0)), ("customer", at(1)), ("system", at(2))]) == at(1)
    assert waiting_since([("customer", at(0)), ("assistant", at(1))]) is None


def test_naive_times_are_utc() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    assert waiting_since([("customer", naive)]) == T0
