"""The claim channel's wiring to this process: signed file links, upload limits, and the two
calls made from outside the widget (the customer's file route, the insurer's export).

Kept apart from ``claim_state`` so the state module holds only what the view does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from chat_widget.claims import attachments
from chat_widget.claims.view import FileLinks
from chat_widget.files import UploadLimits
from chat_widget.ui import runtime
from chat_widget.ui.runtime import file_store
from chat_widget.web.asgi import ServedFile
from chat_widget.web.customer_files import file_url, mint_file_token


def upload_limits() -> UploadLimits:
    cfg = runtime.settings()
    return UploadLimits(max_bytes=cfg.upload_max_bytes, max_files=cfg.upload_max_files)


def file_links(customer_id: str) -> FileLinks:
    """Links that open a claim file for ``customer_id`` only (the route checks the token)."""
    secret = runtime.settings().secret_key

    def link(file_id: str) -> str:
        token = mint_file_token(secret=secret, customer_id=customer_id, file_id=file_id)
        return file_url(file_id, token)

    return link


async def read_claim_file(customer_id: str, file_id: str) -> ServedFile | None:
    """For the file route: the file if ``customer_id`` owns it (else None, like a missing one)."""

    def work(session: Session) -> ServedFile | None:
        found = attachments.open_file_for_customer(
            session=session, store=file_store(), customer_id=customer_id, file_id=file_id
        )
        if found is None:
            return None
        return ServedFile(found.data, found.meta.content_type, found.meta.original_name)

    return await runtime.run_db(work)


async def export_documents(since: datetime, limit: int) -> list[dict[str, Any]]:
    """For the insurer's export endpoint: documents of claims submitted since ``since``."""
    from chat_widget.claims.export import documents_since

    return await runtime.run_db(
        lambda session: documents_since(session=session, since=since, limit=limit)
    )
