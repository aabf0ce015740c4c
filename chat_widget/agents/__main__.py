"""Employee accounts from the command line.

    python -m chat_widget.agents create --username u --name "First Last" --role agent \
        --languages fr,nl [--capacity 3] [--password-stdin]
    python -m chat_widget.agents seed-demo
    python -m chat_widget.agents sign-out --username u

The database is ``--database-url`` or ``$CW_DATABASE_URL`` (default ``sqlite:///chat_widget.db``).
``seed-demo`` takes the demo password from ``$CW_DEMO_PASSWORD`` or generates one per account and
prints it once. ``sign-out`` ends every console session of an employee at once (a leaver whose
account the identity provider has just disabled). ``create`` and ``seed-demo`` refuse to run in
production (``CW_ENV`` unset or ``production``): there
employees sign in with the bank's identity provider and their record is created on their first
sign-in; the console refuses local passwords.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from collections.abc import Sequence

from sqlmodel import SQLModel

from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.agents.accounts import create_agent, get_agent_by_username
from chat_widget.agents.records import Agent, AgentSession, LoginThrottle, Role
from chat_widget.agents.sessions import revoke_all_agent_sessions
from chat_widget.i18n import LOCALES
from chat_widget.settings import environ, environment_name

DEMO_ACCOUNTS = (
    # username, display name, roles, languages
    ("sophie", "Sophie Dubois", (Role.AGENT,), ("fr", "en")),
    ("pieter", "Pieter Janssens", (Role.AGENT,), ("nl", "en")),
    ("lena", "Lena Schmitz", (Role.AGENT,), ("de", "fr", "en")),
    ("marc", "Marc Claes", (Role.CLAIMS_HANDLER, Role.AGENT), ("fr", "nl")),
    ("admin", "Admin Demo", (Role.ADMIN, Role.AGENT), LOCALES),
    ("nadia", "Nadia Peeters", (Role.SUPERVISOR, Role.AGENT), ("nl", "fr", "en")),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chat_widget.agents")
    parser.add_argument(
        "--database-url",
        default=environ().get("CW_DATABASE_URL", "sqlite:///chat_widget.db"),
    )
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create one employee account")
    create.add_argument("--username", required=True)
    create.add_argument("--name", required=True, help='display name, e.g. "First Last"')
    create.add_argument("--role", action="append", choices=[r.value for r in Role], default=None)
    create.add_argument("--languages", default="fr", help="comma separated: fr,nl,en,de")
    create.add_argument("--capacity", type=int, default=3)
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    sub.add_parser("seed-demo", help="create the demo accounts (skips existing ones)")
    out = sub.add_parser("sign-out", help="end every console session of one employee now")
    out.add_argument("--username", required=True)
    return parser


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat: ") != first:
        raise ValueError("passwords differ")
    return first


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    engine = make_engine(args.database_url)
    SQLModel.metadata.create_all(
        engine,
        tables=[Agent.__table__, AgentSession.__table__, LoginThrottle.__table__],  # type: ignore[attr-defined]
    )
    try:
        if args.command == "sign-out":
            with session_scope(engine) as session:
                agent = get_agent_by_username(session=session, username=args.username)
                if agent is None:
                    print(f"error: no employee {args.username}", file=sys.stderr)
                    return 2
                ended = revoke_all_agent_sessions(session=session, agent_id=agent.id)
            print(f"signed out {agent.username}: {ended} console session(s) ended")
            return 0
        if environment_name() == "production":
            print(
                "error: local passwords are refused in production (CW_ENV is unset or "
                "production): employees sign in with the identity provider (CW_OIDC_*); set "
                "CW_ENV=development for a demo",
                file=sys.stderr,
            )
            return 2
        if args.command == "create":
            password = _read_password(args.password_stdin)
            with session_scope(engine) as session:
                agent = create_agent(
                    session=session,
                    username=args.username,
                    display_name=args.name,
                    password=password,
                    roles=args.role or [Role.AGENT.value],
                    languages=args.languages.split(","),
                    capacity=args.capacity,
                )
                print(f"created {agent.username} ({', '.join(agent.roles)}) id={agent.id}")
        elif args.command == "seed-demo":
            shared = environ().get("CW_DEMO_PASSWORD")
            with session_scope(engine) as session:
                for username, name, roles, languages in DEMO_ACCOUNTS:
                    if get_agent_by_username(session=session, username=username) is not None:
                        print(f"exists  {username}")
                        continue
                    password = shared or secrets.token_urlsafe(12)
                    create_agent(
                        session=session,
                        username=username,
                        display_name=name,
                        password=password,
                        roles=roles,
                        languages=languages,
                        demo=True,
                    )
                    shown = "(from CW_DEMO_PASSWORD)" if shared else password
                    print(f"created {username:8} roles={','.join(roles)} password={shown}")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
