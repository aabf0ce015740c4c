"""What a state keeps out of its pickle in Redis (scale-out mode).

Reflex 0.10 pickles a state's cached computed vars with its fields (``ComputedVar.__get__``
marks the state touched "so the computed var gets serialized to redis"). The ``tr`` var is
the whole catalog of a language, about 1,000 strings: measured under
``bench/chat_load.py --mode redis``, 28.1 of the 28.7 kB of every customer's ``WidgetState``
and of the 34.7 kB of every agent's ``AgentState``. Each event loads (unpickles) and saves
(pickles) those states, so the catalog cost every message its unpickling and pickling on
both sides. It is recomputed from ``locale`` in microseconds (``i18n.catalog`` is cached per
language) the first time a loaded state reads it, so it need not travel.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

#: Computed vars whose cached value is cheap to recompute and large to pickle.
RECOMPUTED = ("tr",)


def without_recomputed(state_cls: type[rx.State], fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` (what ``BaseState.__getstate__`` returns: the instance's own dict) without the
    cached values of ``RECOMPUTED``; a copy only when there is one to leave out."""
    computed = state_cls.computed_vars
    drop = {computed[name]._cache_attr for name in RECOMPUTED if name in computed}
    if drop.isdisjoint(fields):
        return fields
    return {key: value for key, value in fields.items() if key not in drop}
