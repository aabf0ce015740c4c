"""Previews of live-chat attachments for the console: the file is read as the agent's own file
route reads it (console session, agent role, only chats they hold, audited), then rendered
small on the server (``claims.previews.render_bytes``: images and a PDF's first page)."""

from __future__ import annotations

from sqlmodel import Session

from chat_widget import agents
from chat_widget.agents.records import Role
from chat_widget.claims.previews import render_bytes
from chat_widget.live_chat import attachments
from chat_widget.ui import runtime
from chat_widget.web.asgi import ServedFile


def open_agent_chat_file(
    session: Session, token: str, file_id: str
) -> attachments.ChatFileContent | None:
    """A chat file for the console session's agent, if they hold its chat: the session (and
    its role) is checked on every request, the read audited (``attachments.open_for_agent``).
    The file route and the preview route both open files this way."""
    try:
        agent = agents.require_role(session=session, session_token=token, role=Role.AGENT)
    except (agents.NotAuthenticated, agents.NotAuthorized):
        return None
    return attachments.open_for_agent(
        session=session, store=runtime.file_store(), agent_id=agent.id, file_id=file_id
    )


async def read_agent_chat_preview(token: str, file_id: str) -> ServedFile | None:
    def work(session: Session) -> ServedFile | None:
        found = open_agent_chat_file(session, token, file_id)
        if found is None:
            return None
        preview = render_bytes(found.data, found.meta.content_type, found.meta.id)
        if preview is None:
            return None
        return ServedFile(preview.data, preview.content_type, preview.filename)

    return await runtime.run_db(work)
