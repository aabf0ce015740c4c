"""GET /api/agent/supervisor/export/{table}.csv: console cookie and role on every request."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from chat_widget.adapters.db import session_scope
from chat_widget.agents import get_agent_by_username
from chat_widget.agents.sessions import create_agent_session
from chat_widget.i18n import catalog
from chat_widget.supervision import PeriodError, parse_period
from chat_widget.supervision.export import export_csv
from chat_widget.web.asgi import ServedFile
from chat_widget.web.console_session import PLAIN_COOKIE
from chat_widget.web.supervisor_export import SupervisorExportRoute, export_url
from tests.integration.supervision import seed

URL = export_url("meetings", {"from": "2026-11-23", "to": "2026-11-24", "lang": "en"})


def _client(engine: Engine) -> TestClient:
    """The route with a reader like the app's (``read_supervisor_csv``), on the test database."""

    async def read(token: str, name: str, params: Mapping[str, str]) -> ServedFile | None:
        try:
            period = parse_period(params.get("from"), params.get("to"))
        except PeriodError:
            period = None
        locale = params.get("lang", "fr")
        with session_scope(engine) as s:
            found = export_csv(
                session=s, token=token, name=name, period=period, locale=locale, tr=catalog(locale)
            )
        return ServedFile(found.data, "text/csv; charset=utf-8", found.filename) if found else None

    async def fallback(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("reflex")

    inner = Starlette(routes=[Route("/{path:path}", fallback)])
    return TestClient(SupervisorExportRoute(inner, read=read, secure=False))


def _login(engine: Engine, username: str, roles: tuple[str, ...]) -> dict[str, str]:
    seed.agent(engine, username, roles=roles)
    with session_scope(engine) as s:
        agent = get_agent_by_username(session=s, username=username)
        assert agent is not None
        return {PLAIN_COOKIE: create_agent_session(session=s, agent=agent)}


def test_supervisor_downloads_an_attachment_with_a_bom(db_engine: Engine) -> None:
    seed.seed_period(db_engine)
    client = _client(db_engine)
    client.cookies.update(_login(db_engine, "nadia", ("supervisor", "agent")))
    assert URL == "/api/agent/supervisor/export/meetings.csv?from=2026-11-23&to=2026-11-24&lang=en"
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="meetings_2026-11-23_2026-11-24.csv"'
    )
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content.startswith("\ufeff".encode())
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Day,Booked,Cancelled,Being booked,Failed,Requests",
        "2026-11-23,1,1,0,0,2",
        "2026-11-24,1,0,1,1,3",
        "Whole period,2,1,1,1,5",
    ]
    assert client.head(URL).content == b""


def test_refused_without_cookie_role_table_or_period(db_engine: Engine) -> None:
    client = _client(db_engine)
    assert client.get(URL).status_code == 404
    client.cookies.update(_login(db_engine, "sophie", ("agent",)))
    assert client.get(URL).status_code == 404
    client.cookies.update(_login(db_engine, "nadia", ("supervisor",)))
    assert client.get(URL).status_code == 200
    assert (
        client.get("/api/agent/supervisor/export/meetings.csv?from=2026-11-24").status_code == 404
    )
    assert client.get("/api/agent/supervisor/export/meetings.txt").status_code == 404
    assert client.get("/api/agent/supervisor/export/%2e%2e%2fmeetings.csv").status_code == 404
    assert client.get("/api/agent/supervisor/export/unknown.csv").status_code == 404
    assert client.post(URL).status_code == 405
    assert client.get("/agent/supervisor").text == "reflex"
