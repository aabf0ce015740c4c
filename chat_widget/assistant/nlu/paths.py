"""Where the labelled data and the trained artefact live."""

from __future__ import annotations

from pathlib import Path

from chat_widget.settings import environ

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REPO_ROOT = Path(__file__).resolve().parents[3]
MODEL_DIR_ENV = "CW_ASSISTANT_MODEL_DIR"
TUNED_LAYERS_FILE = "e5_tuned_layers.npz"
"""e5's fine-tuned top layers in ``DATA_DIR`` (``e5_tuned``)."""


def model_dir() -> Path:
    """The artefact directory: ``$CW_ASSISTANT_MODEL_DIR`` or ``.cache/assistant-model/``.

    Kept out of the package so a build can write it without touching the source tree.
    """
    configured = environ().get(MODEL_DIR_ENV)
    if configured:
        return Path(configured)
    return REPO_ROOT / ".cache" / "assistant-model"
