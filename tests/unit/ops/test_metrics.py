"""Metrics: one-line recorders with closed label sets, and values summed across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat_widget.files import FileRejected
from chat_widget.observability import metrics


def sample(name: str, **labels: str) -> float:
    for family in metrics.uploads.collect() + metrics.assistant_questions.collect():
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


def test_upload_checks_are_counted_by_result_and_reason() -> None:
    accepted = sample("cw_uploads_total", channel="claim", result="accepted")
    too_large = sample("cw_uploads_total", channel="claim", result="too_large")

    def check(data: bytes) -> str:
        if len(data) > 3:
            raise FileRejected("too_large", name="x")
        return "ok"

    assert metrics.upload_checked("claim", check)(b"abc") == "ok"
    with pytest.raises(FileRejected):
        metrics.upload_checked("claim", check)(b"abcdef")
    assert sample("cw_uploads_total", channel="claim", result="accepted") == accepted + 1
    assert sample("cw_uploads_total", channel="claim", result="too_large") == too_large + 1


def test_labels_come_from_closed_sets() -> None:
    before = sample("cw_assistant_questions_total", reply="other")
    metrics.assistant_question("a customer's free text")
    assert sample("cw_assistant_questions_total", reply="other") == before + 1


CHILD = """
import sys
from chat_widget.observability import metrics
metrics.chat_message("agent")
metrics.socket_opened()
print(__import__("os").getpid())
"""


def test_workers_values_are_summed_and_dead_workers_sockets_forgotten(tmp_path: Path) -> None:
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}
    pids = [
        int(
            subprocess.run(
                [sys.executable, "-c", CHILD], env=env, check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(2)
    ]
    reader = (
        "from chat_widget.observability import metrics; "
        "import sys; sys.stdout.write(metrics.exposition()[0].decode())"
    )
    text = subprocess.run(
        [sys.executable, "-c", reader], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert 'cw_chat_messages_total{author="agent"} 2.0' in text
    assert all(f'cw_sockets_connected{{pid="{pid}"}} 1.0' in text for pid in pids)
    # Both children have exited: their open-socket series go, their counters stay.
    assert set(pids) <= set(metrics.forget_dead_processes(str(tmp_path), lambda pid: False))
    text = subprocess.run(
        [sys.executable, "-c", reader], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert not any(f'cw_sockets_connected{{pid="{pid}"}}' in text for pid in pids)
    assert 'cw_chat_messages_total{author="agent"} 2.0' in text
