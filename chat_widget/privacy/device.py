"""Consent for technical device data, and the device data itself.

The notice names five fields (browser, operating system, app version, screen size, language);
nothing else the browser reports is kept, whatever the client sends. Device data is stored only
while the customer's latest choice is a grant, and a withdrawal deletes what was collected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, delete, select

from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import ConsentRecord
from chat_widget.i18n import pick_locale
from chat_widget.privacy.records import DeviceProfile

#: Field -> longest value kept. The names are the notice's; keep the two in step.
NOTICE_FIELDS: dict[str, int] = {
    "browser": 64,
    "os": 64,
    "app_version": 32,
    "screen": 16,
    "language": 16,
}

DEVICE_DATA_PURPOSE = "device_data"


def record_device_consent(
    *, session: Session, customer_id: str, locale: str, granted: bool, notice_version: str
) -> ConsentRecord:
    """Store the choice with the notice version shown; a refusal also deletes collected data."""
    consent = ConsentRecord(
        customer_id=customer_id,
        purpose=DEVICE_DATA_PURPOSE,
        notice_version=notice_version[:32],
        locale=pick_locale(locale),
        granted=granted,
    )
    session.add(consent)
    if not granted:
        session.execute(delete(DeviceProfile).where(col(DeviceProfile.customer_id) == customer_id))
    session.flush()
    return consent


def device_data_visible(*, session: Session, customer_id: str) -> bool:
    """The latest decision wins; no decision means no (the agents' side panel and the widget
    ask the same question)."""
    query = (
        select(ConsentRecord)
        .where(
            ConsentRecord.customer_id == customer_id, ConsentRecord.purpose == DEVICE_DATA_PURPOSE
        )
        .order_by(col(ConsentRecord.created_at).desc(), col(ConsentRecord.id).desc())
    )
    latest = session.exec(query).first()
    return bool(latest and latest.granted)


def collect_device_data(raw: Mapping[str, Any], allowed: bool) -> dict[str, str]:
    """Only the notice's fields, as short strings; ``{}`` when the customer has not allowed it."""
    if not allowed:
        return {}
    kept: dict[str, str] = {}
    for name, limit in NOTICE_FIELDS.items():
        value = raw.get(name)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float | str):
            text = " ".join(str(value).split())[:limit]
            if text:
                kept[name] = text
    return kept


def store_device_data(
    *, session: Session, customer_id: str, raw: Mapping[str, Any]
) -> DeviceProfile | None:
    """Keep the customer's current device data, if allowed (one row per customer, replaced).

    The consent is checked here, not by the caller, so no code path can store without it.
    """
    data = collect_device_data(raw, device_data_visible(session=session, customer_id=customer_id))
    if not data:
        return None
    profile = session.exec(
        select(DeviceProfile).where(DeviceProfile.customer_id == customer_id)
    ).first()
    if profile is None:
        profile = DeviceProfile(customer_id=customer_id, data=data)
    else:
        profile.data = data
        profile.collected_at = utcnow()
    session.add(profile)
    session.flush()
    return profile


def device_data_for_agent(*, session: Session, customer_id: str) -> dict[str, str]:
    """What the console may show: the stored data only while the consent still stands."""
    if not device_data_visible(session=session, customer_id=customer_id):
        return {}
    profile = session.exec(
        select(DeviceProfile)
        .where(DeviceProfile.customer_id == customer_id)
        .order_by(col(DeviceProfile.collected_at).desc())
    ).first()
    return {str(k): str(v) for k, v in (profile.data if profile else {}).items()}
