"""Keeps the dependency direction true: domain and use-case code never imports Reflex or the UI."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "chat_widget"
UI_ONLY = {"ui", "chat_widget.py", "ops"}  # ops: the worker launcher starts Reflex
FORBIDDEN = ("reflex", "reflex_base", "chat_widget.ui")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_ui_layer_imports_reflex() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in UI_ONLY or "migrations" in rel.parts:
            continue
        for name in _imports(path):
            if name.split(".")[0] in {"reflex", "reflex_base"} or name.startswith("chat_widget.ui"):
                offenders.append(f"{rel}: {name}")
    assert offenders == []


def test_domain_does_not_reach_for_io_clients() -> None:
    offenders = []
    for path in (PACKAGE / "domain").rglob("*.py"):
        for name in _imports(path):
            if name.split(".")[0] in {
                "httpx",
                "msgraph",
                "redis",
                "chat_widget",
            } and not name.startswith("chat_widget.domain"):
                offenders.append(f"{path.name}: {name}")
    assert offenders == []
