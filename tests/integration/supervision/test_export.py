"""Tables and CSV export: the role is checked on every call, exports are audited, the file
opens in Excel (BOM, separators per language) and customer text is neither markup nor formula."""

from __future__ import annotations

import csv
import io

from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.agents.sessions import create_agent_session
from chat_widget.assistant.review import record_misunderstood
from chat_widget.domain.models import AuditEvent
from chat_widget.i18n import catalog
from chat_widget.supervision import misunderstood_questions, period_report
from chat_widget.supervision.export import BOM, export_csv
from chat_widget.supervision.tables import display_cell, period_summary, period_tables
from tests.conftest import ManualClock
from tests.integration.supervision import seed
from tests.integration.supervision.seed import PERIOD, utc


def _token(engine: Engine, username: str, roles: tuple[str, ...]) -> str:
    seed.agent(engine, username, roles=roles)
    with session_scope(engine) as s:
        from chat_widget.agents import get_agent_by_username

        agent = get_agent_by_username(session=s, username=username)
        assert agent is not None
        return create_agent_session(session=s, agent=agent)


def _export(engine: Engine, token: str, name: str, locale: str = "fr"):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return export_csv(
            session=s,
            token=token,
            name=name,
            period=PERIOD,
            locale=locale,
            tr=catalog(locale),
            now=utc(24, 12),
        )


def _rows(data: bytes, delimiter: str = ";") -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def _audit(engine: Engine) -> list[AuditEvent]:
    with session_scope(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "supervisor.export")))


def test_times_csv_in_french_has_seconds_and_the_period_row(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    token = _token(db_engine, "nadia", ("supervisor", "agent"))
    found = _export(db_engine, token, "times")
    assert found is not None
    assert found.filename == "times_2026-11-23_2026-11-24.csv"
    assert _rows(found.data) == [
        [
            "Jour",
            "Demandes",
            "Prises en charge",
            "Sans réponse",
            "Attente p50 (s)",
            "Attente p90 (s)",
            "Traitement p50 (s)",
            "Traitement p90 (s)",
        ],
        ["2026-11-23", "3", "2", "1", "60", "180", "600", "1200"],
        ["2026-11-24", "2", "1", "1", "600", "600", "", ""],
        ["Toute la période", "5", "3", "2", "180", "600", "600", "1200"],
    ]
    (event,) = _audit(db_engine)
    assert event.target_id == "times"
    assert event.details == {"from": "2026-11-23", "to": "2026-11-24", "rows": 2, "locale": "fr"}


def test_english_csv_uses_commas_and_a_decimal_point(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    token = _token(db_engine, "admin", ("admin",))
    found = _export(db_engine, token, "containment", locale="en")
    assert found is not None
    rows = _rows(found.data, delimiter=",")
    assert rows[0][-1] == "Containment (%)"
    assert rows[1:] == [
        ["2026-11-23", "3", "1", "2", "66.7"],
        ["2026-11-24", "1", "1", "0", "0.0"],
        ["Whole period", "4", "2", "2", "50.0"],
    ]
    french = _export(db_engine, token, "containment")
    assert french is not None
    assert _rows(french.data)[1][-1] == "66,7"


def test_questions_csv_keeps_text_and_defuses_formulas(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    seed.review(db_engine, '=HYPERLINK("http://evil")', "fr", "below_threshold", utc(23, 7))
    token = _token(db_engine, "nadia", ("supervisor",))
    found = _export(db_engine, token, "questions")
    assert found is not None
    rows = _rows(found.data)
    assert rows[1][:5] == ["Comment bloquer ma carte ?", "FR", "3", "2", "1"]
    assert rows[1][5] == "2026-11-24 12:00"  # 11:00 UTC, Brussels time
    assert ["Where is <b>my</b> card", "EN", "1", "1", "0", "2026-11-24 13:00"] in rows
    assert ['\'=HYPERLINK("http://evil")', "FR", "1", "1", "0", "2026-11-23 08:00"] in rows


def test_live_tables_export_without_a_period(db_engine: Engine) -> None:
    who = seed.customer(db_engine)
    seed.chat(db_engine, who, utc(24, 11, 55))
    token = _token(db_engine, "nadia", ("supervisor",))
    found = _export(db_engine, token, "queue")
    assert found is not None
    assert found.filename == "queue_2026-11-24_1300.csv"
    assert _rows(found.data) == [
        ["Langue", "En attente", "Attente la plus longue (s)"],
        ["Français", "1", "300"],
        ["Total", "1", "300"],
    ]
    (event,) = _audit(db_engine)
    assert event.details["from"] is None


def test_export_refused_without_the_role_or_a_session_and_not_audited(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    agent = _token(db_engine, "sophie", ("agent",))
    handler = _token(db_engine, "marc", ("claims_handler", "agent"))
    assert _export(db_engine, agent, "times") is None
    assert _export(db_engine, handler, "times") is None
    assert _export(db_engine, "not-a-session", "times") is None
    assert _export(db_engine, "", "times") is None
    supervisor = _token(db_engine, "nadia", ("supervisor",))
    assert _export(db_engine, supervisor, "no_such_table") is None
    assert _audit(db_engine) == []


def test_misunderstood_questions_are_masked_when_stored(
    db_engine: Engine, pinned_clock: ManualClock
) -> None:
    with session_scope(db_engine) as s:
        record_misunderstood(
            session=s,
            text="Ma carte 4111 1111 1111 1111 est bloquée, mon code pin est 1234",
            locale="fr",
            reason="below_threshold",
        )
    with session_scope(db_engine) as s:
        found = misunderstood_questions(session=s, since=PERIOD.since, until=PERIOD.until)
    (question,) = found
    assert "4111" not in question.text and "1234" not in question.text
    assert question.text.startswith("Ma carte ")


def test_tables_and_key_figures_for_the_page(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    with session_scope(db_engine) as s:
        report = period_report(session=s, since=PERIOD.since, until=PERIOD.until)
    tables = period_tables(report, tr=catalog("nl"), locale="nl")
    assert list(tables) == [
        "volume",
        "times",
        "ratings",
        "containment",
        "questions",
        "claims",
        "meetings",
    ]
    claims = tables["claims"]
    assert [c.title for c in claims.columns][:2] == ["Soort schade", "Verstuurd"]
    assert claims.rows[0][0] == "Glasbreuk (auto)"
    assert claims.total == ("Totaal", 1, 1, 1, 0, 0, 3)
    assert tables["volume"].rows[9] == ("09:00", 2, 2, 0, 0, 4)
    assert tables["ratings"].rows[4] == ("5", 1, 50.0)
    figures = {f.label: f.value for f in period_summary(report, tr=catalog("fr"), locale="fr")}
    assert figures == {
        "Conversations": "10",
        "Demandes de chat": "5",
        "Attente médiane (min:s)": "3:00",
        "Note moyenne (sur 5)": "4,00",
        "Résolu par l'assistant": "50,0 %",
        "Déclarations envoyées": "3",
        "Rendez-vous vidéo réservés": "2",
    }
    assert display_cell(None, "seconds", "fr") == "—"
    assert display_cell(65, "seconds", "fr") == "1:05"
