"""README screenshots of each channel at desktop (1280 px) and phone (375 px) size.

Run with ``CW_SCREENSHOTS=1 pytest tests/e2e/test_screenshots.py`` to refresh
docs/screenshots/*.png; without it the test still walks every view (so the walk stays true)
but writes nothing. Images are cut to the widget and reduced to a 64-colour palette so the
repository stays small.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.e2e.conftest import WidgetServer, open_widget, widget_frame
from tests.e2e.test_assistant import ask

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


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots_of_every_channel(page: Page, widget_server: WidgetServer, size: str) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(reduced_motion="reduce")
    frame = open_widget(page, widget_server)
    expect(frame.locator(".cw-channel").first).to_be_visible()
    _save(page, "home", size)
    for channel in CHANNELS:
        _open_channel(frame, channel)
        if channel == "assistant":
            ask(frame, "j'ai perdu ma carte bancaire")
        page.wait_for_timeout(300)
        _save(page, channel, size)
        frame.get_by_role("button", name="Retour à l'accueil").click()
        expect(frame.locator(".cw-channel").first).to_be_visible()
