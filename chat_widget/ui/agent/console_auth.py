"""The console's sign-in, sign-out and file routes, for the HTTP endpoints (``web``): each
runs its use case (``agents``, ``agents.directory``, ``live_chat.attachments``) in a worker
thread. The console session is checked on every request."""

from __future__ import annotations

import logging

from sqlmodel import Session

from chat_widget import agents
from chat_widget.adapters.oidc import LogoutRequest
from chat_widget.agents import directory
from chat_widget.agents.directory import Employee, RoleMap
from chat_widget.ui import runtime
from chat_widget.ui.agent.chat_previews import open_agent_chat_file
from chat_widget.web import console_session, oidc
from chat_widget.web.asgi import ServedFile

log = logging.getLogger(__name__)


async def read_agent_chat_file(token: str, file_id: str) -> ServedFile | None:
    """For the console's file route: the attachment if the session's agent holds its chat.

    The console session is checked (and its role) on every request; the read is audited."""

    def work(session: Session) -> ServedFile | None:
        found = open_agent_chat_file(session, token, file_id)
        if found is None:
            return None
        return ServedFile(found.data, found.meta.content_type, found.meta.original_name)

    return await runtime.run_db(work)


async def console_sign_in(
    username: str, password: str, client: str, asked: str
) -> console_session.SignedIn | console_session.Refused:
    """For the login endpoint: the use case, in a worker thread."""
    production = runtime.settings().is_production
    result = await runtime.run_db(
        lambda s: agents.sign_in(
            session=s,
            username=username,
            password=password,
            client=client,
            asked=asked,
            production=production,
        )
    )
    if result.token is None:
        return console_session.Refused(result.retry_after)
    return console_session.SignedIn(result.token, result.landing)


async def console_sign_out(token: str) -> None:
    await runtime.run_db(lambda s: agents.revoke_agent_session(session=s, token=token))


def sso_role_map() -> RoleMap:
    """The configured group → role/language map (empty without single sign-on)."""
    settings = runtime.settings()
    if settings.oidc is None:
        return RoleMap()
    return RoleMap(
        settings.oidc.role_map,
        settings.oidc.language_map,
        default_languages=(settings.default_locale,),
    )


async def console_sso_sign_in(employee: Employee, asked: str) -> oidc.SsoSignedIn | oidc.SsoRefused:
    """For the single sign-on callback: the validated employee in, a console session out."""
    role_map = sso_role_map()
    result = await runtime.run_db(
        lambda s: directory.sign_in_employee(
            session=s, employee=employee, role_map=role_map, asked=asked
        )
    )
    if result.token is None:
        return oidc.SsoRefused(result.refusal)
    return oidc.SsoSignedIn(result.token, result.landing)


async def console_sso_logout(request: LogoutRequest) -> int:
    """The identity provider ended the employee's session there: end it here too."""
    return await runtime.run_db(
        lambda s: directory.end_provider_sessions(
            session=s, issuer=request.issuer, subject=request.subject, sid=request.sid
        )
    )


async def reconcile_sso_roles() -> None:
    """Lifespan task: map every provider employee's stored groups with this start's map, so a
    group taken out of CW_OIDC_ROLE_MAP closes the console at its members' next request."""
    if runtime.settings().oidc is None:
        return
    role_map = sso_role_map()
    changed = await runtime.run_db(
        lambda s: directory.reconcile_roles(session=s, role_map=role_map)
    )
    if changed:
        log.info("single sign-on: roles of %d employee(s) changed with the role map", changed)


def sso_start_url(next_page: str) -> str:
    page = console_session.safe_next(next_page)
    return f"{oidc.LOGIN_PATH}?next={page}" if page else oidc.LOGIN_PATH
