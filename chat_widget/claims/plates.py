"""Belgian licence plates.

Accepted, with or without dashes/spaces, case-insensitive, returned in canonical dashed form:
- current (since 2010): digit 1-9, three letters, three digits — ``1-ABC-123``;
- 2008–2010: three digits, three letters — ``123-ABC``;
- 1971–2008: three letters, three digits — ``ABC-123``;
- special series with a letter prefix — ``M-ABC-12`` style: ``M`` motorcycle, ``O`` old-timer,
  ``Q`` trailer, ``S`` speed pedelec / moped, ``T`` temporary, ``W`` ``Z`` professional / trade,
  ``C`` ``D`` diplomatic-series — followed by three letters and two or three digits;
- personalised plates when the question allows them: 2 to 9 letters and digits, starting with a
  digit 1-9 or a letter, containing a letter (``1-JOHN``, ``JOHN7``).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-\.·]+")
_CURRENT = re.compile(r"\A([1-9])([A-Z]{3})(\d{3})\Z")
_OLD = re.compile(r"\A([A-Z]{3})(\d{3})\Z")
_REVERSED = re.compile(r"\A(\d{3})([A-Z]{3})\Z")
_SPECIAL = re.compile(r"\A([MOQSTWZCD])([A-Z]{3})(\d{2,3})\Z")
_PERSONALISED = re.compile(r"\A(?=.*[A-Z])[1-9A-Z][A-Z0-9]{1,8}\Z")


def normalise_plate(raw: str, *, allow_personalised: bool = False) -> str | None:
    """The plate in canonical form, or None if it is not a Belgian plate."""
    if not isinstance(raw, str) or len(raw) > 20:
        return None
    compact = _SEPARATORS.sub("", raw.strip().upper())
    for pattern in (_CURRENT, _REVERSED, _OLD, _SPECIAL):
        match = pattern.match(compact)
        if match:
            return "-".join(match.groups())
    if allow_personalised and _PERSONALISED.match(compact):
        # Personalised plates keep a dash after a leading digit, as they are printed.
        if compact[0].isdigit():
            return f"{compact[0]}-{compact[1:]}"
        return compact
    return None
