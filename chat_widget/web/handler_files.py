"""Customer files for employees: ``GET /api/claims/handler-files/{file_id}`` (claims), its
preview image ``GET /api/claims/handler-previews/{file_id}`` (photo thumbnail, first page of a
PDF) and ``GET /api/chat/agent-files/{file_id}`` (live-chat attachments, for the agent holding
the chat).

No bearer capability here: every request must carry the console session cookie of an employee
who holds the ``claims_handler`` (or ``admin``) role, checked again on each request, and every
read is audited by the claims layer. No session, a session without the role, an unknown file or
a draft's file all get the same 404, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from chat_widget.web.asgi import (
    ASGIApp,
    Receive,
    Scope,
    Send,
    ServedFile,
    file_id_or_pass,
    reply,
    send_file,
)
from chat_widget.web.console_session import session_token

PREFIX = "/api/claims/handler-files/"
PREVIEW_PREFIX = "/api/claims/handler-previews/"
AGENT_CHAT_PREFIX = "/api/chat/agent-files/"
AGENT_CHAT_PREVIEW_PREFIX = "/api/chat/agent-previews/"

# (console session token, file_id) -> the file if the session may read it (audited), else None.
HandlerFileReader = Callable[[str, str], Awaitable[ServedFile | None]]


def handler_file_url(file_id: str) -> str:
    return f"{PREFIX}{file_id}"


def handler_preview_url(file_id: str) -> str:
    return f"{PREVIEW_PREFIX}{file_id}"


def agent_chat_file_url(file_id: str) -> str:
    return f"{AGENT_CHAT_PREFIX}{file_id}"


def agent_chat_preview_url(file_id: str) -> str:
    return f"{AGENT_CHAT_PREVIEW_PREFIX}{file_id}"


class HandlerFilesRoute:
    """Answers ``GET/HEAD {prefix}{id}``; passes everything else through.

    ``read_file`` decides (and audits) whether the session may read the file."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        read_file: HandlerFileReader,
        secure: bool,
        prefix: str = PREFIX,
    ) -> None:
        self.app = app
        self.secure = secure
        self.read_file = read_file
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        file_id = await file_id_or_pass(self.app, self.prefix, scope, receive, send)
        if file_id is None:
            return
        token = session_token(scope, secure=self.secure)
        found = await self.read_file(token, file_id) if token and len(file_id) == 32 else None
        if found is None:
            await reply(send, 404, b"Not found")
            return
        await send_file(send, found, head=scope.get("method") == "HEAD")
