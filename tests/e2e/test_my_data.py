"""'My data': device-data consent, and export/erasure for an identified customer."""

from __future__ import annotations

import io
import sqlite3
import time
import zipfile

import jwt
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import WidgetServer, axe_violations, describe, open_widget

pytestmark = pytest.mark.e2e


def test_device_consent_export_and_erasure(page: Page, widget_server: WidgetServer) -> None:
    ref = f"cust-mydata-{time.time_ns()}"
    token = jwt.encode(
        {"sub": ref, "aud": "contact-widget", "exp": int(time.time()) + 600},
        widget_server.env["CW_IDENTITY_JWT_KEY"],
        "HS256",
    )
    frame = open_widget(page, widget_server)
    page.evaluate(f"cw('identify', () => {token!r})")
    expect(frame.locator("#cw-signed-in")).to_be_visible()
    frame.get_by_role("button", name="Mes données").click()
    expect(
        frame.get_by_role("heading", level=1, name="Mes données et ma vie privée")
    ).to_be_focused()
    expect(frame.get_by_text("Aucune donnée technique")).to_be_visible()
    assert axe_violations(frame) == [], describe(axe_violations(frame))

    frame.locator(".cw-privacy .cw-actions").first.get_by_role("button").first.click()  # accept
    expect(frame.get_by_text("Vous avez accepté")).to_be_visible()
    with sqlite3.connect(widget_server.db_path) as db:
        deadline = time.time() + 5
        rows: list[tuple[str]] = []
        while time.time() < deadline and not rows:
            rows = db.execute(
                "SELECT d.data FROM device_profile d JOIN customer c ON c.id = d.customer_id "
                "WHERE c.external_ref = ?",
                (ref,),
            ).fetchall()
            time.sleep(0.2)
    assert rows and "browser" in rows[0][0]

    with page.expect_download() as download:
        frame.get_by_role("button", name="Télécharger mes données (.zip)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert "data.json" in archive.namelist()

    frame.get_by_role("button", name="Effacer mes données").click()
    frame.get_by_role("button", name="Oui, effacer").click()
    expect(frame.get_by_text("Vos données ont été effacées")).to_be_visible()
    expect(frame.locator("#cw-signed-in")).to_have_count(0)
    with sqlite3.connect(widget_server.db_path) as db:
        left = db.execute(
            "SELECT count(*) FROM device_profile d JOIN customer c ON c.id = d.customer_id "
            "WHERE c.external_ref = ?",
            (ref,),
        ).fetchone()
    assert left == (0,)


def test_anonymous_customers_are_told_to_sign_in_first(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_widget(page, widget_server)
    frame.get_by_role("button", name="Mes données").click()
    expect(frame.get_by_text("connectez-vous d'abord")).to_be_visible()
    expect(frame.get_by_role("button", name="Effacer mes données")).to_have_count(0)
