"""A form the browser submits itself (a real POST and page load), without Reflex's handler.

Reflex's ``rx.el.form`` always prevents the browser's submission and turns it into an event
over the websocket. Signing in and out must not go that way: only a plain HTTP response can
set or clear the HttpOnly session cookie, and it must work even while the socket is down.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.components.component import field
from reflex_base.vars.base import Var
from reflex_components_core.el.elements.base import BaseHTML


class NativeForm(BaseHTML):
    tag = "form"

    action: Var[str] = field(doc="Where the browser posts the form")
    method: Var[str] = field(doc="post")


def native_form(*children: Any, action: str, **props: Any) -> rx.Component:
    return NativeForm.create(*children, action=action, method="post", **props)
