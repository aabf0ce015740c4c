"""The loader is the only thing every bank page pays for: keep it small and framework-free."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

LOADER = Path(__file__).resolve().parents[3] / "assets" / "embed.js"


def test_loader_is_at_most_3_kb_gzipped() -> None:
    assert len(gzip.compress(LOADER.read_bytes(), 9)) <= 3 * 1024


def test_loader_uses_a_closed_shadow_root_and_explicit_target_origins() -> None:
    source = LOADER.read_text()
    assert 'attachShadow({ mode: "closed" })' in source
    # Every postMessage names the widget origin; never the '*' wildcard.
    calls = [_call_args(source, m.end()) for m in re.finditer(r"postMessage\(", source)]
    assert calls and all(call.rstrip().endswith(", base") for call in calls), calls
    assert "e.origin !== base" in source and "e.source !== frame.contentWindow" in source


def _call_args(source: str, start: int) -> str:
    depth = 1
    for i in range(start, len(source)):
        depth += {"(": 1, ")": -1}.get(source[i], 0)
        if depth == 0:
            return source[start:i]
    raise AssertionError("unbalanced call")


def test_loader_texts_come_from_the_catalogs_and_the_file_is_up_to_date() -> None:
    from chat_widget.web.build_embed import launcher_texts, render

    assert LOADER.read_text(encoding="utf-8") == render(), (
        "assets/embed.js is stale: run `python -m chat_widget.web.build_embed`"
    )
    assert launcher_texts("fr")[3:] == ["{n} message non lu", "{n} messages non lus"]
    assert launcher_texts("nl")[0] == "Contacteer ons"
