"""Reading the labelled CSV files (``text,category[,lang]``)."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from chat_widget.assistant.nlu.paths import DATA_DIR

TRAINING_FILES = ("banking77.csv", "multilingual.csv", "out_of_scope.csv")
VALIDATION_FILE = "validation.csv"


@dataclass(frozen=True)
class Example:
    """One labelled utterance."""

    text: str
    category: str
    lang: str | None = None


def read_csv(path: Path) -> list[Example]:
    """Read ``text,category`` rows with an optional ``lang`` column."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected columns text,category[,lang]")
        return [
            Example(
                text=row["text"].strip(),
                category=row["category"].strip(),
                lang=(row.get("lang") or "").strip() or None,
            )
            for row in reader
            if row["text"] and row["text"].strip()
        ]


def write_csv(path: Path, examples: Iterable[Example]) -> None:
    """Write examples as ``text,category,lang``."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "category", "lang"])
        for ex in examples:
            writer.writerow([ex.text, ex.category, ex.lang or ""])


def training_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """All rows the model may learn from; the validation file is never read here."""
    rows: list[Example] = []
    for name in TRAINING_FILES:
        rows.extend(read_csv(data_dir / name))
    return rows


def validation_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """The held-out rows, for evaluation only."""
    return read_csv(data_dir / VALIDATION_FILE)


def data_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """Hash of the training files, so a stale artefact is detected and rebuilt."""
    digest = hashlib.sha256()
    for name in (*TRAINING_FILES, "banking77_categories.json"):
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()[:16]
