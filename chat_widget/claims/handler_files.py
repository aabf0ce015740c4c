"""A claim's file (or its preview) for whoever holds a console session, on the console's terms.

The cookie-checked file routes hand over the session token and a file id; this decides. Only
an employee who may handle claims gets anything, every read is audited with its reason, and
every refusal looks the same (None), so file ids cannot be probed.
"""

from __future__ import annotations

from sqlmodel import Session

from chat_widget import agents
from chat_widget.claims.attachments import open_file_for_handler
from chat_widget.claims.console import HandlerDenied, handler_of
from chat_widget.claims.previews import preview_for_handler
from chat_widget.files import BlobStore

FILE_REASON = "document opened from the claims console"
PREVIEW_REASON = "document preview shown in the claims console"


def file_for_session(
    *, session: Session, store: BlobStore, token: str, file_id: str, preview: bool
) -> tuple[bytes, str, str] | None:
    """(bytes, content type, file name) of the file or of its preview image, or None."""
    try:
        handler_id, _ = handler_of(session, token)
    except (HandlerDenied, agents.NotAuthenticated):
        return None
    if preview:
        image = preview_for_handler(
            session=session,
            store=store,
            handler_id=handler_id,
            file_id=file_id,
            reason=PREVIEW_REASON,
        )
        return (image.data, image.content_type, image.filename) if image else None
    found = open_file_for_handler(
        session=session, store=store, handler_id=handler_id, file_id=file_id, reason=FILE_REASON
    )
    if found is None:
        return None
    return found.data, found.meta.content_type, found.meta.original_name
