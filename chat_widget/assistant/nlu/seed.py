"""Regenerate the shipped embedding seeds after training rows were added (run by hand).

    python -m chat_widget.assistant.nlu.seed

Embeds every training row with e5 and every English one with MiniLM (reusing this build's
cache) and writes ``data/embeddings.seed.npz`` (e5) and ``data/embeddings.seed.minilm.npz``
(MiniLM) with exactly those rows, as float16, under each encoder's name (weights, recipe, ONNX
Runtime version). A fresh clone then trains on the repo's vectors without embedding ~70k
sentences first, and every machine on the same ones.
"""

from __future__ import annotations

import logging

from chat_widget.assistant.nlu import artefact
from chat_widget.assistant.nlu.dataset import training_examples
from chat_widget.assistant.nlu.embeddings import Embedder, EmbeddingCache
from chat_widget.assistant.nlu.paths import DATA_DIR, model_dir
from chat_widget.assistant.nlu.segment import classifier_input
from chat_widget.assistant.nlu.train import MINILM_SEED_FILE, SEED_FILE, SEED_PATHS, is_english


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    log = logging.getLogger(__name__)
    rows = training_examples(DATA_DIR)
    texts = [classifier_input(r.text) for r in rows]
    english = [classifier_input(r.text) for r in rows if is_english(r.lang)]
    cache = EmbeddingCache(model_dir() / artefact.EMBEDDINGS_FILE, seeds=SEED_PATHS)
    for encoder, file, which in (("e5", SEED_FILE, texts), ("minilm", MINILM_SEED_FILE, english)):
        embedder = Embedder((encoder,))
        cache.embed(embedder, which)
        names = [e.name for e in embedder.encoders]
        written = cache.write_seed(DATA_DIR / file, which, names)
        log.info("seed: %d %s rows written to %s", written, encoder, DATA_DIR / file)


if __name__ == "__main__":
    main()
