"""What the upload code needs from file storage; ``adapters.file_store`` implements it."""

from __future__ import annotations

from typing import Protocol


class BlobStore(Protocol):
    """Opaque bytes under random names. It knows nothing of owners: callers check access first."""

    def put(self, data: bytes, *, suffix: str) -> str:
        """Store ``data`` and return its new random stored name."""
        ...

    def read(self, stored_name: str) -> bytes | None:
        """The bytes, or None if there is no such file."""
        ...

    def delete(self, stored_name: str) -> bool:
        """Remove the file; False if it was already gone."""
        ...
