"""myBo in the browser: a full car-accident claim with photos and a PDF, refusals that keep the
rest of the claim, resume after reload, the summary-edit loop, and files only for their owner."""

from __future__ import annotations

import base64
import io
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from PIL import Image
from playwright.sync_api import Browser, Frame, Page, expect

from chat_widget.claims.flow import short_label
from chat_widget.claims.questions import questionnaire
from chat_widget.web.customer_files import mint_file_token
from tests.e2e.conftest import ROOT, WidgetServer, axe_violations, describe, open_widget

pytestmark = pytest.mark.e2e

SECRET = "e2e-secret-key-that-is-long-enough-000"  # the harness's CW_SECRET_KEY
FORM = questionnaire("car_accident")
LABEL = {q.id: q.label["en"] for q in FORM.questions}
SHORT = {q.id: short_label(q, "en") for q in FORM.questions}
UPLOAD_INPUT = "#cw-claim-upload input[type=file]"


def jpeg(path: Path, color: tuple[int, int, int]) -> Path:
    Image.new("RGB", (64, 48), color).save(path, "JPEG")
    return path


def minimal_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def open_mybo(page: Page, server: WidgetServer) -> Frame:
    frame = open_widget(page, server)
    page.evaluate("cw('setLocale', 'en')")
    frame.get_by_role("button", name=re.compile("Declare a claim with myBo")).click()
    expect(frame.get_by_role("heading", level=1, name="Declare a claim with myBo")).to_be_visible()
    return frame


def question(frame: Frame, qid: str) -> None:
    expect(frame.get_by_role("heading", level=2, name=LABEL[qid])).to_be_visible()


def type_answer(frame: Frame, qid: str, value: str) -> None:
    question(frame, qid)
    frame.get_by_label(LABEL[qid]).fill(value)
    frame.get_by_role("button", name="Continue", exact=True).click()


def pick(frame: Frame, qid: str, label: str) -> None:
    question(frame, qid)
    frame.get_by_role("group", name=LABEL[qid]).get_by_role("button", name=label).click()


def skip(frame: Frame, qid: str) -> None:
    question(frame, qid)
    frame.get_by_role("button", name="Skip this question").click()


def fetch(frame: Frame, url: str) -> dict[str, Any]:
    """GET from inside the widget's frame (the browser maps widget.test; Playwright's API
    client would not)."""
    result: dict[str, Any] = frame.evaluate(
        """async (url) => { const r = await fetch(url, {cache: 'no-store'});
           const body = new Uint8Array(await r.arrayBuffer());
           return {status: r.status, headers: Object.fromEntries(r.headers.entries()),
                   head: Array.from(body.slice(0, 4))}; }""",
        url,
    )
    return result


def change(frame: Frame, qid: str) -> None:
    """The summary's Change button for one answer (its name ends with the answer's label)."""
    name = re.compile(rf"^Change\W+{re.escape(SHORT[qid])}$")
    frame.get_by_role("button", name=name).click()


def first_part(frame: Frame) -> None:
    """Type choice, policy, plate, an invalid (future) date refused, then a valid one, time."""
    expect(frame.get_by_role("heading", level=2, name="What happened?")).to_be_visible()
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    frame.get_by_role("button", name=FORM.label["en"], exact=True).click()
    type_answer(frame, "policy_number", "123-4567890-02")
    type_answer(frame, "vehicle_plate", "1-abc-123")
    type_answer(frame, "incident_date", "2099-01-01")
    question(frame, "incident_date")
    alert = frame.locator("#cw-claim-error")
    expect(alert).to_have_text("The date cannot be in the future.")
    field = frame.get_by_label(LABEL["incident_date"])
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "cw-claim-error" in (field.get_attribute("aria-describedby") or "")
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    type_answer(frame, "incident_date", "2026-11-20")
    type_answer(frame, "incident_time", "14:30")
    question(frame, "incident_place")


