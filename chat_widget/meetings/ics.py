"""An iCalendar (RFC 5545) file for the customer's own calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from chat_widget.domain.clock import utcnow


def escape_text(value: str) -> str:
    """TEXT escaping of RFC 5545 §3.3.11: backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold_line(line: str) -> str:
    """Folds to 75 octets per line (§3.1) without splitting a UTF-8 character."""
    out: list[str] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b""
            limit = 74  # continuation lines start with one space
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc_stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # naive values in this project are UTC
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str,
    join_url: str | None,
    organizer_name: str = "",
    sequence: int = 0,
    cancelled: bool = False,
    now: datetime | None = None,
) -> str:
    """One VEVENT, times in UTC, join URL both in ``URL`` and the description."""
    body = description
    if join_url:
        body = f"{description}\n\n{join_url}" if description else join_url
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//chat-widget//video meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:CANCEL" if cancelled else "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{_utc_stamp(now or utcnow())}",
        f"DTSTART:{_utc_stamp(start)}",
        f"DTEND:{_utc_stamp(end)}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(body)}",
        "LOCATION:Microsoft Teams",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    if join_url:
        lines.append(f"URL:{join_url}")
    if organizer_name:
        lines.append(f"X-ADVISOR-NAME:{escape_text(organizer_name)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold_line(line) + "\r\n" for line in lines)
