"""The Reflex app: pages and the ASGI wrapper. Nothing else lives here."""

from __future__ import annotations

import reflex as rx

from chat_widget import routes
from chat_widget.adapters.oidc import OidcClient
from chat_widget.settings import get_settings
from chat_widget.ui import operations
from chat_widget.ui.agent.binding import ConsoleSessionBinding
from chat_widget.ui.agent.chat_previews import read_agent_chat_preview
from chat_widget.ui.agent.claims_pages import CLAIMS_ROUTE, claims_page
from chat_widget.ui.agent.claims_state import (
    ClaimsConsoleState,
    read_handler_file,
    read_handler_preview,
)
from chat_widget.ui.agent.console_auth import (
    console_sign_in,
    console_sign_out,
    console_sso_logout,
    console_sso_sign_in,
    read_agent_chat_file,
    reconcile_sso_roles,
)
from chat_widget.ui.agent.meetings_pages import meetings_page
from chat_widget.ui.agent.meetings_state import MeetingsConsoleState
from chat_widget.ui.agent.nav import NavState
from chat_widget.ui.agent.pages import console_page, login_page
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.agent.supervisor_pages import supervisor_page
from chat_widget.ui.agent.supervisor_state import (
    SUPERVISOR_ROUTE,
    SupervisorState,
    read_supervisor_csv,
)
from chat_widget.ui.backend_errors import log_backend_exception
from chat_widget.ui.claim_io import export_documents, read_claim_file
from chat_widget.ui.components.console_links import page_title
from chat_widget.ui.components.lazy_view import LAZY_ROUTES
from chat_widget.ui.event_metrics import EventMetrics, drain_on_signal
from chat_widget.ui.jobs import start_jobs
from chat_widget.ui.live_chat_state import LiveChatState, read_chat_file
from chat_widget.ui.pages.widget import widget_page
from chat_widget.ui.pages.widget_views import VIEW_PAGES
from chat_widget.ui.widget_state import WidgetState
from chat_widget.web.asgi import ASGIApp
from chat_widget.web.claims_export import ClaimsExportRoute
from chat_widget.web.console_session import ConsoleSessionRoute
from chat_widget.web.customer_files import CHAT, CustomerFilesRoute
from chat_widget.web.handler_files import (
    AGENT_CHAT_PREFIX,
    AGENT_CHAT_PREVIEW_PREFIX,
    PREVIEW_PREFIX,
    HandlerFilesRoute,
)
from chat_widget.web.oidc import OidcRoute
from chat_widget.web.security import SecurityHeaders
from chat_widget.web.supervisor_export import SupervisorExportRoute

_settings = get_settings()


def _secure(asgi_app):  # type: ignore[no-untyped-def]
    # Claim files and the insurer export are answered before Reflex sees the request, inside
    # the security headers.
    files = CustomerFilesRoute(asgi_app, secret=_settings.secret_key, read_file=read_claim_file)
    # Live-chat attachments: the same capability links, with their own prefix and signing key.
    chat_files = CustomerFilesRoute(
        files, secret=_settings.secret_key, read_file=read_chat_file, kind=CHAT
    )
    # Claims handlers' files: console session cookie with the claims role, audited per read.
    secure = _settings.public_url.startswith("https://")
    handler_files = HandlerFilesRoute(chat_files, read_file=read_handler_file, secure=secure)
    # Their previews (photo thumbnails, first PDF page): same checks, audited too.
    handler_files = HandlerFilesRoute(
        handler_files, read_file=read_handler_preview, prefix=PREVIEW_PREFIX, secure=secure
    )
    # The agent holding a chat opens its attachments: console cookie, agent role, audited.
    agent_files = HandlerFilesRoute(
        handler_files, read_file=read_agent_chat_file, prefix=AGENT_CHAT_PREFIX, secure=secure
    )
    # Their previews in the console (photo thumbnail, first PDF page): same checks, audited.
    agent_files = HandlerFilesRoute(
        agent_files,
        read_file=read_agent_chat_preview,
        prefix=AGENT_CHAT_PREVIEW_PREFIX,
        secure=secure,
    )
    export = ClaimsExportRoute(agent_files, api_key=_settings.claims_api_key, load=export_documents)
    # Supervisor tables as CSV: console cookie, supervisor/admin role, audited per download.
    reports = SupervisorExportRoute(export, read=read_supervisor_csv, secure=secure)
    # The console session cookie is written and cleared only here (HttpOnly).
    console: ASGIApp = ConsoleSessionRoute(
        reports,
        sign_in=console_sign_in,
        sign_out=console_sign_out,
        own_origin=_settings.own_origin,
        secure=secure,
        passwords=_settings.local_passwords,
    )
    # Employees' single sign-on with the bank's identity provider, when configured.
    if _settings.oidc is not None:
        console = OidcRoute(
            console,
            client=OidcClient(_settings.oidc),
            complete=console_sso_sign_in,
            end_sessions=console_sso_logout,
            secret=_settings.secret_key,
            secure=secure,
        )
    secured = SecurityHeaders(
        console,
        frame_ancestors=(_settings.own_origin, *_settings.allowed_origins),
        own_origin=_settings.own_origin,
        socket_origins=_settings.socket_origins,
        # A whole batch of files plus multipart overhead; each file is checked again on arrival.
        # Live-chat attachments come one at a time.
        max_upload_body=max(
            _settings.upload_max_bytes * _settings.upload_max_files,
            _settings.chat_upload_max_bytes,
        )
        + 1024 * 1024,
    )
    # Health, readiness and metrics; outermost, the client address behind the proxy.
    return operations.observed(secured, _settings)


