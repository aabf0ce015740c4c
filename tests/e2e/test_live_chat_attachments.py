"""Attachments in a live chat, in real browsers: customer sends a PNG, the agent opens it
(audited), a wrong file gets the translated refusal and the draft message stays."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Frame, Page, expect

from tests.e2e.conftest import WidgetServer, axe_violations, describe
from tests.e2e.test_live_chat import (
    agent_login,
    customer_start_chat,
    live_server,  # noqa: F401  (the module fixture: open hours, seeded agents)
    new_context,
)

pytestmark = pytest.mark.e2e

UPLOAD_INPUT = "#cw-live-upload input[type=file]"


def fetch(target: Page | Frame, url: str) -> dict[str, Any]:
    """GET from inside the page (the browser maps widget.test; Playwright's API client would
    not), with the page's own cookies."""
    result: dict[str, Any] = target.evaluate(
        """async (url) => { const r = await fetch(url, {cache: 'no-store'});
           const body = new Uint8Array(await r.arrayBuffer());
           return {status: r.status, type: r.headers.get('content-type'),
                   head: Array.from(body.slice(0, 4))}; }""",
        url,
    )
    return result


PNG_HEAD = [0x89, 0x50, 0x4E, 0x47]


def png(path: Path) -> Path:
    Image.new("RGB", (64, 48), (20, 120, 200)).save(path, format="PNG")
    return path


def test_customer_sends_a_png_agent_opens_it_and_a_wrong_file_is_refused(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server, "sophie")
        customer = customer_ctx.new_page()
        frame = customer_start_chat(customer, live_server)
        row = agent.get_by_role("row").filter(has_text="Cartes")
        expect(row).to_be_visible(timeout=5000)
        row.get_by_role("button", name="Accepter").click()
        expect(frame.locator(".cw-msg--system")).to_contain_text("Sophie a rejoint")

        # A draft in the composer must survive everything below.
        draft = frame.get_by_label("Votre message", exact=True)
        draft.fill("Brouillon à garder")

        # The attach control has an accessible name.
        expect(frame.get_by_label("Joindre un fichier")).to_have_count(1)
        frame.locator(UPLOAD_INPUT).set_input_files(str(png(tmp_path / "capture écran.png")))
        chip = frame.locator(".cw-log .cw-file-chip")
        expect(chip).to_have_count(1, timeout=30000)
        expect(chip).to_contain_text("capture écran.png")
        href = chip.get_attribute("href") or ""
        assert re.match(r"^/api/chat/files/[0-9a-f]{32}\?t=", href), href
        file_id = href.split("/")[-1].split("?")[0]

        # The customer's own link opens the cleaned PNG; a tampered link is a plain 404.
        own = fetch(frame, href)
        assert own["status"] == 200 and own["type"] == "image/png" and own["head"] == PNG_HEAD
        assert fetch(frame, href[:-3] + "AAA")["status"] == 404
        assert fetch(frame, f"/api/chat/files/{file_id}")["status"] == 404

        # Delivered live to the agent, who opens it through the console route (audited).
        agent_chip = agent.locator(".ag-log .cw-file-chip")
        expect(agent_chip).to_contain_text("capture écran.png", timeout=5000)
        agent_href = agent_chip.get_attribute("href") or ""
        assert agent_href == f"/api/chat/agent-files/{file_id}"
        with sqlite3.connect(live_server.db_path) as db:
            before = db.execute(
                "SELECT count(*) FROM auditevent WHERE action = 'chat_file.view'"
            ).fetchone()[0]
        # The customer's browser has no console session: same 404 as for a missing file.
        assert fetch(frame, agent_href)["status"] == 404
        with agent.expect_popup() as popup_info:
            agent_chip.click()
        popup = popup_info.value
        popup.wait_for_load_state()
        opened = fetch(agent, agent_href)
        assert opened["status"] == 200 and opened["head"] == PNG_HEAD
        popup.close()
        with sqlite3.connect(live_server.db_path) as db:
            rows = db.execute(
                "SELECT actor_kind, target_type, details FROM auditevent "
                "WHERE action = 'chat_file.view' AND target_id = ?",
                (file_id,),
            ).fetchall()
            (sophie,) = db.execute("SELECT id FROM agent WHERE username = 'sophie'").fetchone()
            (count_after,) = db.execute(
                "SELECT count(*) FROM auditevent WHERE action = 'chat_file.view'"
            ).fetchone()
            actors = {
                r[0]
                for r in db.execute(
                    "SELECT actor_id FROM auditevent WHERE action = 'chat_file.view' "
                    "AND target_id = ?",
                    (file_id,),
                )
            }
        assert rows and all(r[0] == "agent" and r[1] == "chat_file" for r in rows)
        assert actors == {sophie}
        assert count_after >= before + 2  # the click and the direct request

        # A text file dressed up as a PNG: refused in French, nothing lost.
        fake = tmp_path / "notes.png"
        fake.write_text("ceci n'est pas une image")
        frame.locator(UPLOAD_INPUT).set_input_files(str(fake))
        error = frame.locator("#cw-attach-error")
        expect(error).to_contain_text(
            "Le fichier « notes.png » n’est pas une photo JPEG, PNG ou HEIC", timeout=30000
        )
        expect(draft).to_have_value("Brouillon à garder")
        expect(chip).to_have_count(1)
        expect(agent.locator(".ag-log .cw-file-chip")).to_have_count(1)

        violations = axe_violations(frame)  # the chat with an attachment and the refusal
        assert violations == [], describe(violations)
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
    finally:
        customer_ctx.close()
        agent_ctx.close()
