"""Sanity checks on a PDF without rendering it.

A PDF is kept as sent (re-rendering would lose text layers and signatures), so it is only
accepted when it parses as a whole, unencrypted document without active content: JavaScript
(OpenAction, additional actions ``/AA`` on pages, annotations and fields, the ``/JavaScript``
name tree), launch/submit/import/remote-go-to actions, embedded files, rich media, 3D and XFA.

Pattern matching on the raw bytes missed content hidden in object streams encoded with
``/ASCIIHexDecode`` or ``[/ASCII85Decode /FlateDecode]``, so the file is parsed by qpdf
(pikepdf): every filter, object stream, name escape (``/J#61vaScript``) and incremental update
is undone by the same code, and every object of the final revision is inspected, whether or
not the document references it. Work is bounded (object counts, nesting, inflated bytes), so
a PDF bomb is refused quickly instead of tying up a worker.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from functools import cache

import pikepdf

from chat_widget.files.errors import FileRejected

_HEADER = re.compile(rb"\A%PDF-[12]\.\d")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PREV = re.compile(rb"/Prev\b")
_STREAM = re.compile(rb"stream\r?\n")
# Second layer, on the bytes outside streams: an object the cross-reference table does not
# list (or a reference to one) is invisible to qpdf but found by readers that re-scan the file.
_ACTIVE_NAME = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData|GoTo[RE]"
    rb"|FileAttachment)(?![0-9A-Za-z_])"
)

# Bounds on the work spent on one file. Real claim documents (scans, statements, invoices)
# stay far below them: a 300-page scan has about 1,500 objects.
MAX_OBJECTS = 30_000
MAX_REVISIONS = 64  # incremental updates (each /Prev is one more cross-reference section)
MAX_DEPTH = 48  # nesting of arrays/dictionaries inside one object
MAX_VALUES = 1_000_000  # values inspected over the whole file
MAX_OBJECT_STREAM_BYTES = 64 * 1024 * 1024  # all object streams, decoded, together
MAX_STREAM_FILTERS = 4
# Per decoded stream, inside qpdf; also caps cross-reference streams, which qpdf decodes itself.
_QPDF_DECODE_LIMIT = 16 * 1024 * 1024
_OBJECT_STREAM_FILTERS = frozenset(
    {"/FlateDecode", "/ASCIIHexDecode", "/ASCII85Decode", "/RunLengthDecode"}
)

# Action types (/S) that run code, open or fetch other files, send data or play media.
ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
# Keys that only exist to carry scripts, embedded files, XFA forms or rich media / 3D data.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent", "/3DD"}
)
ACTIVE_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/3D", "/Screen", "/Movie", "/Sound"})
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/3D", "/RichMediaContent"})
_SCRIPT_URI = re.compile(r"\s*(?:javascript|vbscript|file):", re.IGNORECASE)


_CONTAINERS = (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)


class _TooComplex(Exception):
    """The file exceeds a work bound: refused as corrupt rather than parsed further."""


@cache
def _qpdf_limits() -> None:
    """qpdf's limits are process-wide; nothing else in the app uses pikepdf, so set them once."""
    pikepdf.settings.set_qpdf_limits(
        flate_max_memory=_QPDF_DECODE_LIMIT,
        run_length_max_memory=_QPDF_DECODE_LIMIT,
        max_stream_filters=MAX_STREAM_FILTERS,
        parser_max_nesting=MAX_DEPTH * 2,
    )


def check_pdf(data: bytes, *, name: str) -> None:
    """Raise :class:`FileRejected` unless ``data`` is a whole, unencrypted, passive PDF.

    Codes: ``pdf_corrupt`` (unparseable, truncated, damaged cross-references, or beyond the
    work bounds), ``pdf_encrypted``, ``pdf_active_content``.
    """
    if not _HEADER.match(data):
        raise FileRejected("pdf_corrupt", name=name)
    # The end of the file must be a cross-reference pointer: viewers read from there, and a
    # file cut short (or with a second document appended after it) is not what was written.
    if b"%%EOF" not in data[-2048:] or b"startxref" not in data[-4096:]:
        raise FileRejected("pdf_corrupt", name=name)
    plain = _unescape_names(_outside_streams(data))
    if len(_PREV.findall(plain)) > MAX_REVISIONS:
        raise FileRejected("pdf_corrupt", name=name)
    _qpdf_limits()
    try:
        # No recovery: a damaged cross-reference table is rebuilt differently by each reader,
        # which is how content is shown to one program and hidden from another.
        pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False, inherit_page_attributes=False)
    except pikepdf.PasswordError as exc:
        raise FileRejected("pdf_encrypted", name=name) from exc
    except pikepdf.PdfError as exc:
        raise FileRejected("pdf_corrupt", name=name) from exc
    with pdf:
        if pdf.is_encrypted or _declares_encryption(data):
            raise FileRejected("pdf_encrypted", name=name)
        try:
            active = _has_active_content(pdf)
        except (_TooComplex, pikepdf.PdfError) as exc:
            raise FileRejected("pdf_corrupt", name=name) from exc
        if active or _ACTIVE_NAME.search(plain):
            raise FileRejected("pdf_active_content", name=name)
        if pdf.get_warnings():
            # qpdf skipped or replaced something it could not read as written (an object not at
            # its listed offset, a structure nested too deep, an undecodable stream): that part
            # was not inspected, and another reader may well find and run it.
            raise FileRejected("pdf_corrupt", name=name)


