"""Train the intent model and write the artefact (run at build time).

    python -m chat_widget.assistant.nlu.train [--model-dir DIR]

Steps: embed every training row (cached), carve a stratified tuning split, fit on the rest,
pick the temperature and the confidence threshold on the tuning split, then refit on all
training rows. The validation file is never read here.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from chat_widget.assistant.nlu import artefact
from chat_widget.assistant.nlu.calibration import (
    SHORTCUT_MIN_CHARS,
    choose_mix_weight,
    choose_novelty_floor,
    choose_shortcuts,
    choose_threshold,
    fit_temperature,
)
from chat_widget.assistant.nlu.dataset import Example, data_fingerprint, training_examples
from chat_widget.assistant.nlu.embeddings import Embedder, EmbeddingCache
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE
from chat_widget.assistant.nlu.model import IntentModel, apply_temperature, fit_model
from chat_widget.assistant.nlu.paths import DATA_DIR, model_dir
from chat_widget.assistant.nlu.segment import classifier_input

logger = logging.getLogger(__name__)

SEED_FILE = "embeddings.seed.npz"
"""e5 vectors of every training row, shipped so a fresh build trains in minutes (``seed``)."""
TUNING_SHARE = 0.15
SEED = 7
SUBSET_FINGERPRINT = "subset"
"""The fingerprint of a model trained on chosen rows: never current for the app."""


def _strata(rows: Sequence[Example]) -> list[str]:
    keys = [f"{r.category}|{r.lang or ''}" for r in rows]
    counts = Counter(keys)
    # Groups too small to split fall back to the category alone.
    return [k if counts[k] >= 4 else k.split("|")[0] for k in keys]


def train(
    directory: Path | None = None,
    embedder: Embedder | None = None,
    rows: Sequence[Example] | None = None,
) -> artefact.ModelMeta:
    """Train from ``assistant/data`` and save to ``directory``; returns what was saved.

    ``rows`` replaces the training rows (the reproducibility test trains on a few intents);
    the artefact's fingerprint is then not the data directory's, so the app never loads it.

    The same inputs give the same model and ``meta.json`` whatever the core count and
    PYTHONHASHSEED (``test_training_reproducible``): every solver is seeded and everything
    after the embedding runs on one BLAS/OpenMP thread (see :func:`_fit_and_calibrate`).
    """
    target = directory or model_dir()
    started = time.perf_counter()
    fingerprint = data_fingerprint(DATA_DIR) if rows is None else SUBSET_FINGERPRINT
    rows = training_examples(DATA_DIR) if rows is None else list(rows)
    cache = EmbeddingCache(target / artefact.EMBEDDINGS_FILE, seeds=[DATA_DIR / SEED_FILE])
    embedder = embedder or Embedder()
    # The classifier learns from what it will read in production: greetings and thanks
    # around a question are peeled off the same way (``segment.classifier_input``).
    texts = [classifier_input(r.text) for r in rows]
    vectors = cache.embed(embedder, texts)
    logger.info("embedded %d rows in %.0f s", len(rows), time.perf_counter() - started)
    # One thread from here on: the embedding above is row-parallel (each vector computed by
    # one thread), but BLAS and OpenMP reductions may split a sum differently with more
    # threads, and the grids below (mixing share, temperature, thresholds, shortcut margins)
    # turn a last-bit difference into another choice.
    with threadpool_limits(limits=1):
        model, meta = _fit_and_calibrate(rows, texts, vectors, fingerprint, embedder.names)
    artefact.save(target, model, meta)
    logger.info("intent model written to %s in %.0f s", target, time.perf_counter() - started)
    return meta


def _fit_and_calibrate(
    rows: Sequence[Example],
    texts: list[str],
    vectors: npt.NDArray[np.float32],
    fingerprint: str,
    encoders: tuple[str, ...],
) -> tuple[IntentModel, artefact.ModelMeta]:
    """Fit on the tuning split's complement, choose every setting on the tuning split, refit
    on all rows; deterministic for given inputs (seeded split, seeded solvers)."""
    idx = list(range(len(rows)))
    fit_idx, tune_idx = train_test_split(
        idx, test_size=TUNING_SHARE, random_state=SEED, stratify=_strata(rows)
    )
    labels = [r.category for r in rows]
    langs = [r.lang for r in rows]
    tuning_model = fit_model(
        [texts[i] for i in fit_idx],
        [labels[i] for i in fit_idx],
        vectors[fit_idx],
        [langs[i] for i in fit_idx],
    )
    tune_texts = [texts[i] for i in tune_idx]
    tune_labels = [labels[i] for i in tune_idx]
    tune_langs = [langs[i] for i in tune_idx]
    p_emb = tuning_model.embedding_proba(vectors[tune_idx])
    p_tfidf = tuning_model.tfidf_proba(tune_texts)
    english = np.array([lang in (None, "en") for lang in tune_langs])
    weight_en = choose_mix_weight(
        p_emb[english],
        p_tfidf[english],
        [tune_labels[i] for i in np.flatnonzero(english)],
        tuning_model.labels,
    )
    weight_other = choose_mix_weight(
        p_emb[~english],
        p_tfidf[~english],
        [tune_labels[i] for i in np.flatnonzero(~english)],
        tuning_model.labels,
    )
    tuning_model.embedding_weights = {"en": weight_en}
    tuning_model.default_embedding_weight = weight_other
    logger.info("embedding share: en %.2f, fr/nl/de %.2f", weight_en, weight_other)
    raw = tuning_model.raw_proba(tune_texts, vectors[tune_idx], tune_langs, p_tfidf)
    temperature = fit_temperature(raw, tune_labels, tuning_model.labels)
    chosen = choose_threshold(apply_temperature(raw, temperature), tune_labels, tuning_model.labels)
    logger.info("tuning split: %s, temperature %.2f", chosen, temperature)

    # BANKING77 rows carry no language: they are English.
    shortcuts = choose_shortcuts(
        p_tfidf,
        apply_temperature(raw, temperature),
        tune_labels,
        tuning_model.labels,
        chosen.threshold,
        [len(t) for t in tune_texts],
        [lang or "en" for lang in tune_langs],
        SHORTCUT_MIN_CHARS,
    )
    logger.info(
        "embedding skipped when the TF-IDF top-2 margin reaches %s (messages >= %d characters)",
        shortcuts,
        SHORTCUT_MIN_CHARS,
    )

    in_scope_tuning = np.array([label != OUT_OF_SCOPE for label in tune_labels])
    novelty_floor = choose_novelty_floor(tuning_model.nearest(vectors[tune_idx][in_scope_tuning]))
    logger.info("no answer below a cosine of %.3f to the nearest training row", novelty_floor)

    model = fit_model(texts, labels, vectors, langs)
    model.novelty_floor = novelty_floor
    model.temperature = temperature
    model.embedding_weights = {"en": weight_en}
    model.default_embedding_weight = weight_other
    model.shortcuts = {lang: s.margin for lang, s in shortcuts.items()}
    model.shortcut_floors = {lang: s.floor for lang, s in shortcuts.items()}
    model.shortcut_min_chars = SHORTCUT_MIN_CHARS
    model.encoders = encoders
    meta = artefact.ModelMeta(
        fingerprint=fingerprint,
        threshold=chosen.threshold,
        temperature=temperature,
        tuning={
            **{k: round(float(v), 4) for k, v in asdict(chosen).items()},
            **{f"shortcut_margin_{lang}": s.margin for lang, s in shortcuts.items()},
            **{f"shortcut_floor_{lang}": s.floor for lang, s in shortcuts.items()},
            "novelty_floor": round(novelty_floor, 4),
            "embedding_share_en": weight_en,
            "embedding_share_other": weight_other,
        },
    )
    return model, meta


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the assistant's intent model.")
    parser.add_argument(
        "--model-dir", type=Path, default=None, help="default: CW_ASSISTANT_MODEL_DIR"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    train(args.model_dir)


if __name__ == "__main__":
    main()
