"""The bank's advisors file: who serves which topics in which languages.

One reading for everyone who books or checks bookings: the widget's booking service, the
``meetings.check`` command and the erasure job's Bookings clean-up must see the same file, or
the check would pass on advisors the widget never offers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from chat_widget.meetings.slots import Advisor
from chat_widget.settings import environ

#: The demo advisors shipped with the package, used when ``CW_ADVISORS_PATH`` is not set.
SHIPPED_ADVISORS = Path(__file__).resolve().parent / "advisors.json"


def advisors_path(env: Mapping[str, str] | None = None) -> Path:
    """``CW_ADVISORS_PATH`` (an empty value counts as unset), else the shipped file."""
    return Path((environ() if env is None else env).get("CW_ADVISORS_PATH") or SHIPPED_ADVISORS)


def load_advisors(path: Path) -> tuple[Advisor, ...]:
    """The advisors listed in ``path`` (``{"advisors": [{staff_id, first_name, topics,
    languages}, …]}``); raises ``OSError``, ``ValueError`` or ``KeyError`` on a bad file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Advisor(
            staff_id=str(a["staff_id"]),
            first_name=str(a["first_name"]),
            topics=frozenset(a["topics"]),
            languages=frozenset(a["languages"]),
        )
        for a in data["advisors"]
    )
