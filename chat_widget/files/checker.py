"""One entry point for an uploaded file: limits, content type, then per-type cleaning."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from chat_widget.files.errors import FileRejected
from chat_widget.files.images import reencode
from chat_widget.files.pdf import check_pdf
from chat_widget.files.sniff import Kind, heic_supported, sniff

_EXTENSIONS = {Kind.JPEG: ".jpg", Kind.PNG: ".png", Kind.PDF: ".pdf", Kind.HEIC: ".heic"}


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """Limits come from settings; these defaults suit phone photos of a damaged car."""

    max_bytes: int = 15 * 1024 * 1024
    max_files: int = 20
    max_pixels: int = 50_000_000
    max_side: int = 12_000
    allow_heic: bool = True


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file fit to store. ``data`` is the cleaned bytes; ``sha256`` and ``size`` describe them."""

    original_name: str
    data: bytes
    content_type: str
    extension: str
    size: int
    sha256: str
    width: int | None
    height: int | None


def safe_display_name(filename: str) -> str:
    """The base name without path parts or control characters, for showing back to people."""
    base = re.split(r"[\\/]", filename or "")[-1]
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    cleaned = cleaned.lstrip(".") or "file"
    return cleaned[:200]


def check_upload(
    data: bytes, *, filename: str, limits: UploadLimits, existing_count: int = 0
) -> CheckedFile:
    """Return the cleaned file or raise :class:`FileRejected`; never anything else.

    ``existing_count`` is how many files the claim (or conversation) already holds.
    """
    name = safe_display_name(filename)
    if existing_count >= limits.max_files:
        raise FileRejected("too_many_files", name=name, max_files=limits.max_files)
    if not data:
        raise FileRejected("empty_file", name=name)
    if len(data) > limits.max_bytes:
        raise FileRejected("too_large", name=name, max_mb=_mb(limits.max_bytes))
    kind = sniff(data)
    if kind is None:
        raise FileRejected("unsupported_type", name=name)
    try:
        return _clean(data, kind, name=name, limits=limits)
    except FileRejected:
        raise
    except Exception as exc:  # a hostile file must never take the server down
        raise FileRejected("unreadable", name=name) from exc


def check_uploads(
    files: Iterable[tuple[str, bytes]], *, limits: UploadLimits, existing_count: int = 0
) -> list[CheckedFile | FileRejected]:
    """Check several files at once; a refused one takes nothing away from the others."""
    results: list[CheckedFile | FileRejected] = []
    accepted = existing_count
    for filename, data in files:
        try:
            checked = check_upload(data, filename=filename, limits=limits, existing_count=accepted)
        except FileRejected as rejected:
            results.append(rejected)
            continue
        accepted += 1
        results.append(checked)
    return results


def _clean(data: bytes, kind: Kind, *, name: str, limits: UploadLimits) -> CheckedFile:
    width: int | None = None
    height: int | None = None
    out_kind: Kind
    if kind is Kind.PDF:
        check_pdf(data, name=name)
        out, out_kind = data, kind
    else:
        if kind is Kind.HEIC and not (limits.allow_heic and heic_supported()):
            raise FileRejected("heic_unsupported", name=name)
        image = reencode(
            data, kind, name=name, max_pixels=limits.max_pixels, max_side=limits.max_side
        )
        out, out_kind, width, height = image.data, image.kind, image.width, image.height
    return CheckedFile(
        original_name=name,
        data=out,
        content_type=out_kind.value,
        extension=_EXTENSIONS[out_kind],
        size=len(out),
        sha256=hashlib.sha256(out).hexdigest(),
        width=width,
        height=height,
    )


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")
