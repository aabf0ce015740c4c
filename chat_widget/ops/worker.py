"""One backend worker: Granian serving the Reflex app on one loopback port.

``python -m chat_widget.ops.worker --port 8101`` (``scripts/serve`` starts N of these).

Why one process per port rather than ``GRANIAN_WORKERS=N`` on one port: nginx then sees each
worker as its own upstream, so a rolling restart can take one worker out of rotation, let it
drain and put its replacement back once its ``/readyz`` says so, while the others keep
serving; and a worker that hangs or crashes is restarted on its own.

What it does, in order:

1. reads and validates the settings (a bad setting stops it here, not at the first customer);
2. refuses to start when the database schema is behind this code (exit 78, ``EX_CONFIG``):
   migrations are the deploy's job, once, never a worker's;
3. runs Granian with one worker process, bound to loopback only, serving the API, the
   websocket and the compiled pages (built once by ``reflex export``; the pages keep the app's
   security headers), with Granian's and the app's logs as JSON lines.

``GRANIAN_RESPAWN_FAILED_WORKERS`` (default on) lets Granian replace its worker process if it
dies; if Granian itself exits, the supervisor (``scripts/serve``) starts this again.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys

from chat_widget.observability import logs
from chat_widget.settings import SettingsError, environ, get_settings

log = logging.getLogger("chat_widget.ops.worker")

EX_CONFIG = 78
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def schema_is_current(url: str) -> bool:
    """False when the database is reachable and behind; True when current or unreachable (the
    worker then starts, says so on /readyz, and checks again at first use)."""
    from sqlalchemy.exc import OperationalError

    from chat_widget.adapters.db import make_engine
    from chat_widget.adapters.migrate import SchemaBehind, check

    engine = make_engine(url)
    try:
        check(engine)
    except SchemaBehind as exc:
        log.error("refusing to serve: %s", exc)
        return False
    except OperationalError as exc:
        log.warning(
            "database unreachable at start-up; /readyz reports it until it answers",
            extra={"error": type(exc).__name__},
        )
    finally:
        engine.dispose()
    return True


def _flag(name: str, default: bool) -> bool:
    raw = environ().get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def serve(host: str, port: int) -> None:
    """Granian as Reflex's ``run_granian_backend_prod`` sets it up, plus the compiled pages
    (``REFLEX_MOUNT_FRONTEND_COMPILED_APP``), a drain timeout and our log format."""
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server as Granian
    from reflex.utils import exec as reflex_exec
    from reflex_base import constants
    from reflex_base.environment import environment

    settings = get_settings()
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    granian = Granian(
        target=reflex_exec.get_app_instance_from_file(),
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=1,
        log_level=LogLevels(settings.log_level.lower()),
        log_dictconfig=logs.granian_dictconfig(settings.log_level, settings.log_format),
        respawn_failed_workers=_flag("GRANIAN_RESPAWN_FAILED_WORKERS", True),
        # The app finishes its events within CW_DRAIN_SECONDS; then Granian stops waiting.
        workers_kill_timeout=int(settings.drain_seconds) + 5,
        backlog=int(environ().get("GRANIAN_BACKLOG", "1024")),
    )
    granian.serve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chat_widget.ops.worker")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        sys.stderr.write(f"worker: {exc}\n")
        return EX_CONFIG
    logs.configure(level=settings.log_level, fmt=settings.log_format, static=logs.worker_label())
    if not is_loopback(args.host):
        log.error("workers bind to loopback only (nginx is the public side), not %s", args.host)
        return EX_CONFIG
    if settings.migrate_on_start == "check" and not schema_is_current(settings.database_url):
        return EX_CONFIG
    log.info("worker starting", extra={"port": args.port})
    serve(args.host, args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
