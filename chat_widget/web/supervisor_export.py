"""``GET /api/agent/supervisor/export/{table}.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&lang=fr``.

The supervisor view's tables as CSV downloads. Like the handlers' file route, it carries no
capability of its own: every request must bring the console session cookie of an employee who
holds the ``supervisor`` (or ``admin``) role, checked again by ``read`` on each request, which
also audits the export. No session, no role, an unknown table or a bad period all get the same
404. The answer is an attachment, never cached, never sniffed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import parse_qs, urlencode

from chat_widget.web.asgi import ASGIApp, Receive, Scope, Send, ServedFile, reply, send_file
from chat_widget.web.console_session import session_token

PREFIX = "/api/agent/supervisor/export/"
_NAME = re.compile(r"\A([a-z_]{1,32})\.csv\Z")
_PARAMS = ("from", "to", "lang")

# (console session token, table name, query parameters) -> the CSV if allowed (audited), else None
SupervisorCsvReader = Callable[[str, str, Mapping[str, str]], Awaitable[ServedFile | None]]


def export_url(name: str, params: Mapping[str, str]) -> str:
    query = urlencode({k: v for k, v in params.items() if k in _PARAMS and v})
    return f"{PREFIX}{name}.csv" + (f"?{query}" if query else "")


class SupervisorExportRoute:
    """Answers ``GET/HEAD {PREFIX}{name}.csv``; passes everything else through."""

    def __init__(self, app: ASGIApp, *, read: SupervisorCsvReader, secure: bool) -> None:
        self.app = app
        self.read = read
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        if scope.get("method") not in {"GET", "HEAD"}:
            await reply(send, 405, b"Method not allowed", [(b"allow", b"GET, HEAD")])
            return
        match = _NAME.match(path[len(PREFIX) :])
        token = session_token(scope, secure=self.secure)
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        params = {k: v[0][:16] for k, v in query.items() if k in _PARAMS and v}
        found = await self.read(token, match.group(1), params) if token and match else None
        if found is None:
            await reply(send, 404, b"Not found")
            return
        await send_file(send, found, head=scope.get("method") == "HEAD")
