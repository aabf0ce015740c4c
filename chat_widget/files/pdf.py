"""Sanity checks on a PDF without rendering it.

A PDF is kept as sent (re-rendering would lose text layers and signatures), so it is only
accepted when its structure looks whole and it carries no encryption, JavaScript, launch
actions or embedded files. Names may be hex-escaped (``/J#61vaScript``) and objects may sit in
compressed streams, so both are undone, within a byte budget, before scanning.
"""

from __future__ import annotations

import re
import zlib

from chat_widget.files.errors import FileRejected

_HEADER = re.compile(rb"\A%PDF-[12]\.\d")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")
_ENCRYPT = re.compile(rb"/Encrypt\b")
_ACTIVE = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles|RichMedia|XFA|SubmitForm|ImportData)\b"
)
# Bounds on the work spent inflating streams, so a zip-bomb stream costs little.
_MAX_STREAMS = 2000
_MAX_INFLATED_PER_STREAM = 4 * 1024 * 1024
_MAX_INFLATED_TOTAL = 32 * 1024 * 1024


def check_pdf(data: bytes, *, name: str) -> None:
    """Raise :class:`FileRejected` unless ``data`` looks like a whole, passive PDF."""
    if not _HEADER.match(data):
        raise FileRejected("pdf_corrupt", name=name)
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in data[-4096:]:
        raise FileRejected("pdf_corrupt", name=name)
    if b"trailer" not in data and b"/XRef" not in data:
        raise FileRejected("pdf_corrupt", name=name)
    for chunk in _scannable(data):
        if _ENCRYPT.search(chunk):
            raise FileRejected("pdf_encrypted", name=name)
        if _ACTIVE.search(chunk):
            raise FileRejected("pdf_active_content", name=name)


def _unescape_names(chunk: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)


def _scannable(data: bytes) -> list[bytes]:
    """The file itself plus every Flate stream that inflates, names unescaped."""
    chunks = [_unescape_names(data)]
    budget = _MAX_INFLATED_TOTAL
    for count, match in enumerate(_STREAM.finditer(data)):
        if count >= _MAX_STREAMS or budget <= 0:
            break
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        inflated = _inflate(data[start:end], min(budget, _MAX_INFLATED_PER_STREAM))
        if inflated:
            budget -= len(inflated)
            chunks.append(_unescape_names(inflated))
    return chunks


def _inflate(raw: bytes, limit: int) -> bytes:
    try:
        return zlib.decompressobj().decompress(raw, limit)
    except zlib.error:
        return b""
