"""Which kind of file this is, from its first bytes only."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache


class Kind(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    HEIC = "image/heic"
    PDF = "application/pdf"


# ISO-BMFF brands of still HEIF/HEIC images (not AVIF, not video).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"hevx"}


def sniff(data: bytes) -> Kind | None:
    """The kind named by the magic bytes, or None. The extension plays no part on purpose."""
    if data.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if data.startswith(b"%PDF-"):
        return Kind.PDF
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return Kind.HEIC
    return None


@lru_cache(maxsize=1)
def heic_supported() -> bool:
    """HEIC needs the optional ``pillow-heif`` package; without it HEIC files are refused."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True
