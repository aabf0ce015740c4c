"""Customers: anonymous widget sessions and bank-identified people."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, SQLModel, select

from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import Customer


def get_customer(*, session: Session, customer_id: str | None) -> Customer | None:
    return session.get(Customer, customer_id) if customer_id else None


def create_anonymous(*, session: Session, locale: str) -> Customer:
    customer = Customer(locale=locale)
    session.add(customer)
    session.flush()
    return customer


def touch(*, session: Session, customer: Customer, locale: str | None = None) -> None:
    customer.last_seen_at = utcnow()
    if locale:
        customer.locale = locale
    session.add(customer)


def attach_identity(*, session: Session, anonymous_id: str | None, external_ref: str) -> Customer:
    """The identified customer for ``external_ref``; what the anonymous session did moves to them.

    This is what lets an identified customer continue on another device: the next device's
    anonymous session is folded into the same identified record.
    """
    identified = session.exec(select(Customer).where(Customer.external_ref == external_ref)).first()
    anonymous = session.get(Customer, anonymous_id) if anonymous_id else None
    if identified is None:
        if anonymous is not None and anonymous.external_ref is None:
            anonymous.external_ref = external_ref
            session.add(anonymous)
            session.flush()
            return anonymous
        identified = Customer(external_ref=external_ref)
        session.add(identified)
        session.flush()
        return identified
    if anonymous is not None and anonymous.id != identified.id and anonymous.external_ref is None:
        _move_customer_rows(session, anonymous.id, identified.id)
    return identified


def _move_customer_rows(session: Session, from_id: str, to_id: str) -> None:
    """Every table that belongs to a customer (conversations, consents, claims, meetings,
    device data…) follows them: found by its ``customer_id`` column, so new channels are
    covered without touching this function."""
    from chat_widget import tables  # noqa: F401  (registers every table)

    session.flush()
    for table in SQLModel.metadata.sorted_tables:
        column = table.c.get("customer_id")
        if table.name == "customer" or column is None:
            continue
        session.execute(update(table).where(column == from_id).values(customer_id=to_id))
    session.flush()
