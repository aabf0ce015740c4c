"""ClaimState's helpers without Reflex: a :class:`ClaimView` as the state's var values, the
upload loop (one unit of work per file) and the submission with its two ways to fail.

Kept apart so the state module holds only its handlers; nothing here decides a claim rule.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from chat_widget.claims import actions, flow, records
from chat_widget.claims.i18n import ui_text
from chat_widget.claims.view import ClaimView, FileItem, FileReport, OptionItem
from chat_widget.files import FileRejected
from chat_widget.i18n import catalog
from chat_widget.ui import runtime
from chat_widget.ui.claim_io import file_links, upload_limits
from chat_widget.ui.runtime import file_store

log = logging.getLogger(__name__)

#: Questions answered in a field: after a refusal the focus goes back to that field.
FIELD_TYPES = frozenset(
    {"place", "free_text", "amount", "plate_number", "policy_number", "date", "time"}
)


def view_vars(view: ClaimView, *, same_question: bool) -> dict[str, Any]:
    """ClaimState's vars for ``view``; a new question forgets the last upload's reports."""
    common = {
        "_claim_id": view.claim_id,
        "claim_type_label": view.type_label,
        "error": view.error,
        "editing": view.editing,
    }
    q = view.question
    if q is None:
        return common | {
            "phase": "summary",
            "summary": view.summary,
            "missing": view.missing,
            "q_id": "",
            "q_type": "",
            "files": [],
            "file_reports": [],
        }
    shown = common | {
        "phase": "question",
        "q_id": str(q["id"]),
        "q_type": str(q["type"]),
        "q_label": str(q["label"]),
        "q_help": str(q["help"] or ""),
        "q_required": bool(q["required"]),
        "q_options": [OptionItem(id=o["id"], label=o["label"]) for o in q["options"]],
        "q_value": view.value,
        "q_step": view.step,
        "q_steps": view.steps,
        "files": view.files,
    }
    return shown if same_question else shown | {"file_reports": []}


def focus_target(view: ClaimView) -> str:
    """After a refusal the customer fixes the field; otherwise they read the new step first."""
    if view.question is None:
        return "cw-claim-heading"
    return "cw-claim-input" if view.error and view.question["type"] in FIELD_TYPES else "cw-claim-q"


def upload_progress(progress: dict[str, Any]) -> tuple[bool, int]:
    """(still uploading, percent). The last report may arrive after the files were handled:
    it must not leave the view "uploading" (and "Continue" disabled)."""
    value = progress.get("progress")
    fraction = float(value) if isinstance(value, int | float) else 0.0
    return fraction < 1.0, max(0, min(100, round(fraction * 100)))


async def store_uploads(
    files: list[Any], *, customer_id: str, claim_id: str, locale: str
) -> tuple[list[FileItem], list[FileReport]]:
    """Each file checked and stored on its own: one refusal keeps the others and the claim."""
    limits, store, links = upload_limits(), file_store(), file_links(customer_id)
    reports: list[FileReport] = []
    accepted: list[FileItem] = []
    for upload in files:
        name = upload.filename or "file"
        # One byte over the limit is enough to refuse it; never read more than that.
        data = await upload.read(limits.max_bytes + 1)

        def work(session: Session, name: str = name, data: bytes = data) -> FileItem:
            return actions.add_file(
                session,
                store=store,
                customer_id=customer_id,
                claim_id=claim_id,
                filename=name,
                data=data,
                limits=limits,
                links=links,
            )

        try:
            item = await runtime.run_db(work)
        except FileRejected as rejected:
            reports.append(FileReport(name=name, ok=False, text=rejected.message(locale)))
            continue
        except records.ClaimError:
            log.info("upload to a claim that is no longer a draft")
            break
        accepted.append(item)
        reports.append(FileReport(item.name, True, catalog(locale)["claim.file_accepted"]))
    return accepted, reports


async def send(*, customer_id: str, claim_id: str) -> str | None:
    """The sent claim's reference; "" if it could not be sent (already sent in another tab);
    None when required answers are missing (the summary says which)."""
    try:
        return await runtime.run_db(
            lambda s: actions.submit(s, customer_id=customer_id, claim_id=claim_id)
        )
    except flow.IncompleteClaim:
        return None
    except records.ClaimError:
        log.info("claim %s could not be submitted", claim_id)
        return ""


def sent_vars(reference: str, locale: str) -> dict[str, Any]:
    """After sending: the confirmation with its reference (none if it could not be sent)."""
    return {
        "_claim_id": "",
        "reference": reference,
        "confirmation": confirmation(reference, locale),
        "phase": "done",
        "error": "",
        "files": [],
        "file_reports": [],
    }


def confirmation(reference: str, locale: str) -> str:
    return ui_text("confirmation", locale, reference=reference) if reference else ""
