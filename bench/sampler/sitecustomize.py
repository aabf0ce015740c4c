"""A poor man's sampling profiler for the bench's server, from inside it. py-spy from PyPI does
run on this machine kind as root and samples from outside, with who holds the interpreter lock
(``bench/spy_chat_load.sh``): prefer it; this one needs nothing installed.

Put this folder on ``PYTHONPATH`` and set ``CW_BENCH_SAMPLE=<file>``: every Python process
started then samples all its threads every 2 ms (``sys._current_frames``), drops threads that
are waiting (their innermost frame is a known blocking call, or the thread used no CPU since
the last sample: a thread blocked inside a C call such as ``SimpleQueue.get`` shows a Python
frame that looks busy), and every 5 s writes the functions seen most (inclusive and self, in
% of busy samples) and the busy samples per thread to ``<file>.<pid>``.
``bench/chat_load.py --sample FILE`` does this for the chat server; ``CW_BENCH_SAMPLE_THREAD=name``
samples that thread alone (``MainThread``: the event loop).
"""

from __future__ import annotations

import collections
import gc
import os
import sys
import threading
import time

_IDLE = {
    "select",
    "poll",
    "wait",
    "_wait_for_tstate_lock",
    "acquire",
    "sleep",
    "get",
    "_worker",
    "accept",
    "recv",
    "recv_into",
    "readinto",
    "epoll",
    "run_forever",
    "_run_once",
}


def _start(path: str) -> None:
    inclusive: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    per_thread: collections.Counter[str] = collections.Counter()
    busy = [0]
    last_cpu: dict[int, float] = {}
    # Garbage collections: count and pause per generation (a pause stops every thread).
    gc_started = [0.0]
    now_sending = [False]
    tracked = [0]
    gc_pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}

    def on_gc(phase: str, info: dict) -> None:  # type: ignore[type-arg]
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif now_sending[0]:
            gc_pauses[info["generation"]].append(time.perf_counter() - gc_started[0])

    gc.callbacks.append(on_gc)

    def label(frame) -> str:  # type: ignore[no-untyped-def]
        code = frame.f_code
        name = code.co_filename
        for cut in ("site-packages/", "/work/main/", "python3.11/"):
            if cut in name:
                name = name.split(cut, 1)[1]
        return f"{name}:{code.co_name}"

    def sending(phase: str | None) -> bool:
        if phase is None:
            return True
        try:
            with open(phase) as marker:
                return marker.read().startswith("sending")
        except OSError:
            return False

    def write() -> None:
        total = max(1, busy[0])
        with open(f"{path}.{os.getpid()}", "w") as out:
            out.write(f"busy samples {total}\n\n# inclusive %\n")
            for name, n in inclusive.most_common(80):
                out.write(f"{100 * n / total:6.1f}  {name}\n")
            out.write("\n# garbage collections: generation, count, total ms, max ms\n")
            for gen, pauses in gc_pauses.items():
                total_ms = 1000 * sum(pauses)
                longest = 1000 * max(pauses, default=0.0)
                out.write(f"gc{gen} {len(pauses)} {total_ms:.1f} {longest:.1f}\n")
            out.write(
                f"tracked objects {tracked[0]} (counted once, at the end of the sending phase)\n"
            )
            out.write("\n# busy samples per thread (%)\n")
            for name, n in per_thread.most_common(20):
                out.write(f"{100 * n / total:6.1f}  {name}\n")
            out.write("\n# self %\n")
            for name, n in leaf.most_common(50):
                out.write(f"{100 * n / total:6.1f}  {name}\n")

    def used_cpu(ident: int) -> bool:
        """Did the thread run since the last sample (its own CPU clock moved)?"""
        try:
            cpu = time.clock_gettime(time.pthread_getcpuclockid(ident))
        except (OSError, AttributeError):  # gone, or no per-thread clocks here
            return True
        before = last_cpu.get(ident)
        last_cpu[ident] = cpu
        return before is None or cpu - before > 0.0002

    def sample() -> None:
        me = threading.get_ident()
        phase = os.environ.get("CW_BENCH_SAMPLE_PHASE")
        # One thread only (e.g. MainThread, the event loop), when set.
        only = os.environ.get("CW_BENCH_SAMPLE_THREAD", "")
        on, looked, written = sending(phase), time.monotonic(), time.monotonic()
        now_sending[0] = on
        while True:
            time.sleep(0.002)
            now = time.monotonic()
            if now - looked > 0.5:
                was, (on, looked) = on, (sending(phase), now)
                now_sending[0] = on
                if was and not on and not tracked[0]:
                    tracked[0] = len(gc.get_objects())
                    write()
            if busy[0] and now - written > 5:
                write()
                written = now
            if not on:
                continue
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me or frame is None:
                    continue
                if only and names.get(ident) != only:
                    continue
                if not used_cpu(ident) or frame.f_code.co_name in _IDLE:
                    continue
                busy[0] += 1
                per_thread[names.get(ident, str(ident))] += 1
                leaf[label(frame)] += 1
                seen: set[str] = set()
                f = frame
                while f is not None:
                    name = label(f)
                    if name not in seen:
                        seen.add(name)
                        inclusive[name] += 1
                    f = f.f_back

    threading.Thread(target=sample, daemon=True, name="cw-bench-sampler").start()


if os.environ.get("CW_BENCH_SAMPLE"):
    _start(os.environ["CW_BENCH_SAMPLE"])
    # Granian forks its workers: threads do not survive a fork, so each child starts its own.
    os.register_at_fork(after_in_child=lambda: _start(os.environ["CW_BENCH_SAMPLE"]))
