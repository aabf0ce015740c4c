"""Checking uploaded files before anything stores them: claims and live-chat attachments share it.

A file is judged by its bytes, never by its name: the type comes from magic bytes, images are
decoded and re-encoded (which drops EXIF/GPS and anything hidden after the image data), and PDFs
are scanned for encryption and active content. Every refusal is a :class:`FileRejected` with a
code that :func:`rejection_message` turns into a sentence in fr/nl/en/de.
"""

from __future__ import annotations

from chat_widget.files.checker import CheckedFile, UploadLimits, check_upload, check_uploads
from chat_widget.files.errors import FileRejected, rejection_message
from chat_widget.files.sniff import heic_supported
from chat_widget.files.store import BlobStore, FileContent, read_content, read_for_customer

__all__ = [
    "BlobStore",
    "CheckedFile",
    "FileContent",
    "FileRejected",
    "UploadLimits",
    "check_upload",
    "check_uploads",
    "heic_supported",
    "read_content",
    "read_for_customer",
    "rejection_message",
]
