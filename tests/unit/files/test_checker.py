from __future__ import annotations

import io

import pytest
from PIL import Image

from chat_widget.files import (
    CheckedFile,
    FileRejected,
    UploadLimits,
    check_upload,
    check_uploads,
    heic_supported,
    rejection_message,
)
from chat_widget.files.errors import codes
from chat_widget.i18n import LOCALES
from chat_widget.i18n.translations import raw
from tests.conftest import requires
from tests.unit.files import samples

LIMITS = UploadLimits(max_bytes=2 * 1024 * 1024, max_files=5, max_pixels=4_000_000, max_side=4000)


def rejected(data: bytes, name: str = "f", **kw: object) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        check_upload(data, filename=name, limits=kw.pop("limits", LIMITS), **kw)  # type: ignore[arg-type]
    return info.value


def test_jpeg_is_reencoded_and_loses_exif_and_gps() -> None:
    original = samples.jpeg(40, 30, gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test file has GPS
    out = check_upload(original, filename="crash.jpg", limits=LIMITS)
    assert out.content_type == "image/jpeg" and out.extension == ".jpg"
    clean = Image.open(io.BytesIO(out.data))
    assert clean.format == "JPEG"
    assert len(clean.getexif()) == 0
    assert b"Exif" not in out.data and b"ACME" not in out.data
    # Orientation 6 was applied before stripping: the picture stays upright.
    assert (out.width, out.height) == (30, 40)
    assert out.size == len(out.data)


def test_png_keeps_alpha_and_stays_png() -> None:
    out = check_upload(samples.png(alpha=True), filename="a.png", limits=LIMITS)
    assert out.content_type == "image/png"
    assert Image.open(io.BytesIO(out.data)).mode == "RGBA"


def test_png_renamed_pdf_is_judged_by_content() -> None:
    out = check_upload(samples.png(), filename="invoice.pdf", limits=LIMITS)
    assert out.content_type == "image/png" and out.extension == ".png"
    assert out.original_name == "invoice.pdf"


def test_text_renamed_jpg_is_refused() -> None:
    error = rejected(b"hello, this is not a photo\n", "photo.jpg")
    assert error.code == "unsupported_type"
    assert "photo.jpg" in error.message("fr")


def test_truncated_jpeg_is_refused() -> None:
    data = samples.jpeg(400, 300)
    assert rejected(data[: len(data) // 2], "half.jpg").code == "image_corrupt"


def test_decompression_bomb_png_is_refused_before_decoding() -> None:
    bomb = samples.png_bomb()
    assert len(bomb) < 1000
    error = rejected(bomb, "bomb.png")
    assert error.code == "image_too_many_pixels"
    assert "bomb.png" in error.message("nl")


def test_large_but_not_pillow_bomb_is_refused_by_our_limit() -> None:
    error = rejected(samples.png_bomb(3000, 2000), "big.png")
    assert error.code == "image_too_many_pixels" and error.params["width"] == 3000


def test_one_side_too_long_is_refused() -> None:
    limits = UploadLimits(max_side=100)
    assert rejected(samples.png(200, 10), limits=limits).code == "image_too_wide"


def test_oversize_and_empty_and_count_limits() -> None:
    assert rejected(samples.jpeg(), limits=UploadLimits(max_bytes=100)).code == "too_large"
    assert rejected(b"").code == "empty_file"
    assert rejected(samples.png(), existing_count=5).code == "too_many_files"


def test_minimal_pdf_is_kept_byte_for_byte() -> None:
    data = samples.pdf()
    out = check_upload(data, filename="report.pdf", limits=LIMITS)
    assert out.data == data and out.content_type == "application/pdf"
    assert out.width is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (samples.pdf(trailer_extra=b"/Encrypt 9 0 R "), "pdf_encrypted"),
        (
            samples.pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "),
            "pdf_active_content",
        ),
        (samples.pdf(b"/OpenAction << /S /J#61vaScript /J#53 (x) >> "), "pdf_active_content"),
        (
            samples.pdf(b"/OpenAction << /S /JavaScript /JS 4 0 R >> ", streams=[b"app.alert(1)"]),
            "pdf_active_content",
        ),
        (samples.pdf(b"/Names << /EmbeddedFiles 9 0 R >> "), "pdf_active_content"),
        (samples.pdf()[:-40], "pdf_corrupt"),
        (b"%PDF-1.4\nnothing else", "pdf_corrupt"),
    ],
)
def test_unsafe_or_broken_pdfs_are_refused(data: bytes, code: str) -> None:
    assert rejected(data, "doc.pdf").code == code


@requires(heic_supported(), "pillow-heif is not installed")
def test_heic_becomes_jpeg() -> None:
    out = check_upload(samples.heic(), filename="IMG_0001.HEIC", limits=LIMITS)
    assert out.content_type == "image/jpeg" and (out.width, out.height) == (32, 24)


def test_heic_refused_when_disabled() -> None:
    data = samples.heic() if heic_supported() else b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40
    assert rejected(data, limits=UploadLimits(allow_heic=False)).code == "heic_unsupported"


def test_batch_keeps_good_files_when_one_is_refused() -> None:
    results = check_uploads(
        [("a.jpg", samples.jpeg()), ("b.jpg", b"not a jpeg"), ("c.pdf", samples.pdf())],
        limits=UploadLimits(max_files=2),
    )
    assert isinstance(results[0], CheckedFile)
    assert isinstance(results[1], FileRejected) and results[1].code == "unsupported_type"
    assert isinstance(results[2], CheckedFile)
    over = check_uploads(
        [("d.png", samples.png())], limits=UploadLimits(max_files=2), existing_count=2
    )
    assert isinstance(over[0], FileRejected) and over[0].code == "too_many_files"


def test_display_name_drops_path_and_control_characters() -> None:
    out = check_upload(
        samples.png(), filename="C:\\Users\\x\\..\\evil\x00\u202e.png", limits=LIMITS
    )
    assert out.original_name == "evil.png"


def test_every_rejection_has_all_four_languages() -> None:
    # Completeness of the catalogs: tests/unit/shell/test_catalogs.py.
    for code in codes():
        for locale in LOCALES:
            assert "{name}" in (raw("files", locale, code) or ""), (code, locale)
    assert rejection_message("no_such_code", "nl", name="x") == rejection_message(
        "unreadable", "nl", name="x"
    )


def test_pdf_made_by_another_producer_is_accepted() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (50, 50), (255, 255, 255)).save(buf, "PDF")
    out = check_upload(buf.getvalue(), filename="scan.pdf", limits=LIMITS)
    assert out.content_type == "application/pdf"
