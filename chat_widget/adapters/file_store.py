"""Uploaded files on local disk, in a private folder that no web server serves.

Names are random (128 bits) and spread over two levels of sub-folders so no folder grows huge.
This module checks nothing about *who* may read: ``chat_widget.claims.attachments`` does that
and is the only way the UI should reach stored bytes.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

_NAME = re.compile(r"\A[0-9a-f]{32}(\.[a-z0-9]{1,5})?\Z")
_SUFFIX = re.compile(r"\A(\.[a-z0-9]{1,5})?\Z")


def default_root() -> Path:
    """``.data/files`` in the repository root: outside ``assets/`` and Reflex's ``/_upload``."""
    return Path(__file__).resolve().parents[2] / ".data" / "files"


class FileNotFound(LookupError):
    """No stored file under that name."""


class LocalFileStore:
    """A :class:`chat_widget.files.BlobStore` on the local file system."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()

    def put(self, data: bytes, *, suffix: str) -> str:
        if not _SUFFIX.match(suffix):
            raise ValueError(f"bad suffix {suffix!r}")
        self._ensure_root()
        stored_name = secrets.token_hex(16) + suffix
        path = self._path(stored_name)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return stored_name

    def read(self, stored_name: str) -> bytes | None:
        if not _NAME.match(stored_name):
            return None
        path = self._path(stored_name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, stored_name: str) -> bool:
        if not _NAME.match(stored_name):
            return False
        path = self._path(stored_name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def _path(self, stored_name: str) -> Path:
        # Only names this store made are accepted: nothing like "../" can reach the disk.
        if not _NAME.match(stored_name):
            raise FileNotFound(stored_name)
        return self.root / stored_name[:2] / stored_name[2:4] / stored_name

    def _ensure_root(self) -> None:
        if self.root.is_dir():
            return
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Keeps customer documents out of git even if the repo's .gitignore forgets .data/.
        (self.root / ".gitignore").write_text("*\n", encoding="utf-8")
