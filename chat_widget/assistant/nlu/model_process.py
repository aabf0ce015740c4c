"""The assistant's model in a process of its own, beside each server worker.

    prediction = await model_process().classify("ma carte est bloquée", "fr")

On a thread of the worker, the model shared one interpreter lock with the event loop: each
time ONNX Runtime or numpy handed back, the model waited for the loop to let go, and every
customer's event waited for the model's Python. Beside a busy loop a question took p50 58 ms
instead of 5 (docs/live-chat.md, "The assistant under load"). In its own process it runs on
another core with its own lock; a question and its answer cross a pipe (~0.1 ms, pickled).

The process is started with ``spawn`` (a fork would copy the worker's threads' locks), loads
the model before its first question, and is started again on the next question when it died.
It leaves when the worker leaves, even on ``kill -9``: it watches its parent. As with any
``spawn``, the worker's ``__main__`` must be importable without side effects (``reflex run``'s
and Granian's are); the worker itself never imports the classifier (numpy, scikit-learn, ONNX
Runtime: ~90 MB), only :class:`Prediction`.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import util as mp_util

from chat_widget.assistant.nlu.prediction import Prediction

log = logging.getLogger(__name__)

#: How often the model's process checks that the worker that started it is still there.
PARENT_CHECK_S = 1.0


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent_pid:  # re-parented: the worker is gone
            os._exit(0)


def _start_child(parent_pid: int) -> None:
    """Runs first in the model's process: outlive no worker, ignore the terminal's Ctrl-C
    (the worker shuts the process down itself), load the model before the first question."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="cw-parent-watch", daemon=True
    ).start()
    from chat_widget.assistant.nlu.classifier import get_classifier

    get_classifier()


def _classify(text: str, lang: str | None) -> Prediction:
    from chat_widget.assistant.nlu.classifier import get_classifier

    return get_classifier().classify(text, lang)


def _child_pid() -> int:
    return os.getpid()


class ModelProcess:
    """One model process for this worker, started on first use and again after it died."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._loaded = False
        # A worker that is itself a multiprocessing child (Granian's) joins its children
        # when it exits, before the executor's own exit hook would stop ours: it waited for
        # the model process until Granian killed it (15 s of a rolling restart). Finalizers
        # run before that join.
        mp_util.Finalize(None, self.shutdown, exitpriority=100)

    @property
    def loaded(self) -> bool:
        """The process answered a question since it was (last) started."""
        return self._loaded and self._pool is not None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._loaded = False
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_child,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
                self._loaded = False
        pool.shutdown(wait=False, cancel_futures=True)

    def _submit(
        self, text: str, lang: str | None
    ) -> tuple[ProcessPoolExecutor, Future[Prediction]]:
        pool = self._executor()
        return pool, pool.submit(_classify, text, lang)

    def classify_blocking(self, text: str, lang: str | None = None) -> Prediction:
        """For start-up (the warm-up thread, no event loop): starts the process and waits
        for the model."""
        return asyncio.run(self.classify(text, lang))

    async def classify(self, text: str, lang: str | None = None) -> Prediction:
        """The prediction, computed in the model's process.

        A process that died (out of memory, killed) is replaced and the question asked once
        more; a second death is the assistant's outage, reported to the customer as such.
        """
        for attempt in range(2):
            pool, future = self._submit(text, lang)
            try:
                prediction = await asyncio.wrap_future(future)
            except BrokenProcessPool:
                log.warning("the assistant's model process died: starting another")
                # Imported here: the model's process imports this module too, and with
                # PROMETHEUS_MULTIPROC_DIR set it would show as a worker in /metrics.
                from chat_widget.observability import metrics

                metrics.assistant_model_restarted()
                self._discard(pool)
                if attempt:
                    raise
                continue
            self._loaded = True
            return prediction
        raise AssertionError("unreachable")

    def pid(self) -> int:
        """The model process's pid (tests, diagnostics); starts it when needed."""
        return self._executor().submit(_child_pid).result()

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            self._loaded = False
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_processes: dict[int, ModelProcess] = {}
_processes_lock = threading.Lock()


def model_process() -> ModelProcess:
    """This worker's model process (per pid: a forked worker starts its own)."""
    pid = os.getpid()
    with _processes_lock:
        process = _processes.get(pid)
        if process is None:
            process = _processes[pid] = ModelProcess()
        return process


async def classify_in_process(text: str, lang: str | None = None) -> Prediction:
    """:func:`classifier.classify_async`'s contract, answered by this worker's model process."""
    return await model_process().classify(text, lang)
