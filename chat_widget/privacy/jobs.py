"""Entry points that open their own unit of work: for the CLI and a background scheduler."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.domain.clock import utcnow
from chat_widget.files import BlobStore
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
