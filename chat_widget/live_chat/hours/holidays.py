"""Belgian public holidays for the opening hours (shared with video slots: chat_widget.domain)."""

from __future__ import annotations

from chat_widget.domain.holidays import belgian_public_holidays, easter_sunday, holiday_on

__all__ = ["belgian_public_holidays", "easter_sunday", "holiday_on"]
