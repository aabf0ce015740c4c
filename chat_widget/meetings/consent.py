"""Video consent, stored in the shared consent table so one audit trail covers every channel."""

from __future__ import annotations

from sqlmodel import Session, col, select

from chat_widget.domain.models import ConsentRecord
from chat_widget.i18n import pick_locale
from chat_widget.meetings.texts import notice_version

VIDEO_PURPOSE = "video"


def record_video_consent(
    *, session: Session, customer_id: str, locale: str, granted: bool
) -> ConsentRecord:
    """Stores the decision with the version of the notice the customer actually saw."""
    record = ConsentRecord(
        customer_id=customer_id,
        purpose=VIDEO_PURPOSE,
        notice_version=notice_version(),
        locale=pick_locale(locale),
        granted=granted,
    )
    session.add(record)
    session.flush()
    return record


def has_video_consent(*, session: Session, customer_id: str) -> bool:
    """True only if the latest decision is a grant for the current notice version.

    A new notice version means the customer has not seen what they would be agreeing to, so
    they are asked again.
    """
    latest = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.customer_id == customer_id, ConsentRecord.purpose == VIDEO_PURPOSE)
        .order_by(col(ConsentRecord.created_at).desc(), col(ConsentRecord.id).desc())
        .limit(1)
    ).first()
    return bool(latest and latest.granted and latest.notice_version == notice_version())
