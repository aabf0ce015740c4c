"""One classifier for the whole session: loads the cached artefact (trains it on a fresh clone)."""

from __future__ import annotations

import pytest

from chat_widget.assistant.nlu.classifier import IntentClassifier


@pytest.fixture(scope="session")
def classifier() -> IntentClassifier:
    return IntentClassifier.load()
