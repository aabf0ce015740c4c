"""The intent model reads no calendar: scripts/test leaves its tests out of the run with the clock
400 days ahead (they are the slowest part of the suite on CI's two cores, and a clock they never
read cannot change what they compute). This test keeps that true: it fails on the first
module of ``chat_widget.assistant.nlu`` that imports a date or time-of-day source, or calls a
``time`` function other than a stopwatch or a sleep."""

from __future__ import annotations

import ast
from pathlib import Path

import chat_widget.assistant.nlu as nlu

NLU = Path(nlu.__file__).parent
#: Modules that read the calendar or the wall clock, or that hand out our own clock.
CALENDAR_MODULES = ("datetime", "calendar", "zoneinfo", "chat_widget.domain.clock")
#: Durations and waits: none of them says what day it is.
STOPWATCH = {"perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "sleep"}
#: File times are the calendar too (a staleness check by mtime would move with the clock).
FILE_TIMES = {"st_mtime", "st_ctime", "st_atime", "getmtime", "getctime", "getatime"}


def clock_reads(source: str) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [module] + [f"{module}.{a.name}" for a in node.names]
            if module == "time":
                found += [f"time.{a.name}" for a in node.names if a.name not in STOPWATCH]
        else:
            names = []
        found += [n for n in names if n.startswith(CALENDAR_MODULES)]
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "time":
                if node.attr not in STOPWATCH:
                    found.append(f"time.{node.attr}")
            if node.attr in FILE_TIMES:
                found.append(node.attr)
    return found


def test_the_intent_model_reads_no_calendar() -> None:
    reads = {
        str(path.relative_to(NLU)): hits
        for path in sorted(NLU.rglob("*.py"))
        if (hits := clock_reads(path.read_text(encoding="utf-8")))
    }
    assert reads == {}


def test_the_check_sees_each_kind_of_clock_read() -> None:
    """The check above can fail: each way of reading the date is caught."""
    assert clock_reads("from datetime import datetime") == ["datetime", "datetime.datetime"]
    assert clock_reads("import zoneinfo") == ["zoneinfo"]
    assert clock_reads("from chat_widget.domain.clock import utcnow") == [
        "chat_widget.domain.clock",
        "chat_widget.domain.clock.utcnow",
    ]
    assert clock_reads("import time\ntime.time()") == ["time.time"]
    assert clock_reads("from time import localtime") == ["time.localtime"]
    assert clock_reads("p.stat().st_mtime") == ["st_mtime"]
    assert clock_reads("import time\ntime.perf_counter(); time.sleep(1)") == []
