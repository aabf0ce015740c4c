"""Route constants and URL builders."""

from __future__ import annotations

WIDGET = "/widget"
AGENT = "/agent"
AGENT_LOGIN = "/agent/login"
EMBED_SCRIPT = "/embed.js"
BRIDGE_SCRIPT = "/widget-bridge.js"
STYLESHEET = "/widget.css"
LIVE_STYLESHEET = "/live-chat.css"


def widget_url(base: str, *, host_origin: str, locale: str | None = None) -> str:
    from urllib.parse import urlencode

    query = {"host": host_origin} | ({"locale": locale} if locale else {})
    return f"{base.rstrip('/')}{WIDGET}?{urlencode(query)}"
