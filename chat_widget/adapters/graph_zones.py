"""Time zone names as Microsoft Graph writes them, turned into ``ZoneInfo``.

Why this exists: ``bookingBusiness: getStaffAvailability`` answers in the staff member's or
business's zone, and Microsoft's own example
(``api-reference/v1.0/api/bookingbusiness-getstaffavailability.md``) writes it as a Windows
*display name*: ``"(UTC-08:00) Pacific Time (US & Canada)"``. The request example uses Windows
*standard names* (``"India Standard Time"``, ``"Pacific Standard Time"``), and
``resources/datetimetimezone.md`` allows IANA names too. Python only knows IANA names.

Resolution order: IANA name; Windows standard name; Windows display name (both tables list the
zones of the CLDR ``windowsZones`` mapping, territory "001", that a Belgian bank's staff and
customers are likely to be in, plus the one in Microsoft's example); for an unlisted display
name, a city of the display name that is also an IANA city ("(UTC+01:00) Brussels, …" →
Europe/Brussels); last, the fixed "(UTC±hh:mm)" offset of the display name. The last step is a
guess (it ignores daylight saving time) and is logged, never silent.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

log = logging.getLogger(__name__)

# Windows standard name -> IANA (CLDR windowsZones.xml, territory 001).
WINDOWS_STANDARD: dict[str, str] = {
    "UTC": "Etc/UTC",
    "Coordinated Universal Time": "Etc/UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "W. Central Africa Standard Time": "Africa/Lagos",
    "Morocco Standard Time": "Africa/Casablanca",
    "GTB Standard Time": "Europe/Bucharest",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "Israel Standard Time": "Asia/Jerusalem",
    "Egypt Standard Time": "Africa/Cairo",
    "South Africa Standard Time": "Africa/Johannesburg",
    "Turkey Standard Time": "Europe/Istanbul",
    "Russian Standard Time": "Europe/Moscow",
    "Arabian Standard Time": "Asia/Dubai",
    "India Standard Time": "Asia/Calcutta",
    "China Standard Time": "Asia/Shanghai",
    "Singapore Standard Time": "Asia/Singapore",
    "Tokyo Standard Time": "Asia/Tokyo",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "New Zealand Standard Time": "Pacific/Auckland",
    "Atlantic Standard Time": "America/Halifax",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "US Mountain Standard Time": "America/Phoenix",
    "Pacific Standard Time": "America/Los_Angeles",
    "Alaskan Standard Time": "America/Anchorage",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "E. South America Standard Time": "America/Sao_Paulo",
}

# Windows display name -> Windows standard name (the registry's "Display" values).
WINDOWS_DISPLAY: dict[str, str] = {
    "(UTC) Coordinated Universal Time": "UTC",
    "(UTC+00:00) Dublin, Edinburgh, Lisbon, London": "GMT Standard Time",
    "(UTC+00:00) Monrovia, Reykjavik": "Greenwich Standard Time",
    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "W. Europe Standard Time",
    "(UTC+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague": "Central Europe Standard Time",
    "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris": "Romance Standard Time",
    "(UTC+01:00) Sarajevo, Skopje, Warsaw, Zagreb": "Central European Standard Time",
    "(UTC+01:00) West Central Africa": "W. Central Africa Standard Time",
    "(UTC+01:00) Casablanca": "Morocco Standard Time",
    "(UTC+02:00) Athens, Bucharest": "GTB Standard Time",
    "(UTC+02:00) Chisinau": "E. Europe Standard Time",
    "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius": "FLE Standard Time",
    "(UTC+02:00) Jerusalem": "Israel Standard Time",
    "(UTC+02:00) Cairo": "Egypt Standard Time",
    "(UTC+02:00) Harare, Pretoria": "South Africa Standard Time",
    "(UTC+03:00) Istanbul": "Turkey Standard Time",
    "(UTC+03:00) Moscow, St. Petersburg": "Russian Standard Time",
    "(UTC+04:00) Abu Dhabi, Muscat": "Arabian Standard Time",
    "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi": "India Standard Time",
    "(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi": "China Standard Time",
    "(UTC+08:00) Kuala Lumpur, Singapore": "Singapore Standard Time",
    "(UTC+09:00) Osaka, Sapporo, Tokyo": "Tokyo Standard Time",
    "(UTC+10:00) Canberra, Melbourne, Sydney": "AUS Eastern Standard Time",
    "(UTC+12:00) Auckland, Wellington": "New Zealand Standard Time",
    "(UTC-04:00) Atlantic Time (Canada)": "Atlantic Standard Time",
    "(UTC-05:00) Eastern Time (US & Canada)": "Eastern Standard Time",
    "(UTC-06:00) Central Time (US & Canada)": "Central Standard Time",
    "(UTC-07:00) Mountain Time (US & Canada)": "Mountain Standard Time",
    "(UTC-07:00) Arizona": "US Mountain Standard Time",
    "(UTC-08:00) Pacific Time (US & Canada)": "Pacific Standard Time",
    "(UTC-09:00) Alaska": "Alaskan Standard Time",
    "(UTC-10:00) Hawaii": "Hawaiian Standard Time",
    "(UTC-03:00) Brasilia": "E. South America Standard Time",
}

_OFFSET = re.compile(r"^\(UTC(?:([+-])(\d\d):(\d\d))?\)\s*(.*)$")


class UnknownTimeZone(ValueError):
    """A zone name Graph sent that none of the rules above can place."""


@cache
def _cities() -> dict[str, str]:
    """IANA city part ("Brussels") -> zone ("Europe/Brussels"), for display-name cities."""
    result: dict[str, str] = {}
    for name in available_timezones():
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            result.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return result


@cache
def resolve_zone(name: str) -> tzinfo:
    """The zone for a Graph ``timeZone`` value; raises :class:`UnknownTimeZone`."""
    raw = (name or "").strip()
    if raw in ("", "UTC", "Etc/UTC", "tzone://Microsoft/Utc"):
        return UTC
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    standard = WINDOWS_STANDARD.get(raw) or WINDOWS_STANDARD.get(WINDOWS_DISPLAY.get(raw, ""))
    if standard:
        return UTC if standard == "Etc/UTC" else ZoneInfo(standard)
    match = _OFFSET.match(raw)
    if not match:
        raise UnknownTimeZone(raw)
    sign, hours, minutes, places = match.groups()
    for city in re.split(r",|\(|\)", places):
        zone = _cities().get(city.strip().lower())
        if zone:
            return ZoneInfo(zone)
    if sign is None:
        return UTC
    # Guess: a fixed offset is right in winter only; better than refusing the whole answer.
    log.warning("Graph time zone %r not known: using its fixed offset", raw)
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(delta if sign == "+" else -delta, raw[:11])
