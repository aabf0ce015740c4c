"""Customer-facing texts (notice, consent, status messages): the ``meetings`` gettext domain
(chat_widget.i18n.translations: one loader, French as the one fallback)."""

from __future__ import annotations

from dataclasses import dataclass

from chat_widget.i18n import pick_locale, translations
from chat_widget.meetings.topics import Recording

DOMAIN = "meetings"
#: Stored with each consent: bump it whenever a ``notice.*`` text changes in any language, so
#: a customer who consented to the old notice is asked again.
NOTICE_VERSION = "video-notice-2026-12-v2"


def _t(key: str, locale: str) -> str:
    if not translations.has(DOMAIN, key):
        raise KeyError(key)
    return translations.gettext(DOMAIN, locale, key)


def _paragraphs(locale: str) -> tuple[str, ...]:
    """``notice.paragraphs.1``, ``.2``… in order (a translator adds one by numbering it)."""
    prefix = "notice.paragraphs."
    numbers = sorted(
        int(key.removeprefix(prefix))
        for key in translations.msgids(DOMAIN)
        if key.startswith(prefix)
    )
    return tuple(_t(f"{prefix}{number}", locale) for number in numbers)


@dataclass(frozen=True, slots=True)
class VideoNotice:
    """What is shown before consent; ``version`` is stored with the customer's decision."""

    version: str
    locale: str
    title: str
    paragraphs: tuple[str, ...]
    privacy_charter_url: str
    privacy_link_label: str
    accept: str
    decline: str
    declined: str


@dataclass(frozen=True, slots=True)
class RecordingNotice:
    """Shown again for audio-recorded topics; the tick text is what the customer must check."""

    version: str
    locale: str
    notice: str
    tick: str


def notice_version() -> str:
    return NOTICE_VERSION


def video_notice(locale: str, *, privacy_charter_url: str | None = None) -> VideoNotice:
    loc = pick_locale(locale)
    return VideoNotice(
        version=NOTICE_VERSION,
        locale=loc,
        title=_t("notice.title", loc),
        paragraphs=_paragraphs(loc),
        privacy_charter_url=privacy_charter_url or _t("notice.privacy_charter_url", loc),
        privacy_link_label=_t("notice.privacy_link_label", loc),
        accept=_t("notice.accept", loc),
        decline=_t("notice.decline", loc),
        declined=_t("notice.declined", loc),
    )


def recording_notice(locale: str) -> RecordingNotice:
    loc = pick_locale(locale)
    return RecordingNotice(
        version=NOTICE_VERSION,
        locale=loc,
        notice=_t("notice.recording_notice", loc),
        tick=_t("notice.recording_tick", loc),
    )


def recording_reminder(locale: str, recording: Recording) -> str:
    key = "reminder_audio_only" if recording is Recording.AUDIO_ONLY else "reminder_none"
    return _t(f"notice.{key}", pick_locale(locale))


def message(key: str, locale: str) -> str:
    return _t(key, pick_locale(locale))
