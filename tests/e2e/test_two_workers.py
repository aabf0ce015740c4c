"""Scale-out for real: two worker processes sharing PostgreSQL and Redis; the customer talks to
worker A, the employee to worker B, the chat is routed to her automatically, and messages cross
between them both ways."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import psutil
import pytest
from playwright.sync_api import Browser, Frame, Page, expect
from sqlmodel import Session, select

from chat_widget.adapters.db import make_engine
from chat_widget.devtools import demo_host
from chat_widget.domain.clock import as_aware
from chat_widget.domain.models import Message
from tests.conftest import REDIS_TEST_URL, need_service, postgres_database
from tests.e2e.conftest import WidgetServer, run_cli, start_widget_server, stop_widget_server
from tests.e2e.test_live_chat import (
    PASSWORD,
    agent_login,
    customer_send,
    customer_start_chat,
    new_context,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

#: Commit on one worker to text on the other worker's page. The old 0.8 s poll alone could
#: take most of it; the bus takes milliseconds (the rest is state update and rendering).
LATENCY_BOUND = 0.5


@pytest.fixture(scope="module")
def two_workers() -> Iterator[tuple[WidgetServer, WidgetServer]]:
    need_service("PostgreSQL", "127.0.0.1", 5432)
    need_service("Redis", "127.0.0.1", 6379)
    with postgres_database() as url:
        # One Granian worker per server, as scripts/serve runs them (one process per port):
        # Reflex's default with Redis is 2 x cores + 1 each, ten processes loading the app.
        shared = {
            "CW_DATABASE_URL": url,
            "REDIS_URL": REDIS_TEST_URL.rsplit("/", 1)[0] + "/5",
            "GRANIAN_WORKERS": "1",
        }
        a = start_widget_server(shared)
        b = start_widget_server(shared)
        env = {**a.env, "CW_DEMO_PASSWORD": PASSWORD}
        run_cli(env, "chat_widget.adapters.migrate", "upgrade")
        run_cli(env, "chat_widget.agents", "--database-url", url, "seed-demo")
        host = demo_host.serve(a.host_port, a.origin)
        # Each worker loads the assistant's model after it answers HTTP; a worker busy with that
        # can starve its event loop for seconds on a loaded machine. The latency is measured after.
        wait_settled(a.process.pid, b.process.pid)
        yield a, b
        host.shutdown()
        stop_widget_server(a)
        stop_widget_server(b)


def wait_settled(*pids: int, limit: float = 240, busy: float = 0.3) -> None:
    """Until the servers' processes used less than ``busy`` of a core for 9 s (or ``limit``):
    both servers at once, so their quiet seconds are counted once."""
    roots, started = [psutil.Process(pid) for pid in pids], time.monotonic()

    def cpu() -> float:
        total = 0.0
        for proc in [*roots, *(c for root in roots for c in root.children(recursive=True))]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    quiet = 0
    while time.monotonic() - started < limit and quiet < 3:  # quiet for 9 s in a row
        before = cpu()
        time.sleep(3)
        quiet = quiet + 1 if (cpu() - before) / 3 < busy else 0


def watch_for(target: Page | Frame, selector: str, text: str) -> None:
    """Record (``Date.now()``) when ``text`` first shows in ``selector``."""
    target.evaluate(
        """([selector, text]) => {
            window.__cwSeen = window.__cwSeen || {};
            const look = () => {
                const el = document.querySelector(selector);
                if (el && el.innerText.includes(text) && !window.__cwSeen[text]) {
                    window.__cwSeen[text] = Date.now();
                }
            };
            new MutationObserver(look).observe(document.body, {
                subtree: true, childList: true, characterData: true,
            });
        }""",
        [selector, text],
    )


def seen_after_commit(target: Page | Frame, database_url: str, body: str) -> float:
    """Seconds from the message's commit (its created_at) to its text on the page."""
    seen_ms = target.evaluate("(text) => window.__cwSeen[text]", body)
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            message = s.exec(select(Message).where(Message.body == body)).one()
    finally:
        engine.dispose()
    return seen_ms / 1000 - as_aware(message.created_at).timestamp()


def test_customer_on_worker_a_and_agent_on_worker_b(
    browser: Browser, two_workers: tuple[WidgetServer, WidgetServer]
) -> None:
    worker_a, worker_b = two_workers
    assert worker_a.process.pid != worker_b.process.pid
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, worker_b)
        assert agent.url.startswith(worker_b.origin)
        customer = customer_ctx.new_page()
        frame = customer_start_chat(customer, worker_a, queued=False)
        assert frame.url.startswith(worker_a.origin)

        # Automatic routing (the default): the only available agent gets the chat without a
        # click, whichever worker runs the routing round; her console announces and opens it.
        expect(frame.locator(".cw-msg--system")).to_contain_text("Sophie a rejoint", timeout=10000)
        expect(agent.locator(".ag-assigned")).to_contain_text(
            "Nouvelle conversation qui vous est attribuée (FR, Cartes)", timeout=10000
        )
        expect(agent.get_by_label("Votre réponse")).to_be_visible(timeout=10000)
        expect(agent.get_by_role("row").filter(has_text="Cartes")).to_have_count(0)

        # Pushed across workers (Redis pub/sub), not polled: from the commit on one worker
        # (the message's created_at) to the text in the other worker's page (a mutation
        # observer's clock; same machine, same clock), each way.
        url = worker_a.env["CW_DATABASE_URL"]
        watch_for(agent, ".ag-log", "Question depuis le worker A")
        customer_send(frame, "Question depuis le worker A")
        expect(agent.locator(".ag-log")).to_contain_text(
            "Question depuis le worker A", timeout=10000
        )
        to_agent = seen_after_commit(agent, url, "Question depuis le worker A")
        box = agent.get_by_label("Votre réponse")
        watch_for(frame, ".cw-log", "Réponse depuis le worker B")
        box.fill("Réponse depuis le worker B")
        box.press("Enter")
        expect(frame.locator(".cw-log")).to_contain_text(
            "Réponse depuis le worker B", timeout=10000
        )
        to_customer = seen_after_commit(frame, url, "Réponse depuis le worker B")
        assert 0 <= to_agent < LATENCY_BOUND, f"customer → agent across workers: {to_agent:.3f} s"
        assert 0 <= to_customer < LATENCY_BOUND, (
            f"agent → customer across workers: {to_customer:.3f} s"
        )
        texts = [t.strip() for t in frame.locator(".cw-msg-text").all_inner_texts()]
        assert texts.count("Question depuis le worker A") == 1
        assert texts.count("Réponse depuis le worker B") == 1
        assert re.search("worker A", " ".join(texts))
    finally:
        customer_ctx.close()
        agent_ctx.close()
