"""Tiny real files made on the fly, so tests never depend on binary fixtures."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def jpeg(width: int = 40, height: int = 30, *, gps: bool = False) -> bytes:
    img = Image.new("RGB", (width, height), (200, 30, 30))
    buf = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "ACME Phone"  # Make
        exif[0x0112] = 6  # Orientation: rotate 90° to display
        ifd = exif.get_ifd(0x8825)
        ifd[1], ifd[2], ifd[3], ifd[4] = "N", (50.0, 50.0, 12.5), "E", (4.0, 21.0, 0.0)
        img.save(buf, "JPEG", exif=exif)
    else:
        img.save(buf, "JPEG")
    return buf.getvalue()


def png(width: int = 20, height: int = 10, *, alpha: bool = False) -> bytes:
    img = Image.new(
        "RGBA" if alpha else "RGB", (width, height), (10, 120, 10, 128)[: 4 if alpha else 3]
    )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def heic(width: int = 32, height: int = 24) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (0, 0, 200)).save(buf, "HEIF")
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid-looking PNG a few hundred bytes long that declares a 10-gigapixel canvas."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def pdf(
    extra_catalog: bytes = b"", *, trailer_extra: bytes = b"", streams: list[bytes] | None = None
) -> bytes:
    """A minimal one-page PDF with a correct xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    for raw in streams or []:
        body = zlib.compress(raw)
        objects.append(
            b"<< /Length "
            + str(len(body)).encode()
            + b" /Filter /FlateDecode >>\nstream\n"
            + body
            + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R ".encode() + trailer_extra + b">>\n"
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
