from __future__ import annotations

import stat
from pathlib import Path

from chat_widget.adapters.file_store import LocalFileStore, default_root


def test_put_read_delete_round_trip(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    name = store.put(b"abc", suffix=".pdf")
    assert name.endswith(".pdf") and len(name) == 36
    assert store.read(name) == b"abc"
    path = tmp_path / "files" / name[:2] / name[2:4] / name
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (tmp_path / "files" / ".gitignore").read_text() == "*\n"
    assert store.delete(name) is True
    assert store.read(name) is None
    assert store.delete(name) is False


def test_names_are_random(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    names = {store.put(b"same bytes", suffix=".jpg") for _ in range(50)}
    assert len(names) == 50


def test_only_names_it_made_reach_the_disk(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    store = LocalFileStore(tmp_path / "files")
    for probe in (
        "../secret.txt",
        "../../etc/passwd",
        "/etc/passwd",
        "a" * 32 + "/x",
        "",
        "A" * 32,
    ):
        assert store.read(probe) is None
        assert store.delete(probe) is False
    assert secret.exists()


def test_default_root_is_private_and_not_served() -> None:
    root = default_root()
    assert root.parts[-2:] == (".data", "files")
    assert "assets" not in root.parts and "uploaded_files" not in root.parts
