"""Finding the customer a data-rights request is about, and every table that holds their data."""

from __future__ import annotations

from sqlmodel import Session, SQLModel, select

from chat_widget.domain.models import Customer
from chat_widget.privacy.errors import CustomerNotFound

#: Per parent table, the tables with a foreign key to it that export and erasure handle. A new
#: table pointing at customers, conversations or claims must be added here (and to export and
#: erasure): ``unhandled_customer_tables`` and its test fail until it is.
HANDLED_DEPENDANTS: dict[str, frozenset[str]] = {
    "customer": frozenset(
        {
            "conversation",
            "consentrecord",
            "chatrequest",
            "claim",
            "meeting_appointment",
            "meeting_customer",
            "device_profile",
            "chat_file",
            "callback_request",
        }
    ),
    "conversation": frozenset(
        {"message", "chatrequest", "internalnote", "readstate", "claim", "chat_file"}
    ),
    "claim": frozenset({"claim_file", "claim_status_change"}),
}


def customer_by_ref(*, session: Session, external_ref: str) -> Customer:
    """The identified customer; data rights are only exercised for the bank's own customers."""
    customer = session.exec(select(Customer).where(Customer.external_ref == external_ref)).first()
    if customer is None:
        raise CustomerNotFound(external_ref)
    return customer


def tables_referencing(parent: str) -> set[str]:
    """Every table of the schema with a foreign key to ``parent``."""
    found: set[str] = set()
    for table in SQLModel.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.target_fullname.split(".")[0] == parent:
                found.add(table.name)
    return found


def unhandled_customer_tables() -> set[str]:
    """Tables holding a customer's data (directly or through a conversation or claim) that
    export and erasure do not know about; must be empty."""
    missing: set[str] = set()
    for parent, handled in HANDLED_DEPENDANTS.items():
        missing |= tables_referencing(parent) - handled
    return missing
