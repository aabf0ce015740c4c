"""Channel views loaded on demand, so the widget's first open downloads only the home view.

Why this shape: Reflex compiles a page into one module, and react-router loads each route's
module lazily. The heavy channel views (live chat, myBo with its upload library, video) are
therefore compiled as their own small routes under ``/cwview/…`` and the widget page renders
them through a dynamic ``import()`` of that route module (Reflex's ``NoSSRComponent``). They
share the page's state and event loop (same modules), so nothing else changes for them.

The same modules are prefetched a few seconds after the widget opened, when the browser is
idle, so a customer who picks a channel does not wait for it.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.components.component import NoSSRComponent

#: view → route of its on-demand module (added as pages by chat_widget.chat_widget).
LAZY_ROUTES: dict[str, str] = {
    "live_chat": "/cwview/live_chat",
    "claim": "/cwview/claim",
    "video": "/cwview/video",
}
#: Seconds after the widget opened before the other views are fetched (first open stays lean).
PREFETCH_AFTER_SECONDS = 3


def route_module(route: str) -> str:
    """The compiled module of a route: ``/cwview/claim`` → ``$/app/routes/[cwview].[claim]._index.jsx``."""
    parts = ".".join(f"[{part}]" for part in route.strip("/").split("/"))
    return f"$/app/routes/{parts}._index.jsx"


def _component_class(view: str) -> type[NoSSRComponent]:
    name = "".join(part.title() for part in view.split("_")) + "LazyView"
    return type(
        name,
        (NoSSRComponent,),
        {
            "__module__": __name__,
            "library": route_module(LAZY_ROUTES[view]),
            "tag": name,
            "is_default": True,
        },
    )


_CLASSES = {view: _component_class(view) for view in LAZY_ROUTES}


def lazy_view(view: str) -> rx.Component:
    """The channel view ``view``, loaded from its own module the first time it is shown."""
    return _CLASSES[view].create()


class PrefetchViews(rx.Fragment):
    """Fetches the on-demand views once the widget is idle (renders nothing)."""

    def add_imports(self) -> dict[str, str]:
        return {"react": "useEffect"}

    def add_hooks(self) -> list[str | rx.Var]:
        imports = ", ".join(f"import({json.dumps(route_module(r))})" for r in LAZY_ROUTES.values())
        delay = PREFETCH_AFTER_SECONDS * 1000
        return [
            "useEffect(() => { const idle = window.requestIdleCallback || ((f) => setTimeout(f, 1));"
            f" const t = setTimeout(() => idle(() => Promise.all([{imports}]).catch(() => null),"
            f" {{timeout: 2000}}), {delay}); return () => clearTimeout(t); }}, []);"
        ]


def prefetch_views() -> rx.Component:
    return PrefetchViews.create()
