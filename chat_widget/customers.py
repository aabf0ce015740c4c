"""Customers: anonymous widget sessions and bank-identified people."""

from __future__ import annotations

from sqlmodel import Session, select

from chat_widget.domain.models import ConsentRecord, Conversation, Customer, utcnow


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
        for table in (Conversation, ConsentRecord):
            for row in session.exec(select(table).where(table.customer_id == anonymous.id)):
                row.customer_id = identified.id
                session.add(row)
        session.flush()
    return identified
