from __future__ import annotations

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.domain.models import ConsentRecord, Customer
from chat_widget.meetings.consent import has_video_consent, record_video_consent
from chat_widget.meetings.texts import notice_version


def test_consent_is_recorded_with_notice_version(db_engine: Engine) -> None:
    with session_scope(db_engine) as session:
        customer = Customer(locale="nl")
        session.add(customer)
        session.flush()
        assert not has_video_consent(session=session, customer_id=customer.id)
        record = record_video_consent(
            session=session, customer_id=customer.id, locale="nl-BE", granted=True
        )
        assert record.purpose == "video" and record.notice_version == notice_version()
        assert record.locale == "nl"
        assert has_video_consent(session=session, customer_id=customer.id)


def test_decline_and_outdated_notice_mean_no_consent(db_engine: Engine) -> None:
    with session_scope(db_engine) as session:
        declined = Customer()
        old = Customer()
        session.add_all([declined, old])
        session.flush()
        record_video_consent(session=session, customer_id=declined.id, locale="fr", granted=False)
        session.add(
            ConsentRecord(
                customer_id=old.id, purpose="video", notice_version="old", locale="fr", granted=True
            )
        )
        session.flush()
        assert not has_video_consent(session=session, customer_id=declined.id)
        assert not has_video_consent(session=session, customer_id=old.id)
