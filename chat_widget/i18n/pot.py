"""``python -m chat_widget.i18n.pot``: write the translation templates (``<domain>.pot``).

Message ids are keys, not sentences found in the code, so the template of a domain is taken
from its French catalog (the bank's reference language): every id, plural ids with their
``count:`` comment, and the French text as a comment for the translator. Then
``pybabel update`` merges new ids into the nl/en/de catalogs (docs/architecture.md,
"Translations").
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from chat_widget.i18n.translations import DOMAINS, FALLBACK_LOCALE, LOCALE_DIR, po_path


def template(domain: str) -> Catalog:
    """The ``.pot`` catalog of one domain: the French ids with empty texts."""
    with po_path(domain, FALLBACK_LOCALE).open("rb") as handle:
        french = read_po(handle, locale=FALLBACK_LOCALE, domain=domain)
    pot = Catalog(domain=domain, project="chat_widget", fuzzy=False)
    for message in french:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple | list) else [message.string]
        texts = [str(text or "") for text in forms]
        comments = [c for c in message.auto_comments if not c.startswith("fr:")]
        comments += [f"fr: {text}" for text in texts]
        pot.add(message.id, None, auto_comments=comments)
    return pot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chat_widget.i18n.pot")
    parser.add_argument("--output", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)
    for domain in DOMAINS:
        with (args.output / f"{domain}.pot").open("wb") as handle:
            write_po(handle, template(domain), width=0, sort_output=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
