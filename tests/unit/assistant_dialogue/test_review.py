from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.assistant import review
from chat_widget.assistant.dialogue import ConversationState, ReviewReason, answer, not_helpful
from chat_widget.assistant.records import AssistantReviewItem
from tests.unit.assistant_dialogue.fakes import sure, unsure


def test_replies_needing_review_are_recorded_masked(db_engine: Engine) -> None:
    state = ConversationState()
    low = answer(
        "mijn kaart 4111 1111 1111 1111 doet raar",
        "nl",
        unsure(("card_not_working", 0.3), ("pin_blocked", 0.2)),
        live_chat_open=True,
        state=state,
    )
    ok = answer("kaart kwijt", "nl", sure("lost_or_stolen_card"), live_chat_open=True, state=state)
    bad = not_helpful("nl", live_chat_open=True, state=state)
    with session_scope(db_engine) as session:
        first = review.record_from_reply(session=session, reply=low, conversation_id="c1")
        assert review.record_from_reply(session=session, reply=ok, conversation_id="c1") is None
        review.record_from_reply(session=session, reply=bad, conversation_id="c1")
        assert first is not None
    with session_scope(db_engine) as session:
        items = review.list_review_items(session=session)
        assert [i.reason for i in items] == ["below_threshold", "not_helpful"]
        assert "4111" not in items[0].text and "doet raar" in items[0].text
        assert items[0].alternatives == [["card_not_working", 0.3], ["pin_blocked", 0.2]]
        assert items[1].text == "kaart kwijt"
        assert items[1].predicted_intent == "lost_or_stolen_card"
        only = review.list_review_items(session=session, reason=ReviewReason.NOT_HELPFUL)
        assert [i.reason for i in only] == ["not_helpful"]


def test_since_until_and_reviewed_filters(db_engine: Engine) -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    with session_scope(db_engine) as session:
        for days, text in ((-30, "old"), (0, "today"), (3, "later")):
            session.add(
                AssistantReviewItem(
                    created_at=now + timedelta(days=days),
                    reason="below_threshold",
                    locale="fr",
                    text=text,
                )
            )
    with session_scope(db_engine) as session:
        got = review.list_review_items(
            session=session,
            since=datetime(2026, 11, 1, tzinfo=UTC),
            until=datetime(2026, 11, 22, tzinfo=UTC),
        )
        assert [i.text for i in got] == ["today"]
        assert review.mark_reviewed(session=session, item_ids=[got[0].id, "missing"]) == 1
    with session_scope(db_engine) as session:
        pending = review.list_review_items(session=session, include_reviewed=False)
        assert [i.text for i in pending] == ["old", "later"]


def test_csv_neutralises_formulas() -> None:
    item = AssistantReviewItem(
        reason="not_helpful",
        locale="en",
        text='=HYPERLINK("x")',
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
        alternatives=[["pin_blocked", 0.4]],
    )
    out = io.StringIO()
    assert review.write_csv([item], out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["text"].startswith("'=")
    assert rows[0]["alternatives"] == '[["pin_blocked", 0.4]]'


def test_cli_exports_csv(
    db_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with session_scope(db_engine) as session:
        session.add(
            AssistantReviewItem(
                created_at=datetime(2026, 10, 30, tzinfo=UTC),
                reason="below_threshold",
                locale="fr",
                text="trop vieux",
            )
        )
        session.add(
            AssistantReviewItem(
                created_at=datetime(2026, 11, 3, tzinfo=UTC),
                reason="below_threshold",
                locale="fr",
                text="c'est quoi un zoomit",
            )
        )
    url = db_engine.url.render_as_string(hide_password=False)
    out = tmp_path / "review.csv"
    assert review.main(["--since", "2026-11-01", "--out", str(out), "--db-url", url]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["text"] for r in rows] == ["c'est quoi un zoomit"]
    assert list(rows[0]) == list(review.CSV_COLUMNS)
    assert "1 question(s) exported" in capsys.readouterr().err