def test_full_car_accident_claim(
    page: Page, widget_server: WidgetServer, browser: Browser, tmp_path: Path
) -> None:
    frame = open_mybo(page, widget_server)
    first_part(frame)

    # Resume after reload: the draft is where we left it, earlier answers still there.
    page.reload()
    frame = open_mybo(page, widget_server)
    question(frame, "incident_place")
    frame.get_by_role("button", name="Back", exact=True).click()
    question(frame, "incident_time")
    expect(frame.get_by_label(LABEL["incident_time"])).to_have_value("14:30")
    frame.get_by_role("button", name="Continue", exact=True).click()

    type_answer(frame, "incident_place", "Rue de la Loi 16, 1000 Bruxelles")
    pick(frame, "third_party", "No")
    pick(frame, "injured", "No")
    pick(frame, "vehicle_drivable", "Yes")
    pick(frame, "police_report", "No")
    type_answer(frame, "description", "I reversed into a post in the car park.")
    type_answer(frame, "estimated_amount", "1.250,00")

    # Photos: two JPEGs plus a text file named .jpg and an oversize file, in one go.
    question(frame, "photos")
    fake = tmp_path / "fake.jpg"
    fake.write_text("this is not a picture")
    big = tmp_path / "huge.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024))
    frame.locator(UPLOAD_INPUT).set_input_files(
        [
            jpeg(tmp_path / "front.jpg", (200, 30, 30)),
            fake,
            big,
            jpeg(tmp_path / "side.jpg", (30, 30, 200)),
        ]
    )
    reports = frame.locator("#cw-claim-file-reports li")
    expect(reports).to_have_count(4, timeout=30000)
    expect(frame.locator(".cw-file-bad")).to_have_count(2)
    expect(frame.locator(".cw-file-bad").filter(has_text="fake.jpg")).to_be_visible()
    expect(frame.locator(".cw-file-bad").filter(has_text="huge.jpg")).to_be_visible()
    expect(frame.locator(".cw-file-ok")).to_have_count(2)
    expect(frame.locator(".cw-files a")).to_have_count(2)
    violations = axe_violations(frame)  # the upload zone, reports and file list
    assert violations == [], describe(violations)
    # One more, taken back out again.
    frame.locator(UPLOAD_INPUT).set_input_files([jpeg(tmp_path / "extra.jpg", (10, 200, 10))])
    expect(frame.locator(".cw-files a")).to_have_count(3, timeout=30000)
    frame.get_by_role("button", name=re.compile(r"^Remove\W+extra\.jpg$")).click()
    expect(frame.locator(".cw-files a")).to_have_count(2)
    expect(frame.locator(".cw-files a", has_text="extra.jpg")).to_have_count(0)
    # The refusals took nothing away: the claim goes on.
    frame.get_by_role("button", name="Continue", exact=True).click()

    # Documents: a PDF dropped onto the zone (drag and drop).
    question(frame, "documents")
    pdf_b64 = base64.b64encode(minimal_pdf()).decode()
    data_transfer = frame.evaluate_handle(
        """([name, b64]) => { const dt = new DataTransfer();
           const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
           dt.items.add(new File([bytes], name, {type: 'application/pdf'})); return dt; }""",
        ["report.pdf", pdf_b64],
    )
    zone = frame.locator(".cw-dropzone")
    zone.dispatch_event("dragenter", {"dataTransfer": data_transfer})
    zone.dispatch_event("drop", {"dataTransfer": data_transfer})
    expect(frame.locator(".cw-file-ok")).to_have_count(1, timeout=30000)
    expect(frame.locator(".cw-files a", has_text="report.pdf")).to_be_visible()
    frame.get_by_role("button", name="Continue", exact=True).click()

    # Summary, then the edit loop: a change that reveals new questions comes back here.
    expect(frame.get_by_role("heading", level=2, name="Check your claim")).to_be_visible()
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    summary = frame.locator(".cw-summary")
    expect(summary).to_contain_text("Rue de la Loi 16")
    expect(summary).to_contain_text("2 files")
    change(frame, "third_party")
    pick(frame, "third_party", "Yes")
    pick(frame, "third_party_kind", "A cyclist")
    skip(frame, "third_party_insurer")
    pick(frame, "accident_report", "No")
    pick(frame, "liability_view", "The other party")
    expect(frame.get_by_role("heading", level=2, name="Check your claim")).to_be_visible()
    expect(summary).to_contain_text("A cyclist")
    # A refused change shows the reason and stays on that answer until it is right.
    change(frame, "estimated_amount")
    type_answer(frame, "estimated_amount", "-5")
    expect(frame.locator("#cw-claim-error")).to_have_text("The amount must be more than zero.")
    type_answer(frame, "estimated_amount", "900")
    expect(frame.get_by_role("heading", level=2, name="Check your claim")).to_be_visible()
    expect(summary).to_contain_text("900")
    change(frame, "description")
    field = frame.get_by_label(LABEL["description"])
    expect(field).to_have_value("I reversed into a post in the car park.")
    type_answer(frame, "description", "A cyclist hit my parked car's mirror.")
    expect(frame.get_by_role("heading", level=2, name="Check your claim")).to_be_visible()
    expect(summary).to_contain_text("A cyclist hit my parked car")

    # The owner can open their files; the headers keep them private.
    hrefs = [a.get_attribute("href") or "" for a in frame.locator(".cw-summary .cw-files a").all()]
    assert len(hrefs) == 3 and all(h.startswith("/api/claims/files/") for h in hrefs)
    resp = fetch(frame, hrefs[0])
    assert resp["status"] == 200
    assert resp["headers"]["content-type"] == "image/jpeg"
    assert resp["headers"]["cache-control"] == "private, no-store"
    assert resp["headers"]["x-content-type-options"] == "nosniff"
    assert resp["headers"]["content-disposition"].startswith("inline;")
    assert resp["head"][:3] == [0xFF, 0xD8, 0xFF]

    frame.get_by_role("button", name="Send my claim").click()
    expect(frame.get_by_role("heading", level=2, name="Claim sent")).to_be_visible()
    confirmation = frame.locator(".cw-claim-done")
    expect(confirmation).to_contain_text(re.compile(r"SIN-\d{4}-\d{6}"))
    expect(confirmation).to_contain_text("within 2 working days")
    reference = re.search(r"SIN-\d{4}-\d{6}", confirmation.inner_text())
    assert reference
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    frame.get_by_role("button", name="My claims").click()
    mine = frame.locator(".cw-summary li", has_text=reference[0])
    expect(mine).to_contain_text("Status: Submitted")
    violations = axe_violations(frame)
    assert violations == [], describe(violations)

    # Files are served only with a genuine, unexpired token for their owner.
    file_id = hrefs[0].split("/")[-1].split("?")[0]
    with sqlite3.connect(widget_server.db_path) as db:
        owner = db.execute(
            "SELECT customer_id FROM claim WHERE reference = ?", (reference[0],)
        ).fetchone()[0]
        said = [
            row[0]
            for row in db.execute(
                "SELECT m.body FROM message m JOIN claim c ON c.conversation_id = m.conversation_id"
                " WHERE c.reference = ? AND m.author_kind = 'customer' ORDER BY m.seq",
                (reference[0],),
            )
        ]
        stored = [
            row[0]
            for row in db.execute(
                "SELECT f.stored_name FROM claim_file f JOIN claim c ON c.id = f.claim_id"
                " WHERE c.reference = ?",
                (reference[0],),
            )
        ]
    # Files live in the private store only: never in Reflex's upload folder or in assets.
    private = {p.name for p in (widget_server.data_dir / "files").rglob("*") if p.is_file()}
    assert len(stored) == 3 and set(stored) <= private
    public = [ROOT / "uploaded_files", ROOT / "assets", ROOT / ".web" / "public"]
    names = {"front.jpg", "side.jpg", "extra.jpg", "report.pdf", *stored}
    assert not [p for d in public if d.exists() for p in d.rglob("*") if p.name in names]
    # The conversation is stored with the claim: every accepted answer, edits included.
    assert said[0] == "123-4567890-02" and "A cyclist hit my parked car's mirror." in said
    assert "2099" not in " ".join(said)  # the refused date never became part of it
    other = browser.new_context()
    try:
        other_page = other.new_page()
        other_frame = open_mybo(other_page, widget_server)
        expect(other_frame.get_by_role("heading", level=2, name="What happened?")).to_be_visible()
        expect(other_frame.get_by_text(reference[0])).to_have_count(0)
        with sqlite3.connect(widget_server.db_path) as db:
            newcomer = db.execute(
                "SELECT id FROM customer WHERE id != ? ORDER BY created_at DESC LIMIT 1", (owner,)
            ).fetchone()[0]
        base = f"/api/claims/files/{file_id}"
        token_for_other = mint_file_token(secret=SECRET, customer_id=newcomer, file_id=file_id)
        expired = mint_file_token(
            secret=SECRET, customer_id=owner, file_id=file_id, now=time.time() - 3600
        )
        forged = mint_file_token(secret="not-the-secret", customer_id=owner, file_id=file_id)
        for url in (
            base,
            f"{base}?t={token_for_other}",
            f"{base}?t={expired}",
            f"{base}?t={forged}",
            f"/_upload/{file_id}",
        ):
            assert fetch(other_frame, url)["status"] == 404, url
    finally:
        other.close()