app = rx.App(
    theme=None,
    stylesheets=[routes.STYLESHEET],
    head_components=[rx.el.script(src=routes.BRIDGE_SCRIPT)],
    html_lang="fr",
    # No toast library (sonner): the widget and consoles show their own translated notices.
    toaster=None,
    backend_exception_handler=log_backend_exception,
    api_transformer=_secure,
)
# Reflex's connection overlay (an English "Cannot connect to server…" toast and a pulsing
# icon) goes: the widget and the console show their own translated status region
# (ui/connection.py, driven by assets/widget-bridge.js) and resume by themselves.
app.app_wraps.pop((5, "Overlay"), None)
app.add_page(
    widget_page,
    route=routes.WIDGET,
    title=page_title(WidgetState.tr, "widget.title"),
    on_load=[WidgetState.boot, LiveChatState.resume],
)
# The widget's channel views, each in its own module loaded on demand (ui/components/lazy_view).
for _view, _page in VIEW_PAGES.items():
    app.add_page(_page, route=LAZY_ROUTES[_view], title=page_title(WidgetState.tr, "widget.title"))
# Page titles say what the page's heading says, in its language: the widget's (its frame's
# document, which screen readers announce) and the consoles' tabs.
app.add_page(
    login_page,
    route=routes.AGENT_LOGIN,
    title=page_title(AgentState.tr, "agent.login_title"),
    on_load=AgentState.on_login_page,
)
app.add_page(
    console_page,
    route=routes.AGENT,
    title=page_title(AgentState.tr, "agent.title"),
    on_load=AgentState.on_console_page,
)
app.add_page(
    claims_page,
    route=CLAIMS_ROUTE,
    title=page_title(ClaimsConsoleState.tr, "claims.title"),
    on_load=ClaimsConsoleState.on_claims_page,
)
app.add_page(
    meetings_page,
    route="/agent/meetings",
    title=page_title(MeetingsConsoleState.tr, "meetings.title"),
    on_load=MeetingsConsoleState.load_meetings,
)
app.add_page(
    supervisor_page,
    route=SUPERVISOR_ROUTE,
    title=page_title(SupervisorState.tr, "supervisor.title"),
    on_load=SupervisorState.on_supervisor_page,
)
# A reconnecting tab gets its console state only under the session cookie that filled it.
app.add_middleware(
    ConsoleSessionBinding(
        (AgentState, ClaimsConsoleState, MeetingsConsoleState, SupervisorState, NavState),
        secure=_settings.public_url.startswith("https://"),
    )
)
_events = EventMetrics()
app.add_middleware(_events)
app.register_lifespan_task(operations.configure_logging)
app.register_lifespan_task(drain_on_signal(_events, _settings.drain_seconds))
app.register_lifespan_task(start_jobs)
app.register_lifespan_task(reconcile_sso_roles)
