"""Reflex configuration. Runtime settings come from chat_widget.settings (environment)."""

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from chat_widget.ops import respawn
from chat_widget.settings import get_settings

_settings = get_settings()
# Several workers (`reflex run --env prod`, GRANIAN_WORKERS): one that dies is replaced
# instead of taking the others down with it.
respawn.install()

config = rx.Config(
    app_name="chat_widget",
    # Websocket and CORS: only the widget's own origin talks to the backend. Host pages never
    # call the API; they only frame /widget (CSP frame-ancestors) and postMessage with it.
    cors_allowed_origins=list(_settings.socket_origins),
    deploy_url=_settings.public_url,
    api_url=_settings.public_url,
    show_built_with_reflex=False,
    telemetry_enabled=False,
    plugins=[],
    disable_plugins=[SitemapPlugin],
    state_manager_mode="redis" if _settings.redis_url else "memory",
    redis_url=_settings.redis_url,
    # Behind nginx: the client address of a socket is the proxy's X-Forwarded-For entry.
    trusted_proxy_hops=_settings.trusted_proxy_hops,
)
