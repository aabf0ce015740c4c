"""Latency and memory of the assistant's intent classifier, on one core.

    python bench/assistant_bench.py [--n 400] [--repeat 3]

Targets (issues 3 and 13): p95 <= 30 ms CPU per question, <= 400 MB resident for the loaded
model. Thread counts are pinned to 1 before numpy or the embedding engine load, to measure one
core. The last line, ``assistant_p95_cpu_ms=… budget=30 ok|over``, is the figure recorded in
docs/assistant.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil  # noqa: E402

P95_BUDGET_MS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="questions to time")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per question; the least CPU time counts (other processes only add to it)",
    )
    args = parser.parse_args()

    process = psutil.Process()
    try:
        process.cpu_affinity([process.cpu_affinity()[0]])
    except (AttributeError, OSError):
        pass  # not available on every platform; the thread pins still hold

    from chat_widget.assistant.nlu.dataset import validation_examples

    questions = [r.text for r in validation_examples()]
    random.Random(0).shuffle(questions)
    questions = questions[: args.n]

    gc.collect()
    rss_before = process.memory_info().rss
    from chat_widget.assistant.nlu.classifier import IntentClassifier

    started = time.perf_counter()
    classifier = IntentClassifier.load()
    load_s = time.perf_counter() - started
    classifier.classify("warm up")
    gc.collect()
    rss_after = process.memory_info().rss

    # Each question is timed ``--repeat`` times and its least time kept: on a machine shared
    # with other jobs, cache and core contention inflate CPU time too (two runs of the same
    # model differed by 6 ms at p95 at a load average of 6 on 2 cores); the minimum is the
    # question's own cost. Round-robin, so no repeat hits a cache the previous one warmed.
    runs: list[list[tuple[float, float]]] = [[] for _ in questions]
    for _ in range(max(args.repeat, 1)):
        for i, text in enumerate(questions):
            w0, c0 = time.perf_counter(), time.process_time()
            classifier.classify(text)
            runs[i].append(((time.process_time() - c0) * 1000, (time.perf_counter() - w0) * 1000))
    cpu = [min(c for c, _ in r) for r in runs]
    wall = [min(w for _, w in r) for r in runs]
    from chat_widget.assistant.nlu import language
    from chat_widget.assistant.nlu.segment import classifier_input

    cores = [classifier_input(q) for q in questions]
    skipped = classifier.model.skips_embedding(
        classifier.model.tfidf_proba(cores),
        [len(c) for c in cores],
        [language.detect(q).lang for q in questions],
    )
    print(
        f"questions={len(wall)} repeat={args.repeat} load_s={load_s:.2f} load_avg_1min={os.getloadavg()[0]:.1f} "
        f"embedding_skipped={skipped.mean():.0%} (TF-IDF top-2 margin >= "
        f"{classifier.model.shortcuts}, >= {classifier.model.shortcut_min_chars} characters)"
    )
    # The machine-independent part: how many tokens the embedding reads per question (0 when
    # skipped). Its cost is about 2.5 ms plus 1.4 ms per token on one core.
    e5 = getattr(classifier._embedder.encoders[0], "_model", None)
    if e5 is not None:
        from chat_widget.assistant.nlu.embeddings import _prepare

        tokens = sorted(
            0 if skip else int(e5.token_count(_prepare(core), True))
            for core, skip in zip(cores, skipped, strict=True)
        )
        print(
            f"embedded_tokens p50={statistics.median(tokens):.0f} "
            f"p95={tokens[int(0.95 * (len(tokens) - 1))]}"
        )
    # CPU time is what one core spends per question; wall time also counts waiting for the
    # core when the machine is busy, so on a shared box compare the two.
    p95s: dict[str, float] = {}
    for name, values in (("wall", wall), ("cpu", cpu)):
        values.sort()
        p50 = statistics.median(values)
        p95s[name] = values[int(0.95 * (len(values) - 1))]
        print(
            f"latency_ms[{name}] p50={p50:.1f} p95={p95s[name]:.1f} max={values[-1]:.1f} "
            "(target p95 <= 30)"
        )
    print(
        f"rss_mb before={rss_before / 2**20:.0f} after={rss_after / 2**20:.0f} "
        f"model_delta={(rss_after - rss_before) / 2**20:.0f} (target <= 400)"
    )
    # The line to compare runs by (docs/assistant.md keeps the history): the CPU p95 is the
    # budget's figure, the wall p95 only means something on an idle machine.
    verdict = "ok" if p95s["cpu"] <= P95_BUDGET_MS else "over"
    print(f"assistant_p95_cpu_ms={p95s['cpu']:.1f} budget={P95_BUDGET_MS:.0f} {verdict}")


if __name__ == "__main__":
    main()
