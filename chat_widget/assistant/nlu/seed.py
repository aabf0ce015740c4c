"""Regenerate the shipped embedding seed after training rows were added (run by hand).

    python -m chat_widget.assistant.nlu.seed

Embeds every training row with e5 (reusing this build's cache) and writes
``data/embeddings.seed.npz`` with exactly those rows, as float16, under the encoder's name
(weights, recipe, ONNX Runtime version). A fresh clone then trains on the repo's vectors
without embedding ~34k sentences first. MiniLM's English vectors are not shipped: computing
them takes under a minute.
"""

from __future__ import annotations

import logging

from chat_widget.assistant.nlu import artefact
from chat_widget.assistant.nlu.dataset import training_examples
from chat_widget.assistant.nlu.embeddings import Embedder, EmbeddingCache
from chat_widget.assistant.nlu.paths import DATA_DIR, model_dir
from chat_widget.assistant.nlu.segment import classifier_input
from chat_widget.assistant.nlu.train import SEED_FILE

SEEDED_ENCODERS = ("e5",)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    texts = [classifier_input(r.text) for r in training_examples(DATA_DIR)]
    cache = EmbeddingCache(model_dir() / artefact.EMBEDDINGS_FILE, seeds=[DATA_DIR / SEED_FILE])
    embedder = Embedder(SEEDED_ENCODERS)
    cache.embed(embedder, texts)
    names = [e.name for e in embedder.encoders]
    written = cache.write_seed(DATA_DIR / SEED_FILE, texts, names)
    logging.getLogger(__name__).info("seed: %d rows written to %s", written, DATA_DIR / SEED_FILE)


if __name__ == "__main__":
    main()
