"""Wiring of the operations endpoints and logs into the app (see ``chat_widget.observability``).

Kept out of ``chat_widget.py`` so the app module stays a list of pages and layers.
"""

from __future__ import annotations

from chat_widget.adapters.db import engine_for
from chat_widget.live_chat.snapshot import live_chat_snapshot
from chat_widget.observability import logs, readiness
from chat_widget.observability.metrics import LiveChatGauges
from chat_widget.settings import Settings, environ, get_settings
from chat_widget.web.asgi import ASGIApp
from chat_widget.web.health import HealthRoutes
from chat_widget.web.observed import Observed


def readiness_checks(settings: Settings) -> list[readiness.Check]:
    graph_url = (
        environ().get("CW_GRAPH_BASE_URL") or "https://graph.microsoft.com/v1.0"
        if environ().get("CW_GRAPH_BOOKING_BUSINESS_ID")
        else None
    )
    return [
        readiness.database_check(settings.database_url),
        readiness.redis_check(settings.redis_url),
        readiness.assistant_check(),
        readiness.graph_check(graph_url),
    ]


def observed(app: ASGIApp, settings: Settings) -> ASGIApp:
    """``/healthz``, ``/readyz``, ``/metrics`` in front of ``app``, the proxy's view of the
    client outermost."""
    checks = readiness_checks(settings)
    gauges = LiveChatGauges(lambda: live_chat_snapshot(engine_for(settings.database_url)))
    health = HealthRoutes(
        app,
        checks=lambda: checks,
        internal_networks=settings.internal_networks,
        metrics_token=settings.metrics_token,
        collectors=lambda: (gauges,),
    )
    return Observed(health, trusted_proxy_hops=settings.trusted_proxy_hops)


def configure_logging() -> None:
    """Lifespan task: this worker's logs as JSON lines (``CW_LOG_LEVEL``, ``CW_LOG_FORMAT``)."""
    settings = get_settings()
    logs.configure(level=settings.log_level, fmt=settings.log_format, static=logs.worker_label())
