"""The live chat core stays plain Python: no UI framework, no HTTP client, no UI package."""

from __future__ import annotations

import ast
from pathlib import Path

import chat_widget

ROOT = Path(chat_widget.__file__).parent
OWNED = [ROOT / "conversations", ROOT / "live_chat", ROOT / "agents", ROOT / "audit.py"]
FORBIDDEN = ("reflex", "httpx", "msgraph", "chat_widget.ui")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_forbidden_imports() -> None:
    files = [p for owned in OWNED for p in ([owned] if owned.is_file() else owned.rglob("*.py"))]
    assert len(files) > 10
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports(path) if name.startswith(FORBIDDEN)
        )
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}
