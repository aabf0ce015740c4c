"""Train the intent model and write the artefact (run at build time).

    python -m chat_widget.assistant.nlu.train [--model-dir DIR]

Steps: embed every training row (cached), carve a stratified tuning split, fit on the rest,
pick the temperature and the confidence threshold on the tuning split; the refit on all
training rows runs beside the tuning, in a second process. The validation file is never read
here.
"""

from __future__ import annotations

import argparse
import csv
import logging
import multiprocessing
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from chat_widget.assistant.nlu import artefact
from chat_widget.assistant.nlu.calibration import (
    SHORTCUT_MIN_CHARS,
    EnglishMix,
    Outcome,
    Shortcut,
    choose_english_mix,
    choose_mix_weight,
    choose_neighbour_share,
    choose_novelty_floor,
    choose_shortcut,
    choose_shortcuts,
    choose_threshold,
    fit_temperature,
)
from chat_widget.assistant.nlu.dataset import Example, data_fingerprint, training_examples
from chat_widget.assistant.nlu.embeddings import Embedder, EmbeddingCache
from chat_widget.assistant.nlu.fit import (
    WRITTEN_ROW_WEIGHT,
    fit_english_head,
    fit_model,
    fit_neighbours,
)
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE
from chat_widget.assistant.nlu.model import (
    EnglishHead,
    IntentModel,
    apply_temperature,
    top2_margin,
)
from chat_widget.assistant.nlu.paths import DATA_DIR, model_dir
from chat_widget.assistant.nlu.segment import classifier_input

logger = logging.getLogger(__name__)

SEED_FILE = "embeddings.seed.npz"
"""e5 vectors of every training row, shipped so a fresh build trains in minutes (``seed``)."""
MINILM_SEED_FILE = "embeddings.seed.minilm.npz"
"""MiniLM vectors of every English training row (``seed``): half a minute to a minute less of
a fresh build, and every machine trains the English head on the same vectors (another CPU's
kernels may round ONNX Runtime's float steps differently, and the grids turn a last-bit
difference into another choice)."""
SEED_PATHS = (DATA_DIR / SEED_FILE, DATA_DIR / MINILM_SEED_FILE)
"""Both seeds, read by every training and by ``seed``."""
TFIDF_SHORTCUT = False
"""Whether training may let long messages TF-IDF is sure of skip the encoders
(``calibration.choose_shortcuts``). Off since 2026-12-06: with e5 in ONNX Runtime the shortcut
saved 0.6 ms at p95 (7.7 -> 7.1 ms on one core, budget 30) and, in the build with the
translated BANKING77 rows, raised written English wrong answers from 0.2% to 1.2%. A slower
encoder may need it again."""
TUNING_SHARE = 0.15
SEED = 7
SUBSET_FINGERPRINT = "subset"
"""The fingerprint of a model trained on chosen rows: never current for the app."""


MINILM_DIM = 384


def _english_row_weights(rows: Sequence[Example]) -> npt.NDArray[np.float64]:
    """Per row: our own written English rows count thrice in the MiniLM head, as FR/NL/DE
    rows do in the e5 classifier: with BANKING77's 117 rows per intent at weight one, MiniLM
    learned BANKING77's wording and lost 1.3 points on the separately written English split."""
    with (DATA_DIR / "banking77.csv").open(encoding="utf-8") as fh:
        banking77 = {row["text"] for row in csv.DictReader(fh)}
    return np.array([1.0 if r.text in banking77 else WRITTEN_ROW_WEIGHT for r in rows])


def _translated_rows(rows: Sequence[Example]) -> list[bool]:
    """Per row: whether it comes from a BANKING77 translation file (weight one, not three).
    With four translation passes (~150 rows per intent and language at weight three) the
    FR/NL/DE classes learned BANKING77's wording over our own writers': the separately written
    split lost 0.7-1.6 points per language (2026-12-06). By file, not by text: 20 of our own
    rows share a text with a translation."""
    return [r.translated for r in rows]


def is_english(lang: str | None) -> bool:
    """BANKING77 rows carry no language: they are English."""
    return lang in (None, "en")


