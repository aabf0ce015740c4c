"""Small images of a claim's documents for the claims console: photo thumbnails and the first
page of a PDF, rendered on the server.

Why on the server: the handler sees what a photo or a statement is without downloading each
one, and the browser never runs a PDF reader on customer files inside the console. The preview
is made from the stored file at each request, after the same audited, role-checked read as the
file itself (``attachments.open_file_for_handler``); nothing is written to disk or to a public
folder, so erasing a claim's files leaves no copy behind.

PDFs were checked for active content when they were uploaded (``files.pdf``); PDFium renders
only the first page, at a bounded size.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image
from sqlmodel import Session

from chat_widget.claims.attachments import ClaimFileContent, open_file_for_handler
from chat_widget.files import BlobStore

log = logging.getLogger(__name__)

#: Longest side of a preview, in pixels: sharp in the console's cards, small on the wire.
PREVIEW_SIDE = 480
#: PDF pages are rendered at most at this many pixels per point (2 = 144 dpi).
MAX_PDF_SCALE = 2.0


@dataclass(frozen=True, slots=True)
class Preview:
    data: bytes
    content_type: str
    filename: str


def preview_for_handler(
    *, session: Session, store: BlobStore, handler_id: str, file_id: str, reason: str
) -> Preview | None:
    """The preview of a sent claim's file (the read is audited), or None when the file may not
    be read or cannot be previewed."""
    found = open_file_for_handler(
        session=session, store=store, handler_id=handler_id, file_id=file_id, reason=reason
    )
    return render(found) if found is not None else None


def render(found: ClaimFileContent) -> Preview | None:
    return render_bytes(found.data, found.meta.content_type, found.meta.id)


def render_bytes(data: bytes, kind: str, file_id: str) -> Preview | None:
    """A stored (already checked) image or PDF as a PNG preview; None for anything else.
    Also used for live-chat attachments in the agent console."""
    try:
        if kind.startswith("image/"):
            image = _image(data)
        elif kind == "application/pdf":
            image = _first_page(data)
        else:
            return None
    except Exception:  # a file the renderer cannot read: the console lists it by name only
        log.warning("no preview for file %s (%s)", file_id, kind, exc_info=True)
        return None
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return Preview(out.getvalue(), "image/png", f"preview-{file_id}.png")


def _image(data: bytes) -> Image.Image:
    # Stored images were re-encoded on upload (JPEG or PNG, bounded size); only those decoders.
    with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as img:
        img.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
        return img.convert("RGBA" if img.mode in {"RGBA", "LA", "P"} else "RGB")


def _first_page(data: bytes) -> Image.Image:
    import pypdfium2 as pdfium  # loaded on the first PDF preview only

    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        try:
            width, height = page.get_size()
            scale = min(MAX_PDF_SCALE, PREVIEW_SIDE / max(width, height, 1.0))
            bitmap = page.render(scale=scale)
            image: Image.Image = bitmap.to_pil().convert("RGB")
            image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
            return image
        finally:
            page.close()
    finally:
        document.close()
