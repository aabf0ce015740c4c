"""GET /api/claims/export: the insurer's key, constant-time checked; documents since a date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.audit import AuditEvent
from chat_widget.claims.export import documents_since
from chat_widget.web.claims_export import ClaimsExportRoute, key_matches, parse_since
from tests.integration.claims.schema_check import errors
from tests.integration.claims.test_export import submitted_accident

KEY = "insurer-key-that-is-at-least-32-characters"


def _client(engine: Engine, api_key: str | None = KEY) -> TestClient:
    async def load(since: datetime, limit: int) -> list[dict[str, Any]]:
        with session_scope(engine) as session:
            return documents_since(session=session, since=since, limit=limit)

    async def fallback(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("reflex")

    inner = Starlette(routes=[Route("/{path:path}", fallback)])
    return TestClient(ClaimsExportRoute(inner, api_key=api_key, load=load))


def test_export_returns_schema_valid_documents_since_the_date(
    db_engine: Engine, store: LocalFileStore
) -> None:
    submitted_accident(db_engine, store, datetime(2026, 11, 1, 8, tzinfo=UTC))
    submitted_accident(db_engine, store, datetime(2026, 11, 22, 8, tzinfo=UTC))
    client = _client(db_engine)
    auth = {"Authorization": f"Bearer {KEY}"}
    response = client.get("/api/claims/export?since=2026-11-15", headers=auth)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["count"] == 1
    assert [d["reference"] for d in body["claims"]] == ["SIN-2026-000002"]
    assert errors(body["claims"][0]) == []
    everything = client.get("/api/claims/export?since=2026-11-01&limit=1", headers=auth).json()
    assert [d["reference"] for d in everything["claims"]] == ["SIN-2026-000001"]
    with session_scope(db_engine) as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "claim.export")).all()
    assert len(audited) == 2


def test_export_refuses_missing_wrong_or_disabled_keys(db_engine: Engine) -> None:
    client = _client(db_engine)
    assert client.get("/api/claims/export?since=2026-11-01").status_code == 401
    wrong = {"Authorization": "Bearer " + "x" * len(KEY)}
    assert client.get("/api/claims/export?since=2026-11-01", headers=wrong).status_code == 401
    basic = {"Authorization": f"Basic {KEY}"}
    assert client.get("/api/claims/export?since=2026-11-01", headers=basic).status_code == 401
    disabled = _client(db_engine, api_key=None)
    auth = {"Authorization": f"Bearer {KEY}"}
    assert disabled.get("/api/claims/export?since=2026-11-01", headers=auth).status_code == 404
    assert client.get("/other").text == "reflex"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?since=yesterday",
        "?since=2026-11-01&limit=0",
        "?since=2026-11-01&limit=5000",
        "?since=2026-11-01T10:00:00",
    ],
)
def test_export_rejects_bad_parameters(db_engine: Engine, query: str) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    assert _client(db_engine).get(f"/api/claims/export{query}", headers=auth).status_code == 400


def test_key_and_date_parsing() -> None:
    assert key_matches(KEY, KEY)
    assert (
        not key_matches(None, KEY) and not key_matches("", KEY) and not key_matches(KEY[:-1], KEY)
    )
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T10:00:00Z") == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert parse_since("2026-11-01T10:00:00") is None  # no offset: ambiguous
