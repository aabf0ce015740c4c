"""Is this worker draining, and how many events is it still running?

A rolling restart must not lose what a browser sends while its worker stops. Stopping Granian
(SIGTERM) freezes a worker's websockets while the app shuts down: the browser still sees its
socket open and what it sends is lost. So the supervisor drains a worker *before* stopping it:
``SIGUSR1`` → the worker closes its websockets (the browsers reconnect at once, through nginx,
to another worker), refuses new ones and cancels its live listeners; ``/readyz`` then answers
503 with ``draining`` and the count of events still running, and the supervisor sends SIGTERM
once that count is 0 (or ``CW_DRAIN_SECONDS`` have passed).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

DRAIN_SIGNAL_NAME = "SIGUSR1"


@dataclass
class DrainState:
    draining: bool = False
    running_events: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def event_started(self) -> None:
        with self._lock:
            self.running_events += 1

    def event_finished(self) -> None:
        with self._lock:
            self.running_events = max(0, self.running_events - 1)


#: This process's state (one worker per process).
state = DrainState()
