"""A long chat does not travel whole at every message (issue #14, "lean state").

Reflex pushes a state var whole when it is assigned; the transcript is held in parts
(``ui/transcript_parts.py``) so that a message re-sends only the part it falls in. Over the
websocket protocol (the deltas the browser receives): after 40 messages, the next message
reaches both the customer and the agent in deltas of at most ``PART_SIZE`` messages, and the
views still show every message once, in order.
"""

from __future__ import annotations

import string

import pytest

from chat_widget.ui.transcript_parts import PART_SIZE
from tests.e2e.conftest import WidgetServer
from tests.e2e.protocol_tab import AGENT, LIVE
from tests.e2e.test_chaos import _chatting, _run
from tests.e2e.test_chaos import sqlite_server as sqlite_server  # the chaos test's server

pytestmark = pytest.mark.e2e

#: Words, not numbers: the privacy guard rightly stops digit runs that look like codes.
TEXTS = [f"Question {a}{b}" for b in "xy" for a in string.ascii_lowercase][:40]


def test_a_long_chat_pushes_only_its_newest_part(sqlite_server: WidgetServer) -> None:
    server = sqlite_server

    async def scenario() -> None:
        customer, agent, _ = await _chatting(server)
        try:
            for text in TEXTS:
                await customer.submit(f"{LIVE}.send", "live", text)
            for tab, path in ((customer, LIVE), (agent, AGENT)):
                assert await tab.wait(lambda t=tab, p=path: TEXTS[-1] in t.texts(p), 60), path
            seen = {"customer": len(customer.pushed), "agent": len(agent.pushed)}
            await customer.submit(f"{LIVE}.send", "live", "Merci, ce sera tout")
            for tab, path in ((customer, LIVE), (agent, AGENT)):
                assert await tab.wait(
                    lambda t=tab, p=path: "Merci, ce sera tout" in t.texts(p), 30
                ), path
            for name, tab, path in (("customer", customer, LIVE), ("agent", agent, AGENT)):
                shown = tab.texts(path)
                # Every message once, in the order sent, and the whole chat is long.
                assert [t for t in shown if t in TEXTS] == TEXTS, name
                assert len(shown) > 2 * PART_SIZE, name
                carried = [n for p, n in tab.pushed[seen[name] :] if p == path]
                assert carried, name
                assert max(carried) <= PART_SIZE, (name, carried)
        finally:
            await customer.stop()
            await agent.stop()

    _run(scenario())
