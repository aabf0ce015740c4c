"""Granian replaces dead workers under ``reflex run --env prod`` (chat_widget/ops/respawn.py)."""

from __future__ import annotations

import inspect

import granian.server

from chat_widget.ops import respawn


def test_respawn_is_on_unless_switched_off() -> None:
    assert respawn.respawn_wanted({})
    assert respawn.respawn_wanted({"GRANIAN_RESPAWN_FAILED_WORKERS": "true"})
    assert not respawn.respawn_wanted({"GRANIAN_RESPAWN_FAILED_WORKERS": "0"})
    assert not respawn.respawn_wanted({"GRANIAN_RESPAWN_FAILED_WORKERS": "false"})


def test_the_server_reflex_builds_respawns_by_default() -> None:
    # What Reflex 0.10.1 relies on: it looks Server up at start-up and passes no respawn flag.
    from reflex.utils import exec as reflex_exec

    source = inspect.getsource(reflex_exec.run_granian_backend_prod)
    assert "from granian.server import Server" in source
    assert "respawn_failed_workers" not in source
    assert respawn.install()
    server = granian.server.Server(target="chat_widget.chat_widget:app", workers=2)
    assert server.respawn_failed_workers is True
    explicit = granian.server.Server(target="x:y", respawn_failed_workers=False)
    assert explicit.respawn_failed_workers is False
    assert respawn.install()  # installing twice changes nothing
    assert granian.server.Server.__mro__[1].__name__ != "RespawningServer"
