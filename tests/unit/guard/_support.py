"""Shared helpers for the guard tests: the case file and a node runner for assets/guard.js."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CASES = Path(__file__).with_name("cases.jsonl")
GUARD_JS = ROOT / "assets" / "guard.js"

_RUNNER = r"""
const g = require(process.argv[1]);
const fs = require('fs');
const out = [];
for (const line of fs.readFileSync(0, 'utf8').split('\n')) {
  if (!line) continue;
  const row = JSON.parse(line);
  out.push(JSON.stringify(g.scan(row.text, row.lang)));
}
process.stdout.write(out.join('\n') + '\n');
"""


def load_cases() -> list[dict[str, Any]]:
    with CASES.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def node_path() -> str | None:
    return shutil.which("node")


def run_js(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scan every row with assets/guard.js under node; one result per row."""
    node = node_path()
    assert node is not None
    stdin = "".join(json.dumps(r, ensure_ascii=True) + "\n" for r in rows)
    proc = subprocess.run(
        [node, "-e", _RUNNER, str(GUARD_JS)],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line]
