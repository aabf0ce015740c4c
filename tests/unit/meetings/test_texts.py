from __future__ import annotations

import pytest

from chat_widget.i18n import LOCALES
from chat_widget.meetings.texts import message, recording_notice, recording_reminder, video_notice
from chat_widget.meetings.topics import Recording, all_topics, get_topic


def test_every_topic_has_every_locale() -> None:
    # The notice and messages: tests/unit/shell/test_catalogs.py (the ``meetings`` domain).
    for topic in all_topics():
        assert set(topic.labels) == set(LOCALES)


def test_recording_follows_topic() -> None:
    assert get_topic("investments").recording is Recording.AUDIO_ONLY
    assert get_topic("investments").needs_recording_tick
    for key in ("daily_banking", "loans_mortgage", "insurance"):
        assert get_topic(key).recording is Recording.NONE


@pytest.mark.parametrize("locale", LOCALES)
def test_notice_mentions_teams_and_recording_rule(locale: str) -> None:
    notice = video_notice(locale)
    body = " ".join(notice.paragraphs)
    assert "Microsoft Teams" in body
    assert notice.version and notice.privacy_charter_url.startswith("https://")
    assert recording_notice(locale).tick
    assert recording_reminder(locale, Recording.AUDIO_ONLY) != recording_reminder(
        locale, Recording.NONE
    )
    assert message("pending", locale)


def test_privacy_url_can_be_overridden() -> None:
    assert (
        video_notice("nl", privacy_charter_url="https://x.example/p").privacy_charter_url
        == "https://x.example/p"
    )


def test_the_key_promise_comes_first_in_short_paragraphs() -> None:
    for locale in LOCALES:
        paragraphs = video_notice(locale).paragraphs
        assert all(len(p) <= 160 for p in paragraphs), locale
    assert video_notice("en").paragraphs[0].startswith("We do not record the meeting.")
    assert video_notice("fr").paragraphs[0].startswith("Nous n'enregistrons pas")


def test_privacy_url_in_the_customer_language() -> None:
    from chat_widget.settings import load_settings

    settings = load_settings({"CW_ENV": "test", "CW_PRIVACY_URL": "https://b.example/{lang}/p"})
    assert settings.privacy_url_for("nl") == "https://b.example/nl/p"
    assert settings.privacy_url_for("xx") == "https://b.example/fr/p"
    assert load_settings({"CW_ENV": "test"}).privacy_url_for("de").endswith("/de/privacy")
