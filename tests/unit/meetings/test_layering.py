"""The meetings use-case stays plain Python: I/O only through the gateway protocol."""

from __future__ import annotations

import ast
from pathlib import Path

import chat_widget.meetings as meetings

FORBIDDEN = (
    "reflex",
    "httpx",
    "msgraph",
    "kiota",
    "azure",
    "uvicorn",
    "starlette",
    "chat_widget.adapters",
    "chat_widget.ui",
)


# The check command's entry point wires the Graph adapter, as privacy/__main__ wires the
# database; everything else in it speaks the gateway protocol.
ENTRY_POINTS = {"check.py": ("chat_widget.adapters",)}


def test_meetings_package_imports_no_io_library() -> None:
    package = Path(meetings.__file__).parent
    offenders = []
    for path in package.glob("*.py"):
        allowed = ENTRY_POINTS.get(path.name, ())
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.startswith(FORBIDDEN) and not (allowed and n.startswith(allowed))
            ]
    assert offenders == []
