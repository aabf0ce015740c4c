"""The customer's data rights and retention: device-data consent, the retention purge, export
and erasure of one customer's data, and the audit-log export for admins.

Plain Python over a ``sqlmodel.Session`` and a :class:`chat_widget.files.BlobStore`; nothing
here commits except the helpers in ``jobs`` (which open their own unit of work).
"""

from __future__ import annotations

from chat_widget.privacy.customers import customer_by_ref, unhandled_customer_tables
from chat_widget.privacy.device import (
    NOTICE_FIELDS,
    collect_device_data,
    device_data_for_agent,
    device_data_visible,
    record_device_consent,
    store_device_data,
)
from chat_widget.privacy.erasure import ErasureReport, StatementItem, erase_customer
from chat_widget.privacy.errors import CustomerNotFound, PrivacyError
from chat_widget.privacy.export import collect_customer_data, export_customer
from chat_widget.privacy.purge import PurgeReport, purge_expired
from chat_widget.privacy.retention import RetentionPolicy, current_policy, policy_from
from chat_widget.privacy.texts import DeviceNotice, device_notice

__all__ = [
    "NOTICE_FIELDS",
    "CustomerNotFound",
    "DeviceNotice",
    "ErasureReport",
    "PrivacyError",
    "PurgeReport",
    "RetentionPolicy",
    "StatementItem",
    "collect_customer_data",
    "collect_device_data",
    "current_policy",
    "customer_by_ref",
    "device_data_visible",
    "device_data_for_agent",
    "device_notice",
    "erase_customer",
    "export_customer",
    "policy_from",
    "purge_expired",
    "record_device_consent",
    "store_device_data",
    "unhandled_customer_tables",
]
