"""File storage as the channels see it: the store protocol, and reading a file back.

``adapters.file_store`` implements :class:`BlobStore`. Claims and live chat keep their own file
rows (``ClaimFile``, ``ChatFile``) and their own rules for who may open them; what a permitted
read then does, and what a customer's read checks, is the same for both and lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


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


class StoredRow(Protocol):
    """A file's database row: where its bytes are in the store."""

    @property
    def stored_name(self) -> str: ...


class HeldByCustomer(Protocol):
    """What a customer's file belongs to (their claim, their conversation)."""

    @property
    def customer_id(self) -> str: ...


RowT = TypeVar("RowT", bound=StoredRow)


@dataclass(frozen=True, slots=True)
class FileContent(Generic[RowT]):
    """A file's row and its bytes, as handed to a reader who passed the access check."""

    meta: RowT
    data: bytes


def read_content(store: BlobStore, row: RowT) -> FileContent[RowT] | None:
    """The bytes of a file the caller may open; None when the row outlived its bytes, the same
    answer as for a file that does not exist (the routes then answer 404)."""
    data = store.read(row.stored_name)
    return FileContent(row, data) if data is not None else None


def read_for_customer(
    store: BlobStore, row: RowT | None, holder: HeldByCustomer | None, customer_id: str
) -> FileContent[RowT] | None:
    """A customer reads a file only through what holds it (their claim or conversation): the
    store knows no owners. Another customer's file, a missing row or holder and missing bytes
    all give None, so a file id cannot be probed."""
    if row is None or holder is None or holder.customer_id != customer_id:
        return None
    return read_content(store, row)
