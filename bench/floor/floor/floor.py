"""The framework's own floor for ``bench/chat_load.py --floor``: one state var, one trivial
event that sets it. The same clients at the same rate measure what Reflex itself costs (a
websocket event in, a state delta out) on this machine at this moment, so the chat's figures
can be read as a ratio to it."""

import reflex as rx


class FloorState(rx.State):
    last: str = ""

    @rx.event
    def bump(self, value: str) -> None:
        self.last = value


def index() -> rx.Component:
    return rx.el.div(FloorState.last)


app = rx.App()
app.add_page(index, route="/")
