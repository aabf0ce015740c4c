"""Customer-facing texts (notice, consent, status messages), kept as JSON data per locale."""

from __future__ import annotations

from dataclasses import dataclass

from chat_widget.i18n import pick_locale
from chat_widget.meetings._data import load
from chat_widget.meetings.topics import Recording


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
    return str(load("notice.json")["version"])


def video_notice(locale: str, *, privacy_charter_url: str | None = None) -> VideoNotice:
    data = load("notice.json")
    loc = pick_locale(locale)
    t = data["texts"][loc]
    return VideoNotice(
        version=data["version"],
        locale=loc,
        title=t["title"],
        paragraphs=tuple(t["paragraphs"]),
        privacy_charter_url=privacy_charter_url or data["privacy_charter_url"][loc],
        privacy_link_label=t["privacy_link_label"],
        accept=t["accept"],
        decline=t["decline"],
        declined=t["declined"],
    )


def recording_notice(locale: str) -> RecordingNotice:
    data = load("notice.json")
    loc = pick_locale(locale)
    t = data["texts"][loc]
    return RecordingNotice(
        version=data["version"], locale=loc, notice=t["recording_notice"], tick=t["recording_tick"]
    )


def recording_reminder(locale: str, recording: Recording) -> str:
    t = load("notice.json")["texts"][pick_locale(locale)]
    return str(t["reminder_audio_only" if recording is Recording.AUDIO_ONLY else "reminder_none"])


def message(key: str, locale: str) -> str:
    return str(load("messages.json")[pick_locale(locale)][key])
