"""Granian replaces a worker process that dies, under ``reflex run --env prod`` too.

Reflex 0.10.1 builds Granian's ``Server`` itself (``reflex.utils.exec.run_granian_backend_prod``)
and passes no ``respawn_failed_workers``; ``GRANIAN_RESPAWN_FAILED_WORKERS`` is read only by
Granian's command line, not by ``Server``. Without it, one worker killed outright makes
Granian stop the others and exit (issue #19: the whole server gone within 1.5 s). Reflex
looks ``granian.server.Server`` up when it starts the backend, so a subclass whose default is
to respawn, installed from ``rxconfig.py`` before that, is enough. Granian's own crash-loop
guard (a worker dying again within 5.5 s of its respawn stops the server) still applies.

``scripts/serve`` (``chat_widget.ops.worker``) builds its Granian itself with the same
setting, and restarts a whole worker process when Granian exits anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chat_widget.settings import environ


def respawn_wanted(env: Mapping[str, str] | None = None) -> bool:
    """``GRANIAN_RESPAWN_FAILED_WORKERS``, on unless set to a false value."""
    raw = (environ() if env is None else env).get("GRANIAN_RESPAWN_FAILED_WORKERS")
    return raw is None or raw.strip().lower() in {"1", "true", "yes", "on"}


def install() -> bool:
    """Make ``granian.server.Server`` respawn failed workers by default; True if it does."""
    if not respawn_wanted():
        return False
    try:
        import granian.server as granian_server
    except ImportError:  # no Granian (uvicorn backend): nothing to do
        return False
    base: Any = granian_server.Server
    if getattr(base, "respawns_by_default", False):
        return True

    class RespawningServer(base):  # type: ignore[misc,valid-type]
        respawns_by_default = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("respawn_failed_workers", True)
            super().__init__(*args, **kwargs)

    granian_server.Server = RespawningServer  # type: ignore[misc]
    return True
