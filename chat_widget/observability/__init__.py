"""What an operator sees of a running worker: metrics, structured logs, readiness.

* :mod:`.metrics` — Prometheus counters and histograms, safe across worker processes
  (``PROMETHEUS_MULTIPROC_DIR``); channel code records with one-line calls.
* :mod:`.logs` — one JSON object per line, request/conversation ids from context variables,
  texts masked by the privacy guard before anything is written.
* :mod:`.readiness` — the per-dependency checks behind ``GET /readyz``.
* :mod:`.asgi` — the outermost ASGI layer: the client address behind the trusted proxies,
  request ids, connected sockets.

Plain Python (no Reflex): the Reflex event middleware lives in ``chat_widget.ui``.
"""
