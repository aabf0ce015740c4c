"""Reading the labelled CSV files (``text,category[,lang]``).

Training reads the files of the first pass (BANKING77, CLINC out-of-scope, ``multilingual.csv``)
and every ``written/train_*.csv`` and ``written/b77_translated_*.csv`` of the second writing
pass. It never reads the validation files' labels: it only drops training rows whose text
also appears in one of them, so a sentence two writers both came up with ("merci beaucoup")
cannot make validation look better than it is.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from chat_widget.assistant.nlu.paths import DATA_DIR, TUNED_LAYERS_FILE

logger = logging.getLogger(__name__)

TRAINING_FILES = ("banking77.csv", "multilingual.csv", "out_of_scope.csv")
TRANSLATED_TRAINING_GLOB = "written/b77_translated_*.csv"
"""BANKING77 training rows translated into FR/NL/DE (weighted as BANKING77's own rows)."""
WRITTEN_TRAINING_GLOBS = ("written/train_*.csv", TRANSLATED_TRAINING_GLOB)
"""The second writing pass: our FR/NL/DE/EN rows and translated BANKING77 rows."""
VALIDATION_FILE = "validation.csv"
WRITTEN_VALIDATION_FILE = "written/validation_written.csv"
"""Written separately from every training file; evaluation only."""
SPOKEN_VALIDATION_FILE = "written/validation_spoken.csv"
"""Spoken-style FR/DE/NL questions (transcript-like: fillers, repeats, run-ons, ASR slips),
written in a third, separate pass; evaluation only."""
SPOKEN_VALIDATION_2_FILE = "written/validation_spoken_2.csv"
"""A fourth pass of spoken-style FR/DE questions, by two writers who read only the intent list
(2026-12-06); evaluation only."""
TRANSLATED_VALIDATION_FILE = "written/validation_b77_translated.csv"
"""FR/NL/DE translations of a stratified sample of BANKING77's held-out English rows (those of
``validation.csv``), by translators who saw no training row: the closest we have to the
translated BANKING77 test the assistant is judged on; evaluation only."""
VALIDATION_FILES = (
    VALIDATION_FILE,
    WRITTEN_VALIDATION_FILE,
    SPOKEN_VALIDATION_FILE,
    SPOKEN_VALIDATION_2_FILE,
    TRANSLATED_VALIDATION_FILE,
)
_LANG_IN_NAME = re.compile(r"_(fr|nl|en|de)\.csv$")


@dataclass(frozen=True)
class Example:
    """One labelled utterance."""

    text: str
    category: str
    lang: str | None = None
    translated: bool = False
    """Read from a BANKING77 translation file (training rows only)."""


def normalised(text: str) -> str:
    """The form two texts are compared in (case and spacing do not make a new sentence)."""
    return " ".join(text.casefold().split())


def read_csv(path: Path) -> list[Example]:
    """Read ``text,category`` rows with an optional ``lang`` column.

    A row without ``lang`` takes the language of a ``*_fr.csv``-style file name, if any.
    """
    default_lang = m.group(1) if (m := _LANG_IN_NAME.search(path.name)) else None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected columns text,category[,lang]")
        return [
            Example(
                text=row["text"].strip(),
                category=(row["category"] or "").strip(),
                lang=(row.get("lang") or "").strip().lower() or default_lang,
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


def training_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """Every file the model learns from, in a fixed order (the fingerprint depends on it)."""
    files = [data_dir / name for name in TRAINING_FILES]
    for pattern in WRITTEN_TRAINING_GLOBS:
        files.extend(sorted(data_dir.glob(pattern)))
    return files


def validation_texts(data_dir: Path = DATA_DIR) -> set[str]:
    """Normalised texts of every validation file (texts only: training must never meet them)."""
    texts: set[str] = set()
    for name in VALIDATION_FILES:
        path = data_dir / name
        if path.exists():
            texts.update(normalised(ex.text) for ex in read_csv(path))
    return texts


def training_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """All rows the model may learn from, without duplicates, unknown labels or held-out texts.

    Unknown labels are skipped with a warning rather than failing the build: the written files
    are edited by people while the model is trained (``test_data`` keeps them at zero).
    """
    from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE, all_intents

    known = set(all_intents()) | {OUT_OF_SCOPE}
    held_out = validation_texts(data_dir)
    translations = set(data_dir.glob(TRANSLATED_TRAINING_GLOB))
    seen: set[tuple[str, str]] = set()
    rows: list[Example] = []
    dropped = {"unknown label": 0, "validation text": 0, "duplicate": 0}
    for path in training_files(data_dir):
        for ex in read_csv(path):
            key = normalised(ex.text)
            if ex.category not in known:
                dropped["unknown label"] += 1
                logger.warning("%s: unknown label %r skipped", path.name, ex.category)
            elif key in held_out:
                dropped["validation text"] += 1
            elif (key, ex.category) in seen:
                dropped["duplicate"] += 1
            else:
                seen.add((key, ex.category))
                rows.append(dataclasses.replace(ex, translated=path in translations))
    if any(dropped.values()):
        logger.info("training rows dropped: %s", dropped)
    return rows


def validation_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """The first held-out rows (split from the first writing pass), for evaluation only."""
    return read_csv(data_dir / VALIDATION_FILE)


def written_validation_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """The separately written validation rows (empty until their writer has delivered)."""
    path = data_dir / WRITTEN_VALIDATION_FILE
    return read_csv(path) if path.exists() else []


def spoken_validation_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """The spoken-style validation rows of both passes (evaluation only)."""
    files = (SPOKEN_VALIDATION_FILE, SPOKEN_VALIDATION_2_FILE)
    return [ex for name in files if (path := data_dir / name).exists() for ex in read_csv(path)]


def translated_validation_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """BANKING77's held-out rows as FR/NL/DE customers write them (evaluation only)."""
    path = data_dir / TRANSLATED_VALIDATION_FILE
    return read_csv(path) if path.exists() else []


def data_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """Hash of everything training depends on, so a stale artefact is detected and rebuilt.

    The validation files are included because training drops the rows they share with it.
    """
    digest = hashlib.sha256()
    paths = [
        *training_files(data_dir),
        *(data_dir / name for name in VALIDATION_FILES),
        data_dir / "banking77_categories.json",
        # e5's fine-tuned top layers: other layers, other vectors to learn from
        data_dir / TUNED_LAYERS_FILE,
    ]
    for path in paths:
        if path.exists():
            digest.update(str(path.relative_to(data_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