def test_identified_customer_resumes_the_draft_on_another_device(
    browser: Browser, widget_server: WidgetServer
) -> None:
    """Closing everything and coming back (new browser session, same bank login) resumes."""
    key = widget_server.env["CW_IDENTITY_JWT_KEY"]
    glass = questionnaire("car_glass")
    labels = {q.id: q.label["en"] for q in glass.questions}

    def login_and_open(page: Page) -> Frame:
        token = jwt.encode(
            {"sub": "cust-claims-7", "aud": "contact-widget", "exp": int(time.time()) + 600},
            key,
            "HS256",
        )
        frame = open_widget(page, widget_server)
        page.evaluate("cw('setLocale', 'en')")
        page.evaluate(f"cw('identify', () => Promise.resolve({token!r}))")
        expect(frame.locator("#cw-signed-in")).to_be_visible()
        frame.get_by_role("button", name=re.compile("Declare a claim with myBo")).click()
        return frame

    first = browser.new_context()
    try:
        frame = login_and_open(first.new_page())
        frame.get_by_role("button", name=glass.label["en"], exact=True).click()
        expect(frame.get_by_role("heading", level=2, name=labels["policy_number"])).to_be_visible()
        frame.get_by_label(labels["policy_number"]).fill("123456789002")
        frame.get_by_role("button", name="Continue", exact=True).click()
        frame.get_by_label(labels["vehicle_plate"]).fill("2-xyz-987")
        frame.get_by_role("button", name="Continue", exact=True).click()
        expect(frame.get_by_role("heading", level=2, name=labels["incident_date"])).to_be_visible()
    finally:
        first.close()

    later = browser.new_context()
    try:
        frame = login_and_open(later.new_page())
        expect(frame.get_by_role("heading", level=2, name=labels["incident_date"])).to_be_visible()
        frame.get_by_role("button", name="Back", exact=True).click()
        expect(frame.get_by_label(labels["vehicle_plate"])).to_have_value("2-XYZ-987")
        frame.get_by_role("button", name="Back", exact=True).click()
        expect(frame.get_by_label(labels["policy_number"])).to_have_value("123-4567890-02")
        # A language switch re-renders the same step in the new language.
        frame.page.evaluate("cw('setLocale', 'nl')")
        nl = glass.questions[0].label["nl"]
        expect(frame.get_by_role("heading", level=2, name=nl)).to_be_visible()
        expect(frame.get_by_label(nl)).to_have_value("123-4567890-02")
        # and the step counter, which the claim state computes from its copy of the language
        expect(frame.locator("#cw-claim-progress")).to_have_text(re.compile(r"^Stap \d+ van \d+$"))
    finally:
        later.close()
