"""Tiny real files made on the fly, so tests never depend on binary fixtures."""

from __future__ import annotations

import base64
import io
import random
import struct
import zlib
from collections.abc import Callable, Sequence

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


UPDATE_FIRST = 100  # number of the first object an incremental update adds

# Encoders for the filters a test PDF may stack on an object stream, keyed by their PDF name.
_ENCODERS: dict[bytes, Callable[[bytes], bytes]] = {
    b"/FlateDecode": zlib.compress,
    b"/ASCIIHexDecode": lambda data: data.hex().upper().encode() + b">",
    b"/ASCII85Decode": lambda data: base64.a85encode(data) + b"~>",
}


def encode(data: bytes, filters: Sequence[bytes]) -> bytes:
    """Encode ``data`` so that ``/Filter [filters]`` (applied in order) decodes it back."""
    for name in reversed(filters):
        data = _ENCODERS[name](data)
    return data


def _stream(dict_body: bytes, data: bytes) -> bytes:
    return b"<< " + dict_body + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted object numbers as (first, count) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][0] + runs[-1][1] == n:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((n, 1))
    return runs


class _Writer:
    """Appends revisions (objects + one cross-reference section) to a PDF, as producers do."""

    def __init__(self) -> None:
        self.out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.prev: int | None = None
        self.size = 1  # one more than the highest object number written so far

    def _obj(self, number: int, body: bytes) -> int:
        offset = len(self.out)
        self.out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        return offset

    def revision(
        self,
        objects: dict[int, bytes],
        streams: dict[int, bytes],
        *,
        packed: Sequence[bytes] | None,
        trailer_extra: bytes = b"",
        padding: int = 0,
    ) -> None:
        """Write one revision. With ``packed``, ``objects`` go into an object stream encoded
        with those filters and the section is a cross-reference stream; else a classic table."""
        size = max([self.size, *[n + 1 for n in [*objects, *streams]]])
        entries: dict[int, tuple[int, int, int]] = {}
        for number, body in streams.items():
            entries[number] = (1, self._obj(number, body), 0)
        if packed is None:
            for number, body in objects.items():
                entries[number] = (1, self._obj(number, body), 0)
        else:
            objstm, size = size, size + 1
            header, bodies = [], bytearray()
            for index, (number, body) in enumerate(objects.items()):
                header.append(f"{number} {len(bodies)}")
                bodies += body + b"\n"
                entries[number] = (2, objstm, index)
            head = " ".join(header).encode() + b"\n"
            data = encode(head + bytes(bodies) + b" " * padding, packed)
            filters = b"[" + b" ".join(packed) + b"]"
            dict_body = b"/Type /ObjStm /N %d /First %d /Filter " % (len(objects), len(head))
            entries[objstm] = (1, self._obj(objstm, _stream(dict_body + filters, data)), 0)
        prev = b"" if self.prev is None else b"/Prev %d " % self.prev
        if self.prev is None:
            entries[0] = (0, 0, 65535)
        if packed is None:
            start = len(self.out)
            self.out += b"xref\n"
            for number in sorted(entries):
                kind, a, b = entries[number]
                self.out += f"{number} 1\n{a:010d} {b:05d} {'f' if kind == 0 else 'n'} \n".encode()
            self.out += b"trailer\n<< /Size %d /Root 1 0 R " % size + prev + trailer_extra + b">>\n"
        else:
            xref, size = size, size + 1
            start = len(self.out)
            entries[xref] = (1, start, 0)
            numbers = sorted(entries)
            rows = b"".join(struct.pack(">BII", *entries[n]) for n in numbers)
            index = b" ".join(b"%d %d" % run for run in _runs(numbers))
            dict_body = b"/Type /XRef /Size %d /W [1 4 4] /Index [%s] /Root 1 0 R " % (size, index)
            self._obj(xref, _stream(dict_body + prev + trailer_extra, rows))
        self.out += f"startxref\n{start}\n%%EOF\n".encode()
        self.prev = start
        self.size = size


