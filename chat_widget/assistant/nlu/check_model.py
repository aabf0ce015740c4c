"""Exit 0 when the trained intent model matches the data in the repo, 1 when it must be trained.

Used by scripts/bootstrap so the model is (re)built at build time, never by a serving worker.
"""

from __future__ import annotations

import sys

from chat_widget.assistant.nlu import artefact
from chat_widget.assistant.nlu.dataset import data_fingerprint
from chat_widget.assistant.nlu.paths import DATA_DIR, model_dir


def main() -> int:
    return 0 if artefact.is_current(model_dir(), data_fingerprint(DATA_DIR)) else 1


if __name__ == "__main__":
    sys.exit(main())