def tuning_split(rows: Sequence[Example]) -> tuple[list[int], list[int]]:
    """The rows to fit on and the tuning rows (``TUNING_SHARE``), drawn per language.

    Per language, so that one language's rows never redraw another's tuning rows: drawn over
    all rows at once, 1,925 new English rows moved the FR/NL/DE split, and with it the grids'
    choices and those languages' validation figures by up to 0.6 point (2026-12-07). Within a
    language the draw is stratified by intent; intents with fewer than four rows there share
    one stratum, and a language too small to stratify is drawn plainly."""
    by_lang: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_lang.setdefault(row.lang or "en", []).append(i)
    fit_idx: list[int] = []
    tune_idx: list[int] = []
    for lang in sorted(by_lang):
        idx = by_lang[lang]
        if len(idx) < 2:
            fit_idx += idx
            continue
        counts = Counter(rows[i].category for i in idx)
        strata = [rows[i].category if counts[rows[i].category] >= 4 else "" for i in idx]
        stratify = strata if min(Counter(strata).values()) >= 2 else None
        try:
            fit, tune = train_test_split(
                idx, test_size=TUNING_SHARE, random_state=SEED, stratify=stratify
            )
        except ValueError:  # fewer tuning rows than strata: a plain draw
            fit, tune = train_test_split(idx, test_size=TUNING_SHARE, random_state=SEED)
        fit_idx += fit
        tune_idx += tune
    return sorted(fit_idx), sorted(tune_idx)


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
    cache = EmbeddingCache(target / artefact.EMBEDDINGS_FILE, seeds=SEED_PATHS)
    embedder = embedder or Embedder()
    # The classifier learns from what it will read in production: greetings and thanks
    # around a question are peeled off the same way (``segment.classifier_input``).
    texts = [classifier_input(r.text) for r in rows]
    vectors = cache.embed(embedder, texts)
    english = [i for i, r in enumerate(rows) if is_english(r.lang)]
    minilm = np.zeros((len(rows), MINILM_DIM), dtype=np.float32)
    if english:
        minilm[english] = cache.embed(Embedder(("minilm",)), [texts[i] for i in english])
    logger.info("embedded %d rows in %.0f s", len(rows), time.perf_counter() - started)
    # One thread from here on: the embedding above is row-parallel (each vector computed by
    # one thread), but BLAS and OpenMP reductions may split a sum differently with more
    # threads, and the grids below (mixing share, temperature, thresholds, shortcut margins)
    # turn a last-bit difference into another choice.
    with threadpool_limits(limits=1):
        model, meta = _fit_and_calibrate(rows, texts, vectors, minilm, fingerprint, embedder.names)
    artefact.save(target, model, meta)
    logger.info("intent model written to %s in %.0f s", target, time.perf_counter() - started)
    return meta


def _fit_all_rows(
    texts: list[str],
    labels: list[str],
    vectors: npt.NDArray[np.float32],
    langs: list[str | None],
    translated: list[bool],
    minilm_en: npt.NDArray[np.float32],
    labels_en: list[str],
    weights_en: npt.NDArray[np.float64],
) -> tuple[IntentModel, EnglishHead | None]:
    """The final fit on every row: nothing in it depends on what the tuning split chooses."""
    model = fit_model(texts, labels, vectors, langs, translated)
    head = fit_english_head(minilm_en, labels_en, model.labels, weights_en) if labels_en else None
    return model, head


