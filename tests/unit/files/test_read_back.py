"""The shared read-back of stored files (``files.read_for_customer`` / ``read_content``): claims
and live chat both open a customer's file through it, so its refusals are checked once here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.files import read_content, read_for_customer


@dataclass
class _Row:
    stored_name: str


@dataclass
class _Holder:
    customer_id: str


def test_the_holders_customer_reads_the_bytes(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    row = _Row(store.put(b"%PDF-1.7", suffix=".pdf"))
    found = read_for_customer(store, row, _Holder("alice"), "alice")
    assert found is not None and found.meta is row and found.data == b"%PDF-1.7"


def test_anyone_else_gets_what_a_missing_file_gets(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    row = _Row(store.put(b"%PDF-1.7", suffix=".pdf"))
    assert read_for_customer(store, row, _Holder("alice"), "bob") is None
    assert read_for_customer(store, row, None, "alice") is None
    assert read_for_customer(store, None, _Holder("alice"), "alice") is None


def test_a_row_whose_bytes_are_gone_is_no_file(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    row = _Row(store.put(b"abc", suffix=".png"))
    store.delete(row.stored_name)
    assert read_content(store, row) is None
    assert read_for_customer(store, row, _Holder("alice"), "alice") is None
