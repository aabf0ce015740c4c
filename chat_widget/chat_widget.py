"""The Reflex app: pages and the ASGI wrapper. Nothing else lives here."""

from __future__ import annotations

import reflex as rx

from chat_widget import routes
from chat_widget.settings import get_settings
from chat_widget.ui.agent.claims_pages import CLAIMS_ROUTE, claims_page
from chat_widget.ui.agent.claims_state import ClaimsConsoleState, read_handler_file
from chat_widget.ui.agent.meetings_pages import meetings_page
from chat_widget.ui.agent.meetings_state import MeetingsConsoleState
from chat_widget.ui.agent.pages import console_page, login_page
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.claim_state import export_documents, read_claim_file
from chat_widget.ui.live_chat_state import LiveChatState
from chat_widget.ui.pages.widget import widget_page
from chat_widget.ui.warmup import warm_up
from chat_widget.ui.widget_state import WidgetState
from chat_widget.web.claim_files import ClaimFilesRoute
from chat_widget.web.claims_export import ClaimsExportRoute
from chat_widget.web.handler_files import HandlerFilesRoute
from chat_widget.web.security import SecurityHeaders

_settings = get_settings()


def _secure(asgi_app):  # type: ignore[no-untyped-def]
    # Claim files and the insurer export are answered before Reflex sees the request, inside
    # the security headers.
    files = ClaimFilesRoute(asgi_app, secret=_settings.secret_key, read_file=read_claim_file)
    # Claims handlers' files: console session cookie with the claims role, audited per read.
    handler_files = HandlerFilesRoute(files, read_file=read_handler_file)
    export = ClaimsExportRoute(
        handler_files, api_key=_settings.claims_api_key, load=export_documents
    )
    return SecurityHeaders(
        export,
        frame_ancestors=(_settings.own_origin, *_settings.allowed_origins),
        own_origin=_settings.own_origin,
        socket_origins=_settings.socket_origins,
        # A whole batch of files plus multipart overhead; each file is checked again on arrival.
        max_upload_body=_settings.upload_max_bytes * _settings.upload_max_files + 1024 * 1024,
    )


app = rx.App(
    theme=None,
    stylesheets=[routes.STYLESHEET],
    head_components=[rx.el.script(src=routes.BRIDGE_SCRIPT)],
    html_lang="fr",
    api_transformer=_secure,
)
app.add_page(
    widget_page,
    route=routes.WIDGET,
    title="Contact",
    on_load=[WidgetState.boot, LiveChatState.resume],
)
app.add_page(
    login_page, route=routes.AGENT_LOGIN, title="Agent login", on_load=AgentState.on_login_page
)
app.add_page(
    console_page, route=routes.AGENT, title="Agent console", on_load=AgentState.on_console_page
)
app.add_page(
    claims_page,
    route=CLAIMS_ROUTE,
    title="Claims",
    on_load=ClaimsConsoleState.on_claims_page,
)
app.add_page(
    meetings_page,
    route="/agent/meetings",
    title="Video meetings",
    on_load=MeetingsConsoleState.load_meetings,
)
app.register_lifespan_task(warm_up)
