"""A state var's value as stored, for reading only.

Reflex wraps every mutable var read through a state, and every item read from it, in a fresh
change-tracking proxy: reading is slow, and a proxy is never the object that was stored, so
"did this change?" by identity is always yes (an assignment then pushes the var to the
browser again). Readers that change nothing in place use the stored value instead; changes
are made by building a new value and assigning it."""

from __future__ import annotations

from typing import Any

from reflex.istate.proxy import StateProxy
from reflex.state import BaseState


def stored(state: BaseState, name: str) -> Any:
    """``name``'s value as the state holds it: never a proxy."""
    inner = state.__wrapped__ if isinstance(state, StateProxy) else state
    value = inner.__dict__.get(name)
    if value is None:  # never assigned yet, or held by another class of the tree
        value = getattr(inner, name)
        value = getattr(value, "__wrapped__", value)
    return value
