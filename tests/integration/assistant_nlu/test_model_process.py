"""The assistant's model in its own process: same answers, another process, replaced when it
dies, gone when its worker is gone (a real spawned process, the real model)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from chat_widget.assistant.nlu.classifier import IntentClassifier
from chat_widget.assistant.nlu.model_process import ModelProcess

QUESTIONS = [
    ("ik ben mijn kaart verloren", "nl"),
    ("Bonjour, je voudrais savoir comment bloquer ma carte", "fr"),
    ("what is the exchange rate for euros", "en"),
    ("Hallo, guten Tag, wie funktioniert eine Lastschrift", "de"),
    ("quel temps fera-t-il demain", "fr"),
]


@pytest.fixture(scope="module")
def process() -> Iterator[ModelProcess]:
    process = ModelProcess()
    yield process
    process.shutdown()


@pytest.fixture(scope="module")
def local() -> IntentClassifier:
    return IntentClassifier.load()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


async def test_answers_as_the_worker_would_from_another_process(
    process: ModelProcess, local: IntentClassifier
) -> None:
    assert not process.loaded
    for text, lang in QUESTIONS:
        assert await process.classify(text, lang) == local.classify(text, lang)
    assert process.loaded
    assert process.pid() != os.getpid()


async def test_a_killed_model_process_is_replaced_and_the_question_answered(
    process: ModelProcess, local: IntentClassifier
) -> None:
    restarts = REGISTRY.get_sample_value("cw_assistant_model_restarts_total") or 0.0
    before = process.pid()
    os.kill(before, signal.SIGKILL)
    text, lang = QUESTIONS[0]
    assert await process.classify(text, lang) == local.classify(text, lang)
    after = process.pid()
    assert after != before
    assert not _alive(before)
    # Operators see it (docs/operations.md, AssistantModelRestarts).
    assert REGISTRY.get_sample_value("cw_assistant_model_restarts_total") == restarts + 1


def test_the_model_process_leaves_when_its_worker_is_killed(tmp_path: object) -> None:
    script = (
        "import os, sys\n"
        "from chat_widget.assistant.nlu.model_process import ModelProcess\n"
        "p = ModelProcess()\n"
        "print(p.pid(), flush=True)\n"
        "sys.stdin.read()\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        child = int(worker.stdout.readline())
        assert _alive(child)
        worker.kill()  # no clean shutdown: nothing tells the child
        worker.wait(10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        worker.kill()


def test_a_worker_with_the_model_process_never_loads_the_model_libraries() -> None:
    # What a worker imports to answer a question (the warm-up's path and the view's).
    script = (
        "import sys\n"
        "import chat_widget.chat_widget\n"
        "from chat_widget.ui.assistant_state import assistant_chat\n"
        "from chat_widget.assistant.nlu.model_process import model_process\n"
        "assistant_chat()\n"
        "print(sorted(m for m in ('numpy', 'sklearn', 'onnxruntime') if m in sys.modules))\n"
    )
    env = {**os.environ, "CW_ASSISTANT_PROCESS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


_KEPT: list[ModelProcess] = []


def _use_and_leave(queue: multiprocessing.Queue[int]) -> None:
    _KEPT.append(ModelProcess())  # held to the end, as a worker's is
    queue.put(_KEPT[0].pid())


def test_a_worker_that_is_a_multiprocessing_child_exits_without_waiting() -> None:
    # Granian's workers are multiprocessing children: at exit they join their own children.
    queue: multiprocessing.Queue[int] = multiprocessing.get_context("spawn").Queue()
    worker = multiprocessing.get_context("spawn").Process(target=_use_and_leave, args=(queue,))
    worker.start()
    child = queue.get(timeout=120)
    worker.join(15)
    try:
        assert worker.exitcode == 0
        assert not _alive(child)
    finally:
        worker.kill()
