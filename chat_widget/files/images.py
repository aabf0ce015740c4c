"""Decode an image and write a fresh one: only pixels survive, never EXIF, GPS or trailing data."""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from chat_widget.files.errors import FileRejected
from chat_widget.files.sniff import Kind

_PILLOW_FORMAT = {Kind.JPEG: "JPEG", Kind.PNG: "PNG", Kind.HEIC: "HEIF"}


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    kind: Kind
    width: int
    height: int


def reencode(data: bytes, kind: Kind, *, name: str, max_pixels: int, max_side: int) -> CleanImage:
    """Re-encode a JPEG/PNG/HEIC. HEIC becomes JPEG so every browser and handler can open it.

    Dimensions are checked from the header *before* pixels are decoded, so a small file that
    declares a huge canvas (a decompression bomb) is refused without allocating it.
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns about malformed EXIF and the like; the file is re-encoded anyway.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the decoder the magic bytes named: no other Pillow plugin gets a go at it.
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[kind]]) as img:
                width, height = img.size
                if width <= 0 or height <= 0:
                    raise FileRejected("image_corrupt", name=name)
                if width * height > max_pixels:
                    raise FileRejected(
                        "image_too_many_pixels", name=name, width=width, height=height
                    )
                if max(width, height) > max_side:
                    raise FileRejected("image_too_wide", name=name, max_side=max_side)
                img.load()
                out_kind = Kind.PNG if kind is Kind.PNG else Kind.JPEG
                clean = _pixels_only(img, keep_alpha=out_kind is Kind.PNG)
            buf = io.BytesIO()
            if out_kind is Kind.PNG:
                clean.save(buf, format="PNG", optimize=False)
            else:
                clean.save(buf, format="JPEG", quality=90, optimize=True)
            return CleanImage(buf.getvalue(), out_kind, clean.width, clean.height)
    except FileRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileRejected("image_too_many_pixels", name=name) from exc
    except (
        OSError,
        SyntaxError,
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        EOFError,
        ZeroDivisionError,
        OverflowError,
        MemoryError,
        RuntimeError,
        struct.error,
    ) as exc:
        # Pillow reports broken files through many exception types; all mean "damaged".
        raise FileRejected("image_corrupt", name=name) from exc


def _pixels_only(img: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """A new image holding only pixels, turned upright by its EXIF orientation first."""
    frame = ImageOps.exif_transpose(img) or img
    if keep_alpha:
        mode = "RGBA" if ("A" in frame.getbands() or "transparency" in frame.info) else "RGB"
    else:
        mode = "RGB"
    if frame.mode != mode:
        frame = frame.convert(mode)
    # A brand-new image carries no info/exif/icc from the original.
    fresh = Image.new(mode, frame.size)
    fresh.paste(frame)
    return fresh
