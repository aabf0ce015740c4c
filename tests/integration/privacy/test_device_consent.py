"""Device data exists only next to a standing consent; the latest decision wins."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.domain.models import Customer
from chat_widget.privacy import (
    device_data_for_agent,
    device_data_visible,
    record_device_consent,
    store_device_data,
)
from chat_widget.privacy.records import DeviceProfile

RAW = {
    "browser": "Firefox 140",
    "os": "Android 15",
    "app_version": "7.2.0",
    "screen": "412x915",
    "language": "nl-BE",
    "ip": "203.0.113.9",
    "fingerprint": "abc",
    "battery": 0.4,
}


def _customer(engine: Engine) -> str:
    with session_scope(engine) as session:
        customer = Customer()
        session.add(customer)
        session.flush()
        return customer.id


def test_nothing_is_stored_without_consent(db_engine: Engine) -> None:
    cid = _customer(db_engine)
    with session_scope(db_engine) as session:
        assert device_data_visible(session=session, customer_id=cid) is False
        assert store_device_data(session=session, customer_id=cid, raw=RAW) is None
        assert session.exec(select(DeviceProfile)).all() == []
        assert device_data_for_agent(session=session, customer_id=cid) == {}


def test_grant_stores_only_notice_fields_and_withdrawal_deletes(db_engine: Engine) -> None:
    cid = _customer(db_engine)
    with session_scope(db_engine) as session:
        consent = record_device_consent(
            session=session, customer_id=cid, locale="nl-BE", granted=True, notice_version="2026-11"
        )
        assert consent.purpose == "device_data" and consent.locale == "nl"
        profile = store_device_data(session=session, customer_id=cid, raw=RAW)
        assert profile is not None
        assert set(profile.data) == {"browser", "os", "app_version", "screen", "language"}
        # Storing again replaces the one profile rather than piling up history.
        store_device_data(session=session, customer_id=cid, raw={**RAW, "browser": "Chrome 142"})
        assert len(session.exec(select(DeviceProfile)).all()) == 1
        assert device_data_for_agent(session=session, customer_id=cid)["browser"] == "Chrome 142"
        # The console's panel flag and ours follow the same rule.
        assert device_data_visible(session=session, customer_id=cid) is True

    with session_scope(db_engine) as session:
        record_device_consent(
            session=session, customer_id=cid, locale="nl", granted=False, notice_version="2026-11"
        )
        assert device_data_visible(session=session, customer_id=cid) is False
        assert session.exec(select(DeviceProfile)).all() == []
        assert device_data_for_agent(session=session, customer_id=cid) == {}