def _outside_streams(data: bytes) -> bytes:
    """The file without stream bodies (binary data would match names by chance)."""
    parts: list[bytes] = []
    pos = 0
    while (match := _STREAM.search(data, pos)) is not None:
        parts.append(data[pos : match.start()])
        end = data.find(b"endstream", match.end())
        if end < 0:
            return b"".join(parts)
        pos = end + len(b"endstream")
    parts.append(data[pos:])
    return b"".join(parts)


def _unescape_names(chunk: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)


def _declares_encryption(data: bytes) -> bool:
    """An /Encrypt entry in the last trailer, even one qpdf resolved to nothing."""
    tail = _unescape_names(data[-4096:])
    return b"/Encrypt" in tail[tail.rfind(b"trailer") :] if b"trailer" in tail else False


def _has_active_content(pdf: pikepdf.Pdf) -> bool:
    _check_object_streams(pdf)
    budget = [MAX_VALUES]
    if _active_in(pdf.trailer, budget):
        return True
    count = 0
    for obj in pdf.objects:
        count += 1
        if count > MAX_OBJECTS:
            raise _TooComplex("objects")
        if _active_in(obj, budget):
            return True
    return False


def _check_object_streams(pdf: pikepdf.Pdf) -> None:
    """Bound the objects hidden in object streams before qpdf unpacks them all."""
    size = pdf.trailer.get("/Size")
    if not isinstance(size, int) or size > MAX_OBJECTS:
        raise _TooComplex("size")
    xref = pdf.get_xref_table()
    if len(xref) > MAX_OBJECTS:
        raise _TooComplex("xref")
    numbers = {entry.obj_stream_number for entry in xref.values() if entry.type == 2}
    decoded = 0
    for number in sorted(numbers):
        stream = pdf.get_object(number, 0)
        if not isinstance(stream, pikepdf.Stream):
            raise _TooComplex("object stream is not a stream")
        filters = stream.stream_dict.get("/Filter", pikepdf.Array())
        names = [str(f) for f in (filters if isinstance(filters, pikepdf.Array) else [filters])]
        if len(names) > MAX_STREAM_FILTERS or not set(names) <= _OBJECT_STREAM_FILTERS:
            raise _TooComplex("object stream filters")
        count = stream.stream_dict.get("/N")
        if not isinstance(count, int) or not 0 <= count <= MAX_OBJECTS:
            raise _TooComplex("object stream count")
        decoded += len(stream.read_bytes())
        if decoded > MAX_OBJECT_STREAM_BYTES:
            raise _TooComplex("object streams too large")


def _active_in(root: pikepdf.Object, budget: list[int]) -> bool:
    """Whether ``root`` or any value nested in it is active content. Indirect references are
    not followed (every indirect object is visited on its own); depth is bounded and each
    value inspected is counted against ``budget``."""
    stack: list[tuple[pikepdf.Object, int]] = [(root, 0)]
    while stack:
        value, depth = stack.pop()
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_DEPTH:
            raise _TooComplex("values")
        if isinstance(value, pikepdf.Stream):
            value = value.stream_dict
        if isinstance(value, pikepdf.Dictionary):
            items = dict(value.items())
            budget[0] -= len(items)
            if _active(items):
                return True
            children: Iterable[pikepdf.Object] = items.values()
        elif isinstance(value, pikepdf.Array):
            children = value
            budget[0] -= len(value)
        else:
            continue
        if budget[0] < 0:
            raise _TooComplex("values")
        for child in children:
            if isinstance(child, _CONTAINERS) and not child.is_indirect:
                stack.append((child, depth + 1))
    return False


def _active(items: dict[str, pikepdf.Object]) -> bool:
    """One dictionary: an action, annotation, key or type that carries active content."""
    if not ACTIVE_KEYS.isdisjoint(items):
        return True
    action = _name(items.get("/S"))
    if action in ACTIVE_ACTIONS:
        return True
    if _name(items.get("/Subtype")) in ACTIVE_SUBTYPES or _name(items.get("/Type")) in ACTIVE_TYPES:
        return True
    if action == "/URI":
        uri = items.get("/URI")
        return isinstance(uri, pikepdf.String) and bool(_SCRIPT_URI.match(str(uri)))
    return False


def _name(item: pikepdf.Object | None) -> str | None:
    return str(item) if isinstance(item, pikepdf.Name) else None
