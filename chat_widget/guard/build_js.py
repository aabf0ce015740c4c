"""``python -m chat_widget.guard.build_js``: write ``assets/guard.js`` from the rule files.

The browser runtime is the template with ``rules.json`` and the ``guard`` gettext catalogs
embedded, so the rule set and its reasons have one source; a unit test fails when the committed ``assets/guard.js`` is stale.
"""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path

from chat_widget.guard.explain import messages_by_locale
from chat_widget.guard.rules import RULES_FILE, load_json

TEMPLATE_FILE = "guard.template.js"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "assets" / "guard.js"


def _compact(data: object) -> str:
    # ensure_ascii keeps the output identical whatever encoding the page is served with.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))


def render() -> str:
    """The full text of ``guard.js``."""
    template = resources.files(__package__).joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
    return template.replace("__RULES__", _compact(load_json(RULES_FILE))).replace(
        "__MESSAGES__", _compact(messages_by_locale())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chat_widget.guard.build_js")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
