""" "My data" view: device-data consent, and export/erasure for identified customers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from chat_widget import customers
from chat_widget.identity import issue_session_token
from chat_widget.privacy import (
    device_data_visible,
    device_notice,
    erase_customer,
    export_customer,
    record_device_consent,
    store_device_data,
)
from chat_widget.ui import runtime
from chat_widget.ui.host_data import parse_json_object
from chat_widget.ui.runtime import file_store
from chat_widget.ui.widget_state import BRIDGE, WidgetState, _bridge_call

log = logging.getLogger(__name__)


async def _bookings_cleanup(ids: tuple[int, ...]) -> None:
    if not ids:
        return
    try:
        from chat_widget.ui.meetings_service import booking_service

        service = await asyncio.to_thread(booking_service)
        if service is not None:
            # Bounded: the customer waits for the statement; what is not done stays queued.
            await asyncio.wait_for(service.process_cleanup(only=ids), timeout=15)
    except Exception:  # queued: the background job tries again; the erasure itself is done
        log.exception("Bookings cleanup after erasure will be retried by the background job")


@dataclass
class StatementLine:
    title: str
    text: str
    status: str


class PrivacyState(WidgetState):
    device_title: str = ""
    device_text: str = ""
    device_accept: str = ""
    device_decline: str = ""
    device_allowed: bool = False
    confirming: bool = False
    statement: list[StatementLine] = []

    @rx.event
    async def open_privacy(self) -> AsyncIterator[EventSpec | None]:
        self.view = "privacy"
        self.confirming = False
        notice = device_notice(self.locale)
        self.device_title, self.device_text = notice.title, notice.text
        self.device_accept, self.device_decline = notice.accept, notice.decline
        customer_id = self._customer_id
        self.device_allowed = await runtime.run_db(
            lambda s: device_data_visible(session=s, customer_id=customer_id)
        )
        yield rx.call_script(f"{BRIDGE}.focus('cw-view-heading')")

    @rx.event
    async def decide_device(self, granted: bool) -> EventSpec | None:
        customer_id, locale = self._customer_id, self.locale
        version = device_notice(locale).version
        await runtime.run_db(
            lambda s: record_device_consent(
                session=s,
                customer_id=customer_id,
                locale=locale,
                granted=granted,
                notice_version=version,
            )
        )
        self.device_allowed = granted
        if granted:
            return rx.call_script(f"{BRIDGE}.deviceInfo()", callback=PrivacyState.save_device)
        return None

    @rx.event
    async def save_device(self, raw: str) -> None:
        data = parse_json_object(raw) or {}
        customer_id = self._customer_id
        # store_device_data checks the consent itself and keeps only the fields the notice names.
        await runtime.run_db(
            lambda s: store_device_data(session=s, customer_id=customer_id, raw=data)
        )

    @rx.event
    async def download_data(self) -> EventSpec | None:
        if not self.identified:
            return None
        customer_id = self._customer_id
        archive = await runtime.run_db(
            lambda s: export_customer(
                session=s, store=file_store(), customer_id=customer_id, actor=customer_id
            )
        )
        return rx.download(data=archive, filename="my-data.zip")

    @rx.event
    def ask_erase(self, confirming: bool) -> None:
        self.confirming = confirming and self.identified

    @rx.event
    async def erase(self) -> AsyncIterator[EventSpec | None]:
        if not self.identified:
            return
        customer_id, locale = self._customer_id, self.locale

        def work(session: Session) -> tuple[list[StatementLine], str, tuple[int, ...]]:
            report = erase_customer(
                session=session,
                store=file_store(),
                customer_id=customer_id,
                actor=customer_id,
                actor_kind="customer",
                reason="customer request in the widget",
            )
            lines = [StatementLine(i.title, i.text, i.status) for i in report.statement(locale)]
            # The widget session ends: from now on this browser is a new anonymous customer.
            new = customers.create_anonymous(session=session, locale=locale).id
            return lines, new, report.cleanup_ids

        lines, new_id, cleanup_ids = await runtime.run_db(work)
        # The customer's Bookings appointments and Bookings customer were queued in the same
        # transaction; cancel them now (the pending-bookings job retries what fails).
        await _bookings_cleanup(cleanup_ids)
        self.statement = lines
        self.confirming = False
        self._customer_id = new_id
        self.identified = False
        yield _bridge_call(
            "saveSession", issue_session_token(new_id, runtime.settings().secret_key)
        )