def _final_fit_runner() -> ProcessPoolExecutor:
    """The final fit runs in a second process while the tuning split is scored (on two cores
    the build takes ~170 s instead of ~245): it needs nothing the tuning split chooses, and both
    fits are single-threaded and seeded, so the model is the same. Always a second process,
    one core or many: the model comes back through pickle either way, so the file's bytes do not
    depend on the core count. "spawn": the parent's ONNX Runtime threads are not forked."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def _fit_and_calibrate(
    rows: Sequence[Example],
    texts: list[str],
    vectors: npt.NDArray[np.float32],
    minilm: npt.NDArray[np.float32],
    fingerprint: str,
    encoders: tuple[str, ...],
) -> tuple[IntentModel, artefact.ModelMeta]:
    """Fit on the tuning split's complement, choose every setting on the tuning split, refit
    on all rows; deterministic for given inputs (seeded split, seeded solvers)."""
    labels = [r.category for r in rows]
    langs = [r.lang for r in rows]
    translated = _translated_rows(rows)
    row_weights = _english_row_weights(rows)
    en_rows = [i for i in range(len(rows)) if is_english(langs[i])]
    with _final_fit_runner() as runner:
        final = runner.submit(
            _fit_all_rows,
            texts,
            labels,
            vectors,
            langs,
            translated,
            minilm[en_rows],
            [labels[i] for i in en_rows],
            row_weights[en_rows],
        )
        tuned = _tune(rows, texts, labels, langs, translated, row_weights, vectors, minilm)
        model, english_head = final.result()
    return _finish(
        model, english_head, tuned, vectors, labels, langs, translated, fingerprint, encoders
    )


@dataclass(frozen=True)
class _Tuned:
    """What the tuning split chose (``_tune``), for the model fitted on every row."""

    weight_en: float
    weight_other: float
    neighbour_share: float
    temperature: float
    chosen: Outcome
    shortcuts: dict[str, Shortcut]
    novelty_floor: float
    mix: EnglishMix | None
    cascade: Shortcut | None
    english_floor: float | None
    e5_share: float


def _tune(
    rows: Sequence[Example],
    texts: list[str],
    labels: list[str],
    langs: list[str | None],
    translated: list[bool],
    row_weights: npt.NDArray[np.float64],
    vectors: npt.NDArray[np.float32],
    minilm: npt.NDArray[np.float32],
) -> _Tuned:
    """Every setting, chosen on the tuning split with a model fitted on the rest."""
    fit_idx, tune_idx = tuning_split(rows)
    tuning_model = fit_model(
        [texts[i] for i in fit_idx],
        [labels[i] for i in fit_idx],
        vectors[fit_idx],
        [langs[i] for i in fit_idx],
        [translated[i] for i in fit_idx],
    )
    tune_texts = [texts[i] for i in tune_idx]
    tune_labels = [labels[i] for i in tune_idx]
    tune_langs = [langs[i] for i in tune_idx]
    p_emb = tuning_model.embedding_proba(vectors[tune_idx])
    p_tfidf = tuning_model.tfidf_proba(tune_texts)
    english = np.array([is_english(lang) for lang in tune_langs])
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
    # FR/NL/DE: the vote of the nearest rows the tuning model learned from (model.Neighbours).
    other = np.flatnonzero(~english)
    neighbour_share = 0.0
    if len(other):
        fit_other = [i for i in fit_idx if not is_english(langs[i])]
        neighbours = fit_neighbours(
            vectors[fit_other],
            [labels[i] for i in fit_other],
            tuning_model.labels,
            [langs[i] for i in fit_other],
            [translated[i] for i in fit_other],
        )
        vote = neighbours.proba(vectors[[tune_idx[j] for j in other]])
        neighbour_share = choose_neighbour_share(
            raw[other], vote, [tune_labels[j] for j in other], tuning_model.labels
        )
        raw[other] = (1 - neighbour_share) * raw[other] + neighbour_share * vote
    logger.info("neighbour vote's share in FR/NL/DE: %.2f", neighbour_share)

    # English: the MiniLM head and its averages, on the same split (see model.EnglishHead).
    # Its rows take the full three-way average here; when the first step may decide alone is
    # chosen below, once the threshold is known.
    fit_en = [i for i in fit_idx if is_english(langs[i])]
    tune_en = np.flatnonzero(english)
    tune_en_labels = [tune_labels[j] for j in tune_en]
    mix = None
    english_floor = None
    if fit_en and len(tune_en):
        head = fit_english_head(
            minilm[fit_en], [labels[i] for i in fit_en], tuning_model.labels, row_weights[fit_en]
        )
        tune_minilm = minilm[[tune_idx[j] for j in tune_en]]
        p_minilm = head.proba(tune_minilm, len(tuning_model.labels))
        mix = choose_english_mix(
            p_emb[tune_en], p_minilm, p_tfidf[tune_en], tune_en_labels, tuning_model.labels
        )
        logger.info("English averages: %s", mix)
        first_en = mix.share * p_minilm + (1 - mix.share) * p_tfidf[tune_en]
        w_e5, w_minilm, w_tfidf = mix.weights
        raw[tune_en] = w_e5 * p_emb[tune_en] + w_minilm * p_minilm + w_tfidf * p_tfidf[tune_en]
        in_scope_en = np.array([label != OUT_OF_SCOPE for label in tune_en_labels], dtype=bool)
        english_floor = choose_novelty_floor(head.nearest(tune_minilm[in_scope_en]))
        logger.info("English: no answer below a MiniLM cosine of %.3f", english_floor)
    temperature = fit_temperature(raw, tune_labels, tuning_model.labels)
    chosen = choose_threshold(apply_temperature(raw, temperature), tune_labels, tuning_model.labels)
    logger.info("tuning split: %s, temperature %.2f", chosen, temperature)

    cascade = None
    e5_share = 1.0
    if mix is not None:
        cascade = choose_shortcut(
            apply_temperature(first_en, temperature),
            apply_temperature(raw[tune_en], temperature),
            tune_en_labels,
            tuning_model.labels,
            chosen.threshold,
        )
        if cascade is not None:
            e5_share = float((top2_margin(first_en) < cascade.margin).mean())
        logger.info("English first step decides alone: %s (e5 on %.0f%%)", cascade, 100 * e5_share)

    # BANKING77 rows carry no language: they are English.
    shortcuts = (
        {}
        if not TFIDF_SHORTCUT
        else choose_shortcuts(
            p_tfidf,
            apply_temperature(raw, temperature),
            tune_labels,
            tuning_model.labels,
            chosen.threshold,
            [len(t) for t in tune_texts],
            [lang or "en" for lang in tune_langs],
            SHORTCUT_MIN_CHARS,
        )
    )
    logger.info(
        "embedding skipped when the TF-IDF top-2 margin reaches %s (messages >= %d characters)",
        shortcuts,
        SHORTCUT_MIN_CHARS,
    )

    in_scope_tuning = np.array([label != OUT_OF_SCOPE for label in tune_labels])
    novelty_floor = choose_novelty_floor(tuning_model.nearest(vectors[tune_idx][in_scope_tuning]))
    logger.info("no answer below a cosine of %.3f to the nearest training row", novelty_floor)
    return _Tuned(
        weight_en=weight_en,
        weight_other=weight_other,
        neighbour_share=neighbour_share,
        temperature=temperature,
        chosen=chosen,
        shortcuts=shortcuts,
        novelty_floor=novelty_floor,
        mix=mix,
        cascade=cascade,
        english_floor=english_floor,
        e5_share=e5_share,
    )


def _finish(
    model: IntentModel,
    english_head: EnglishHead | None,
    tuned: _Tuned,
    vectors: npt.NDArray[np.float32],
    labels: list[str],
    langs: list[str | None],
    translated: list[bool],
    fingerprint: str,
    encoders: tuple[str, ...],
) -> tuple[IntentModel, artefact.ModelMeta]:
    """The model fitted on every row, with the tuning split's settings, and its meta."""
    chosen, shortcuts, mix, cascade = tuned.chosen, tuned.shortcuts, tuned.mix, tuned.cascade
    model.novelty_floor = tuned.novelty_floor
    model.temperature = tuned.temperature
    model.embedding_weights = {"en": tuned.weight_en}
    model.default_embedding_weight = tuned.weight_other
    if tuned.neighbour_share > 0:
        others = [i for i in range(len(labels)) if not is_english(langs[i])]
        model.neighbours = fit_neighbours(
            vectors[others],
            [labels[i] for i in others],
            model.labels,
            [langs[i] for i in others],
            [translated[i] for i in others],
        )
        model.neighbour_share = tuned.neighbour_share
    model.shortcuts = {lang: s.margin for lang, s in shortcuts.items()}
    model.shortcut_floors = {lang: s.floor for lang, s in shortcuts.items()}
    model.shortcut_min_chars = SHORTCUT_MIN_CHARS
    model.encoders = encoders
    english_tuning: dict[str, float] = {}
    if mix is not None and english_head is not None:
        model.english = english_head
        model.english.share = mix.share
        model.english.weights = mix.weights
        model.english.margin = cascade.margin if cascade is not None else np.inf
        model.english.floor = cascade.floor if cascade is not None else 1.0
        model.english.novelty_floor = tuned.english_floor
        english_tuning = {
            "english_share_minilm": mix.share,
            "english_weight_e5": mix.weights[0],
            "english_weight_minilm": mix.weights[1],
            "english_weight_tfidf": mix.weights[2],
            "english_top1_full": round(mix.top1_full, 4),
            "english_top1_first": round(mix.top1_first, 4),
            "english_e5_share": round(tuned.e5_share, 4),
            "english_novelty_floor": round(tuned.english_floor or 0.0, 4),
        }
        if cascade is not None:
            english_tuning["english_margin"] = cascade.margin
            english_tuning["english_floor"] = cascade.floor
    meta = artefact.ModelMeta(
        fingerprint=fingerprint,
        threshold=chosen.threshold,
        temperature=tuned.temperature,
        tuning={
            **{k: round(float(v), 4) for k, v in asdict(chosen).items()},
            **{f"shortcut_margin_{lang}": s.margin for lang, s in shortcuts.items()},
            **{f"shortcut_floor_{lang}": s.floor for lang, s in shortcuts.items()},
            "novelty_floor": round(tuned.novelty_floor, 4),
            "embedding_share_en": tuned.weight_en,
            "embedding_share_other": tuned.weight_other,
            "neighbour_share": tuned.neighbour_share,
            **english_tuning,
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
