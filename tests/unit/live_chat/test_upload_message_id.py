from __future__ import annotations

from chat_widget.ui.live_chat_state import upload_message_id


def test_the_same_upload_again_is_the_same_message() -> None:
    first = upload_message_id("conv-1", "photo.png", b"\x89PNG data")
    assert first == upload_message_id("conv-1", "photo.png", b"\x89PNG data")
    assert len(first) <= 64  # the column's limit for client message ids


def test_another_file_name_or_chat_is_another_message() -> None:
    base = upload_message_id("conv-1", "photo.png", b"data")
    assert upload_message_id("conv-1", "photo.png", b"datb") != base
    assert upload_message_id("conv-1", "other.png", b"data") != base
    assert upload_message_id("conv-2", "photo.png", b"data") != base
