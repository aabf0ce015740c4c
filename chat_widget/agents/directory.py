"""Employees as the bank's identity provider describes them: record, roles, sessions.

Why roles are never edited here: joiners, movers and leavers are handled in the provider
(Entra ID groups or app roles), so the console must not keep a second list that drifts. On
every sign-in the employee's groups are read again from the ID token, stored, and mapped to
roles with the configured :class:`RoleMap`; at start-up (:func:`reconcile_roles`) every stored
employee is mapped again, so a group taken out of the map closes the console to its members at
their next request (each page and event re-checks ``Agent.roles``). An employee whose token no
longer grants any role is refused and all their open console sessions end.

The record (name, languages) is created on the first sign-in and kept in sync; capacity stays
the bank's local setting. No password is ever stored for such an employee.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from chat_widget.agents.accounts import SUPPORTED_LANGUAGES, normalize_username
from chat_widget.agents.console import landing_page, opens_a_page
from chat_widget.agents.records import Agent, AgentSession, Role
from chat_widget.agents.sessions import create_agent_session, revoke_all_agent_sessions
from chat_widget.domain.clock import utcnow

#: The order roles are stored in (stable, so a re-sign-in with the same groups changes nothing).
_ROLE_ORDER = [r.value for r in Role]


@dataclass(frozen=True)
class RoleMap:
    """Group or app-role value → console roles, and → languages served."""

    roles: tuple[tuple[str, str], ...] = ()
    languages: tuple[tuple[str, str], ...] = ()
    default_languages: tuple[str, ...] = ("fr",)

    def roles_for(self, groups: Iterable[str]) -> list[str]:
        held = set(groups)
        granted = {role for group, role in self.roles if group in held}
        return [r for r in _ROLE_ORDER if r in granted]

    def languages_for(self, groups: Iterable[str]) -> list[str]:
        held = set(groups)
        granted = {lang for group, lang in self.languages if group in held}
        return [lang for lang in SUPPORTED_LANGUAGES if lang in granted]


@dataclass(frozen=True)
class Employee:
    """What a validated ID token says about the employee (see adapters.oidc)."""

    issuer: str
    subject: str
    username: str
    display_name: str
    first_name: str = ""
    groups: tuple[str, ...] = ()
    session_id: str | None = None
    # The token said the groups did not fit (Entra's "overage"): they could not be read.
    groups_overage: bool = False

    @property
    def key(self) -> str:
        return subject_key(self.issuer, self.subject)


def subject_key(issuer: str, subject: str) -> str:
    """``sub`` is unique per issuer only: the pair identifies the employee."""
    return f"{issuer}|{subject}"[:300]


@dataclass(frozen=True)
class SsoOutcome:
    """``token``/``landing`` on success; otherwise ``refusal``: ``norole`` or ``overage``."""

    token: str | None
    landing: str = ""
    refusal: str = ""
    agent_id: str = ""
    roles: list[str] = field(default_factory=list)


def sign_in_employee(
    *,
    session: Session,
    employee: Employee,
    role_map: RoleMap,
    asked: str = "",
    now: datetime | None = None,
) -> SsoOutcome:
    """Create or update the employee from the token, then open a console session if the
    groups grant a role that opens a console page. Commits nothing itself."""
    roles = role_map.roles_for(employee.groups)
    agent = _sync(session, employee, roles, role_map)
    if not opens_a_page(roles):
        # Access was taken away in the provider: whatever sessions they still hold end now.
        revoke_all_agent_sessions(session=session, agent_id=agent.id, now=now)
        refusal = "overage" if employee.groups_overage and not roles else "norole"
        return SsoOutcome(None, refusal=refusal, agent_id=agent.id, roles=roles)
    token = create_agent_session(session=session, agent=agent, now=now, idp_sid=employee.session_id)
    return SsoOutcome(token, landing_page(roles, asked), agent_id=agent.id, roles=roles)


def _sync(session: Session, employee: Employee, roles: list[str], role_map: RoleMap) -> Agent:
    agent = session.exec(select(Agent).where(Agent.idp_subject == employee.key)).first()
    display = (employee.display_name or employee.username or "—").strip()[:128]
    first = (employee.first_name or display.split(" ")[0]).strip()[:64]
    languages = role_map.languages_for(employee.groups)
    if agent is None:
        agent = Agent(
            username=_free_username(session, employee),
            display_name=display,
            first_name=first,
            password_hash=None,
            roles=roles,
            languages=languages or list(role_map.default_languages),
            idp_subject=employee.key,
            idp_groups=list(employee.groups),
        )
    else:
        agent.display_name, agent.first_name = display, first
        agent.roles = roles
        agent.idp_groups = list(employee.groups)
        if languages:
            agent.languages = languages
        # An SSO employee never signs in with a password, even one set by mistake earlier.
        agent.password_hash = None
    session.add(agent)
    session.flush()
    return agent


def _free_username(session: Session, employee: Employee) -> str:
    """The provider's user name, unless a local account already has it: never merged with
    one (whoever made the local account would otherwise choose who it becomes)."""
    wanted = normalize_username(employee.username or employee.subject)[:64] or "employee"
    taken = session.exec(select(Agent).where(Agent.username == wanted)).first()
    if taken is None:
        return wanted
    suffix = hashlib.sha256(employee.key.encode()).hexdigest()[:8]
    return f"{wanted[:55]}~{suffix}"


def reconcile_roles(*, session: Session, role_map: RoleMap, now: datetime | None = None) -> int:
    """Map every provider employee's stored groups again (the map may have changed since the
    last start). Employees left without any role lose their sessions. Returns records changed."""
    changed = 0
    rows = session.exec(select(Agent).where(col(Agent.idp_subject).is_not(None))).all()
    for agent in rows:
        roles = role_map.roles_for(agent.idp_groups)
        if roles == list(agent.roles):
            continue
        agent.roles = roles
        session.add(agent)
        changed += 1
        if not roles:
            revoke_all_agent_sessions(session=session, agent_id=agent.id, now=now)
    session.flush()
    return changed


def end_provider_sessions(
    *,
    session: Session,
    issuer: str,
    subject: str | None = None,
    sid: str | None = None,
    now: datetime | None = None,
) -> int:
    """Front- or back-channel logout: end the console sessions opened under the provider's
    session ``sid``, or every session of ``subject`` when no sid is given."""
    stamp = now or utcnow()
    query = select(AgentSession).where(col(AgentSession.revoked_at).is_(None))
    if sid:
        query = query.where(AgentSession.idp_sid == sid[:200])
    if subject:
        agent = session.exec(
            select(Agent).where(Agent.idp_subject == subject_key(issuer, subject))
        ).first()
        if agent is None:
            return 0
        query = query.where(AgentSession.agent_id == agent.id)
    if not sid and not subject:
        return 0
    rows = session.exec(query).all()
    for row in rows:
        row.revoked_at = stamp
        session.add(row)
    session.flush()
    return len(rows)


def employee_from_claims(claims: Mapping[str, Any], role_claims: Sequence[str]) -> Employee:
    """The employee a validated ID token describes; groups/app roles from ``role_claims``."""
    groups: list[str] = []
    for name in role_claims:
        value = claims.get(name)
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            groups.extend(str(v) for v in value if isinstance(v, str | int))
    claim_names = claims.get("_claim_names")
    overage = (isinstance(claim_names, dict) and "groups" in claim_names) or claims.get(
        "hasgroups"
    ) is True
    username = next(
        (
            str(claims[k])
            for k in ("preferred_username", "upn", "email")
            if isinstance(claims.get(k), str) and claims[k]
        ),
        str(claims["sub"]),
    )
    sid = claims.get("sid")
    return Employee(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        username=username,
        display_name=str(claims.get("name") or username),
        first_name=str(claims.get("given_name") or ""),
        groups=tuple(dict.fromkeys(groups)),
        session_id=sid if isinstance(sid, str) and sid else None,
        groups_overage=overage,
    )