def pdf(
    extra_catalog: bytes = b"",
    *,
    trailer_extra: bytes = b"",
    streams: list[bytes] | None = None,
    page_extra: bytes = b"",
    objects: list[bytes] | None = None,
    packed: Sequence[bytes] | None = None,
    update: bytes | None = None,
    update_objects: list[bytes] | None = None,
    update_packed: Sequence[bytes] | None = None,
    padding: int = 0,
) -> bytes:
    """A minimal one-page PDF with a correct cross-reference section.

    Objects: 1 catalog (``extra_catalog`` added), 2 pages, 3 page (``page_extra`` added), then
    one Flate stream per ``streams`` item, then ``objects`` (so the first is ``4 0 R`` without
    streams). ``packed`` puts the catalog, pages, page and ``objects`` into an object stream
    encoded with that filter chain, e.g. ``(b"/ASCII85Decode", b"/FlateDecode")``.
    ``update`` appends an incremental update that rewrites the catalog with ``update`` added,
    plus ``update_objects`` numbered from ``UPDATE_FIRST`` (100), packed by ``update_packed``.
    ``padding`` appends that many spaces to the packed object stream (a decompression bomb).
    """
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page_extra + b">>",
    }
    loose: dict[int, bytes] = {}
    for raw in streams or []:
        loose[len(plain) + len(loose) + 1] = _stream(b"/Filter /FlateDecode", zlib.compress(raw))
    for body in objects or []:
        plain[len(plain) + len(loose) + 1] = body
    writer = _Writer()
    writer.revision(plain, loose, packed=packed, trailer_extra=trailer_extra, padding=padding)
    if update is not None or update_objects:
        assert writer.size <= UPDATE_FIRST
        first = UPDATE_FIRST
        changed = {1: b"<< /Type /Catalog /Pages 2 0 R " + (update or b"") + b">>"}
        for offset, body in enumerate(update_objects or []):
            changed[first + offset] = body
        writer.revision(changed, {}, packed=update_packed, trailer_extra=trailer_extra)
    return bytes(writer.out)


def pdf_document(pages: int = 3, *, image_side: int = 400, noise: bool = False) -> bytes:
    """A PDF as a normal library writes it (qpdf via pikepdf): text and a JPEG per page,
    compressed object streams and a cross-reference stream. ``noise`` makes the images
    incompressible, to reach a given file size."""
    import pikepdf

    doc = pikepdf.new()
    font = doc.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    rng = random.Random(pages)
    for number in range(pages):
        if noise:
            img = Image.frombytes("RGB", (image_side, image_side), rng.randbytes(image_side**2 * 3))
        else:
            img = Image.new("RGB", (image_side, image_side), (200, 30 + number % 200, 30))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=95)
        image = pikepdf.Stream(
            doc,
            buf.getvalue(),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=image_side,
            Height=image_side,
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
        page = doc.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(Im1=image)
        )
        text = f"BT /F1 12 Tf 72 780 Td (Constat amiable - page {number + 1}) Tj ET"
        page.Contents = doc.make_stream(f"{text} q 400 0 0 400 72 300 cm /Im1 Do Q".encode())
    doc.docinfo["/Title"] = "Sinistre"
    out = io.BytesIO()
    doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def pdf_scan(pages: int = 3) -> bytes:
    """A scanned-document-like PDF: one JPEG per page, as Pillow (and many scanners) write it."""
    frames = [Image.new("L", (850, 1100), 235 - 10 * i) for i in range(pages)]
    buf = io.BytesIO()
    frames[0].save(buf, "PDF", save_all=True, append_images=frames[1:], resolution=100)
    return buf.getvalue()


def pdf_encrypted(user_password: str = "") -> bytes:
    """A PDF encrypted by a normal library (AES-256); an empty user password opens it."""
    import pikepdf

    doc = pikepdf.open(io.BytesIO(pdf()))
    out = io.BytesIO()
    doc.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=user_password))
    return out.getvalue()
