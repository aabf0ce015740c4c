"""README screenshots of each channel at desktop (1280 px) and phone (375 px) size.

Run with ``CW_SCREENSHOTS=1 pytest tests/e2e/test_screenshots.py`` to refresh
docs/screenshots/*.png; without it the test still walks every view (so the walk stays true)
but writes nothing. Images are cut to the widget and reduced to a 64-colour palette so the
repository stays small.

The bank page is served same-site with the widget (widget.test on another port), as a bank
serving its widget from its own domain would: embedded cross-site, the browser's third-party
storage rules put a "storage blocked" notice in every picture, which no customer of such a
bank sees.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, Playwright, expect

from chat_widget.devtools import demo_host
from tests.e2e.conftest import (
    WidgetServer,
    graph_env,
    launch_args,
    open_widget,
    start_widget_server,
    stop_widget_server,
    widget_frame,
)
from tests.e2e.test_assistant import ask
from tests.fakes.fake_graph import FakeGraph

pytestmark = pytest.mark.e2e

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"desktop": (1280, 800), "phone": (375, 740)}
CHANNELS = {
    "assistant": "Assistant digital",
    "live_chat": "Chatter avec un collaborateur",
    "claim": "Déclarer un sinistre",
    "video": "Demander un rendez-vous",
}


def _save(page: Page, name: str, size: str) -> None:
    if os.environ.get("CW_SCREENSHOTS") != "1":
        return
    from PIL import Image

    box = widget_frame(page).frame_element().bounding_box()
    assert box is not None
    margin = 12 if size == "desktop" else 0
    clip = {
        "x": max(0, box["x"] - margin),
        "y": max(0, box["y"] - margin),
        "width": box["width"] + 2 * margin,
        "height": box["height"] + 2 * margin,
    }
    png = page.screenshot(clip=clip, animations="disabled")
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    OUT.mkdir(parents=True, exist_ok=True)
    image.save(OUT / f"{name}-{size}.png", optimize=True)


def _open_channel(frame: Frame, channel: str) -> None:
    frame.get_by_role("button", name=re.compile(CHANNELS[channel])).first.click()
    expect(frame.locator("#cw-view-heading")).to_be_visible()


@pytest.fixture(scope="module")
def same_site_server(fake_graph: FakeGraph) -> Iterator[WidgetServer]:
    server = start_widget_server(graph_env(fake_graph), host_name="widget.test")
    host = demo_host.serve(server.host_port, server.origin)
    yield server
    host.shutdown()
    stop_widget_server(server)


@pytest.fixture
def same_site_page(
    playwright_instance: Playwright, same_site_server: WidgetServer
) -> Iterator[Page]:
    browser = playwright_instance.chromium.launch(**launch_args())  # type: ignore[arg-type]
    try:
        yield browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    finally:
        browser.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots_of_every_channel(
    same_site_page: Page, same_site_server: WidgetServer, size: str
) -> None:
    page, widget_server = same_site_page, same_site_server
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(reduced_motion="reduce")
    frame = open_widget(page, widget_server)
    expect(frame.locator(".cw-channel").first).to_be_visible()
    # Same-site: the widget keeps its storage, so no "storage blocked" notice in the pictures.
    expect(frame.get_by_text("Votre navigateur bloque le stockage")).to_have_count(0)
    _save(page, "home", size)
    for channel in CHANNELS:
        _open_channel(frame, channel)
        if channel == "assistant":
            ask(frame, "j'ai perdu ma carte bancaire")
        page.wait_for_timeout(300)
        _save(page, channel, size)
        frame.get_by_role("button", name="Retour à l'accueil").click()
        expect(frame.locator(".cw-channel").first).to_be_visible()
