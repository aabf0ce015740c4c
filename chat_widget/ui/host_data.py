"""Validation of everything the host page (or a native app) hands the widget.

Host data is never trusted: each field is checked for type, length and shape, and anything off
is dropped (and counted) rather than stored or echoed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from chat_widget.i18n import normalize_locale

_TOPIC_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
MAX_MESSAGE_BYTES = 16_384


@dataclass
class HostMessage:
    type: str
    locale: str | None = None
    topic: str | None = None
    page: str | None = None
    session: str | None = None
    token: str | None = None
    rejected: list[str] = field(default_factory=list)


def clean_topic(value: object) -> str | None:
    if isinstance(value, str) and _TOPIC_RE.match(value.strip().lower()):
        return value.strip().lower()
    return None


def clean_page(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 2048:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    # Query strings and fragments may carry personal data: keep the page, not its parameters.
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def parse_json_object(raw: object) -> dict[str, object] | None:
    if not isinstance(raw, str) or len(raw.encode()) > MAX_MESSAGE_BYTES:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def parse_host_message(data: object) -> HostMessage | None:
    """A protocol-v1 message with its fields cleaned; None if it is not one at all."""
    if not isinstance(data, dict) or data.get("cw") != 1 or not isinstance(data.get("type"), str):
        return None
    msg = HostMessage(type=str(data["type"]))
    checks = {
        "locale": normalize_locale,
        "topic": clean_topic,
        "page": clean_page,
        "session": lambda v: v if isinstance(v, str) and len(v) <= 100 else None,
        "token": lambda v: v if isinstance(v, str) and 0 < len(v) <= 8192 else None,
    }
    for name, check in checks.items():
        if name in data and data[name] is not None:
            value = check(data[name])
            if value is None:
                msg.rejected.append(name)
            else:
                setattr(msg, name, value)
    return msg
