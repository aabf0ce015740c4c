"""Scale-out mode for real: Reflex's Redis state manager and PostgreSQL, started by the test."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from chat_widget.devtools import demo_host
from tests.conftest import REDIS_TEST_URL, need_service, postgres_database
from tests.e2e.conftest import WidgetServer, open_widget, start_widget_server, stop_widget_server

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def scaled_server() -> Iterator[WidgetServer]:
    need_service("PostgreSQL", "127.0.0.1", 5432)
    need_service("Redis", "127.0.0.1", 6379)
    with postgres_database() as url:
        # Two workers share the state in Redis (Reflex's default would be 2 x cores + 1).
        server = start_widget_server(
            {"CW_DATABASE_URL": url, "REDIS_URL": REDIS_TEST_URL, "GRANIAN_WORKERS": "2"}
        )
        host = demo_host.serve(server.host_port, server.origin)
        yield server
        host.shutdown()
        stop_widget_server(server)


def test_widget_runs_on_redis_state_and_postgres(page: Page, scaled_server: WidgetServer) -> None:
    frame = open_widget(page, scaled_server)
    frame.get_by_role("button", name=re.compile("Assistant digital")).click()
    box = frame.get_by_label("Votre message")
    box.fill("j'ai perdu ma carte bancaire")
    box.press("Enter")
    expect(frame.locator(".cw-msg--other")).to_have_count(1, timeout=60000)
    assert "078 170 170" in frame.locator(".cw-msg--other").inner_text()
    # A reload opens a new websocket with a new Reflex state in Redis; the conversation comes
    # back from PostgreSQL through the widget session kept by the host page.
    page.reload()
    frame = open_widget(page, scaled_server)
    frame.get_by_role("button", name=re.compile("Assistant digital")).click()
    expect(frame.locator(".cw-msg")).to_have_count(2)
