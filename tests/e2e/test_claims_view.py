"""myBo's view: where am I (step k of n), a stale "required" that goes once the photo is there,
thumbnails of the photos, short labels in the summary; axe clean at 320 and 1280 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from chat_widget.claims.flow import short_label
from chat_widget.claims.questions import questionnaire
from tests.e2e.conftest import WidgetServer, axe_violations, describe
from tests.e2e.test_claims import UPLOAD_INPUT, jpeg, open_mybo

pytestmark = pytest.mark.e2e

GLASS = questionnaire("car_glass")
LABEL = {q.id: q.label["en"] for q in GLASS.questions}
STEPS = len(GLASS.questions)  # no conditional questions in this one


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


def _axe_at_both_widths(page: Page, frame: Frame) -> None:
    """Axe at 320 and 1280 px, light and dark (the widget follows prefers-color-scheme)."""
    for scheme in ("light", "dark"):
        # No colour transition under way while axe measures contrast.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")  # type: ignore[arg-type]
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            violations = axe_violations(frame)
            assert violations == [], f"{width}px {scheme}: {describe(violations)}"
    page.emulate_media(color_scheme="light")


def _progress(frame: Frame, k: int) -> None:
    expect(frame.locator("#cw-claim-progress")).to_have_text(f"Step {k} of {STEPS}")
    bar = frame.locator("progress.cw-claim-progress")
    expect(bar).to_have_attribute("value", str(k))
    expect(bar).to_have_attribute("max", str(STEPS))


def test_progress_stale_required_error_thumbnails_and_short_summary_labels(
    page: Page, widget_server: WidgetServer, tmp_path: Path
) -> None:
    frame = open_mybo(page, widget_server)
    frame.get_by_role("button", name=GLASS.label["en"], exact=True).click()
    question(frame, "policy_number")
    _progress(frame, 1)
    # The help's example is a valid number: typed as shown, it is accepted.
    help_text = frame.locator("#cw-claim-help").inner_text()
    example = re.search(r"e\.g\. ([\d-]+)", help_text)
    assert example is not None, help_text
    type_answer(frame, "policy_number", example.group(1))
    _progress(frame, 2)
    type_answer(frame, "vehicle_plate", "1-abc-123")
    type_answer(frame, "incident_date", "2026-11-20")
    type_answer(frame, "incident_place", "Chaussée de Wavre 100, Ixelles")
    pick(frame, "glass_part", "Windscreen")
    pick(frame, "glass_damage", "A crack")
    skip(frame, "repairer_chosen")

    question(frame, "photos")
    _progress(frame, STEPS)
    frame.get_by_role("button", name="Continue", exact=True).click()
    alert = frame.locator("#cw-claim-error")
    expect(alert).not_to_be_empty()
    _axe_at_both_widths(page, frame)
    frame.locator(UPLOAD_INPUT).set_input_files([jpeg(tmp_path / "windscreen.jpg", (90, 90, 200))])
    expect(frame.locator(".cw-file-ok")).to_have_count(1, timeout=30000)
    # The photo is there: "required" is no longer said.
    expect(alert).to_be_empty()
    thumb = frame.locator(".cw-files a img.cw-thumb")
    expect(thumb).to_have_count(1)
    assert (thumb.get_attribute("src") or "").startswith("/api/claims/files/")
    # The image really loads through the owner-checked route.
    frame.wait_for_function(
        "() => { const i = document.querySelector('.cw-files img.cw-thumb');"
        " return i && i.complete && i.naturalWidth === 64; }"
    )
    _axe_at_both_widths(page, frame)
    frame.get_by_role("button", name="Continue", exact=True).click()

    expect(frame.get_by_role("heading", level=2, name="Check your claim")).to_be_visible()
    labels = [t.strip() for t in frame.locator(".cw-sum-label").all_inner_texts()]
    shorts = [short_label(q, "en") for q in GLASS.questions if q.id != "repairer_chosen"]
    assert labels[: len(shorts)] == shorts or set(shorts) <= set(labels), labels
    assert all(len(label) <= 30 for label in labels), labels
    expect(frame.locator(".cw-summary .cw-files img.cw-thumb")).to_have_count(1)
    expect(
        frame.get_by_role("button", name=re.compile(r"^Change\W+Policy number$"))
    ).to_be_visible()
    _axe_at_both_widths(page, frame)
