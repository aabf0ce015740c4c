"""Errors of the meetings use-case.

MeetingError
 ├── GatewayError                 the calendar system (Graph) said no or did not answer
 │    ├── GatewayUnavailable      5xx, 429, timeout, connection lost: retry later (may have
 │    │                           happened server-side when ``ambiguous`` is true)
 │    ├── GatewayAuthError        401/403: configuration or permission problem on our side
 │    ├── SlotTaken               409: someone got the slot first
 │    └── AppointmentNotFound     404
 ├── ConsentRequired              no current video consent for this customer
 ├── RecordingTickRequired        investment topic booked without the explicit tick
 └── BookingNotFound              no such booking id for this customer
"""

from __future__ import annotations


class MeetingError(Exception):
    pass


class GatewayError(MeetingError):
    def __init__(self, message: str = "", *, status: int | None = None, code: str | None = None):
        super().__init__(message or code or self.__class__.__name__)
        self.status = status
        self.code = code


class GatewayUnavailable(GatewayError):
    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        ambiguous: bool = False,
    ):
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after
        # True when the request may have been carried out although we got no answer.
        self.ambiguous = ambiguous


class GatewayAuthError(GatewayError):
    pass


class SlotTaken(GatewayError):
    pass


class AppointmentNotFound(GatewayError):
    pass


class ConsentRequired(MeetingError):
    pass


class RecordingTickRequired(MeetingError):
    pass


class BookingNotFound(MeetingError):
    pass
