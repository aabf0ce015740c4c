"""The bench's floor: a stock Reflex app with one trivial event (see floor/floor.py)."""

import os

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

config = rx.Config(
    app_name="floor",
    cors_allowed_origins=["*"],
    show_built_with_reflex=False,
    telemetry_enabled=False,
    disable_plugins=[SitemapPlugin],
    state_manager_mode="redis" if os.environ.get("REDIS_URL") else "memory",
    redis_url=os.environ.get("REDIS_URL") or None,
)
