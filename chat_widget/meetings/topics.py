"""Meeting topics and the recording rule each one carries.

The topic, not the customer, decides recording: investment advice must be recorded (sound only)
by law (MiFID II), every other topic is never recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat_widget.domain.calendar import Recording
from chat_widget.i18n import pick_locale, translations
from chat_widget.meetings._data import load


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    recording: Recording
    labels: dict[str, str]

    def label(self, locale: str) -> str:
        return self.labels[pick_locale(locale)]

    @property
    def needs_recording_tick(self) -> bool:
        return self.recording is Recording.AUDIO_ONLY


class UnknownTopic(ValueError):
    pass


def _labels(key: str) -> dict[str, str]:
    """A topic's name per language, from the ``meetings`` catalog (``topic.<key>``)."""
    return {
        locale: translations.gettext("meetings", locale, f"topic.{key}")
        for locale in translations.LOCALES
    }


def all_topics() -> list[Topic]:
    return [
        Topic(key=key, recording=Recording(raw["recording"]), labels=_labels(key))
        for key, raw in load("topics.json")["topics"].items()
    ]


def get_topic(key: str) -> Topic:
    for topic in all_topics():
        if topic.key == key:
            return topic
    raise UnknownTopic(key)
