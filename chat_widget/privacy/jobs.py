"""Entry points that open their own unit of work: for the CLI and a background scheduler."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.domain.clock import utcnow
from chat_widget.files import BlobStore
from chat_widget.meetings.advisors import advisors_path
from chat_widget.meetings.cleanup import process_cleanup
from chat_widget.meetings.records import GraphCleanup
from chat_widget.privacy.customers import customer_by_ref
from chat_widget.privacy.erasure import ErasureReport, erase_customer
from chat_widget.privacy.export import export_customer
from chat_widget.privacy.purge import PurgeReport, purge_expired
from chat_widget.privacy.retention import RetentionPolicy


def run_purge(
    engine: Engine,
    store: BlobStore,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    policy: RetentionPolicy | None = None,
) -> PurgeReport:
    """One purge run in its own transaction (call it daily; running it twice is harmless)."""
    with session_scope(engine) as session:
        return purge_expired(
            session=session, store=store, now=now or utcnow(), policy=policy, dry_run=dry_run
        )


def export_by_ref(
    engine: Engine, store: BlobStore, *, external_ref: str, actor: str, actor_kind: str = "employee"
) -> bytes:
    with session_scope(engine) as session:
        customer = customer_by_ref(session=session, external_ref=external_ref)
        return export_customer(
            session=session,
            store=store,
            customer_id=customer.id,
            actor=actor,
            actor_kind=actor_kind,
        )


def erase_by_ref(
    engine: Engine,
    store: BlobStore,
    *,
    external_ref: str,
    actor: str,
    actor_kind: str = "employee",
    reason: str | None = None,
) -> ErasureReport:
    with session_scope(engine) as session:
        customer = customer_by_ref(session=session, external_ref=external_ref)
        return erase_customer(
            session=session,
            store=store,
            customer_id=customer.id,
            actor=actor,
            actor_kind=actor_kind,
            reason=reason,
        )


@dataclass(frozen=True)
class BookingsCleanupResult:
    """What became of the Bookings work an erasure queued, for the admin to read."""

    rows: tuple[GraphCleanup, ...]
    #: Why nothing was tried now (Graph not configured here, settings refused); None if tried.
    not_tried: str | None = None


def carry_out_bookings_cleanup(engine: Engine, ids: tuple[int, ...]) -> BookingsCleanupResult:
    """Tries the queued Bookings work of ``ids`` now, with the app's ``CW_GRAPH_*`` settings.

    Whatever is not done stays queued: the widget's pending-bookings job retries it.
    """
    if not ids:
        return BookingsCleanupResult(rows=())
    from chat_widget.adapters.graph import GraphConfigError, gateway_from_env

    try:
        gateway = gateway_from_env(advisors_path=str(advisors_path()))
    except GraphConfigError as exc:
        return BookingsCleanupResult(rows=(), not_tried=str(exc))
    if gateway is None:
        return BookingsCleanupResult(rows=(), not_tried="Microsoft Graph is not configured here")

    async def run() -> list[GraphCleanup]:
        try:
            return await process_cleanup(
                gateway=gateway, sessions=partial(session_scope, engine), only=ids
            )
        finally:
            await gateway.aclose()

    return BookingsCleanupResult(rows=tuple(asyncio.run(run())))
