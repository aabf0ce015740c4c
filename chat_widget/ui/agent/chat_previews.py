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
from chat_widget.web.claim_files import ServedFile


async def read_agent_chat_preview(token: str, file_id: str) -> ServedFile | None:
    def work(session: Session) -> ServedFile | None:
        try:
            agent = agents.require_role(session=session, session_token=token, role=Role.AGENT)
        except (agents.NotAuthenticated, agents.NotAuthorized):
            return None
        found = attachments.open_for_agent(
            session=session, store=runtime.file_store(), agent_id=agent.id, file_id=file_id
        )
        if found is None:
            return None
        preview = render_bytes(found.data, found.meta.content_type, found.meta.id)
        if preview is None:
            return None
        return ServedFile(preview.data, preview.content_type, preview.filename)

    return await runtime.run_db(work)
