"""Rebuild the CSV files in ``assistant/data/`` from their sources (run by hand, rarely).

Sources: the BANKING77 training split and CLINC150's out-of-scope lists (public data sets,
credited in ``data/CREDITS.md``), and our own FR/NL/DE/EN examples written in a compact form::

    @card_arrival fr
    ma carte n'est toujours pas arrivée
    ...

Validation rows are drawn here, once, with a fixed seed, so they can never leak into training:
10% of BANKING77 (stratified), CLINC's ``oos_val``, and 25% of each (intent, language) group
of our own examples.

    python -m chat_widget.assistant.nlu.prepare_data BANKING77_DIR CLINC_DIR WRITTEN_DIR
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections import defaultdict
from pathlib import Path

from chat_widget.assistant.nlu.dataset import Example, read_csv, write_csv
from chat_widget.assistant.nlu.paths import DATA_DIR

SEED = 77
BANKING77_VALIDATION_SHARE = 0.10
WRITTEN_VALIDATION_SHARE = 0.25


def read_written(directory: Path) -> list[Example]:
    """Parse the compact ``@intent lang`` blocks of every ``*.txt`` file."""
    rows: list[Example] = []
    for path in sorted(directory.glob("*.txt")):
        intent: str | None = None
        lang: str | None = None
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("@"):
                intent, lang = line[1:].split()
                continue
            if intent is None:
                raise ValueError(f"{path}: text before the first @intent line")
            rows.append(Example(text=line, category=intent, lang=lang))
    return rows


def _split(
    rows: list[Example], share: float, rng: random.Random, seen: set[str]
) -> tuple[list[Example], list[Example]]:
    """Stratified split; ``seen`` drops texts already used anywhere ("merci" is FR, NL and DE)."""
    groups: dict[tuple[str, str | None], list[Example]] = defaultdict(list)
    for row in rows:
        text_key = " ".join(row.text.casefold().split())
        if text_key in seen:
            continue
        seen.add(text_key)
        groups[(row.category, row.lang)].append(row)
    train: list[Example] = []
    held: list[Example] = []
    for key in sorted(groups, key=lambda k: (k[0], k[1] or "")):
        members = groups[key]
        rng.shuffle(members)
        n_held = round(len(members) * share)
        held.extend(members[:n_held])
        train.extend(members[n_held:])
    return train, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("banking77", type=Path)
    parser.add_argument("clinc", type=Path)
    parser.add_argument("written", type=Path)
    args = parser.parse_args()
    rng = random.Random(SEED)

    shutil.copy(args.banking77 / "categories.json", DATA_DIR / "banking77_categories.json")
    banking = [Example(ex.text, ex.category, "en") for ex in read_csv(args.banking77 / "train.csv")]
    seen: set[str] = set()
    b_train, b_val = _split(banking, BANKING77_VALIDATION_SHARE, rng, seen)

    clinc = json.loads((args.clinc / "oos_train_val.json").read_text(encoding="utf-8"))
    written = read_written(args.written)
    w_oos = [ex for ex in written if ex.category == "out_of_scope"]
    w_in = [ex for ex in written if ex.category != "out_of_scope"]
    w_train, w_val = _split(w_in, WRITTEN_VALIDATION_SHARE, rng, seen)
    o_train, o_val = _split(w_oos, WRITTEN_VALIDATION_SHARE, rng, seen)
    c_train, _ = _split(
        [Example(t, "out_of_scope", "en") for t in clinc["oos_train"]], 0.0, rng, seen
    )
    c_val, _ = _split([Example(t, "out_of_scope", "en") for t in clinc["oos_val"]], 0.0, rng, seen)
    oos_train = c_train + o_train
    oos_val = c_val + o_val

    write_csv(DATA_DIR / "banking77.csv", b_train)
    write_csv(DATA_DIR / "multilingual.csv", w_train)
    write_csv(DATA_DIR / "out_of_scope.csv", oos_train)
    write_csv(DATA_DIR / "validation.csv", b_val + w_val + oos_val)


if __name__ == "__main__":
    main()
