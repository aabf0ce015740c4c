"""``python -m chat_widget.web.build_embed``: write ``assets/embed.js`` (the loader) from its
template and the widget's catalogs.

The loader runs on the bank's page before the widget exists, so its few texts (the button's
name, the dialog's name, the unread count) travel inside the script the server sends; their
source is the ``launcher.*`` entries of the ``widget`` catalog like every other text. A unit
test fails when the committed ``assets/embed.js`` is stale.
"""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path

from chat_widget.i18n import translations

TEMPLATE_FILE = "embed.template.js"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "assets" / "embed.js"
_KEYS = ("launcher.open", "launcher.close", "launcher.window")


def launcher_texts(locale: str) -> list[str]:
    """Open, close, dialog name, then the unread count for one and for several (the loader
    shows a count only when it is at least one, where the four languages' rules agree)."""
    texts = [translations.gettext("widget", locale, key) for key in _KEYS]
    texts += [
        translations.ngettext("widget", locale, "launcher.unread", n, n="{n}") for n in (1, 2)
    ]
    return texts


def render() -> str:
    """The full text of ``embed.js``."""
    template = resources.files(__package__).joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
    rows = ",\n".join(
        f"    {locale}: {json.dumps(launcher_texts(locale), ensure_ascii=False)}"
        for locale in translations.LOCALES
    )
    return template.replace("__LAUNCHER_TEXTS__", "{\n" + rows + "\n  }")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chat_widget.web.build_embed")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    args.output.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
