"""Reads the knowledge base from the JSON files next to this module.

The answers are reviewed content, so they live as data that a non-developer can edit and a test
can check (every intent × locale answered, quick replies pointing to real intents); the code
only looks them up.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from chat_widget.i18n import LOCALES, pick_locale

KB_DIR = Path(__file__).resolve().parent
ACTIONS = frozenset({"open_mybo", "open_live_chat", "open_video_booking"})


class KnowledgeBaseError(ValueError):
    """The knowledge base files are inconsistent (missing answer, unknown follow-up…)."""


@dataclass(frozen=True)
class IntentMeta:
    """What does not depend on the language: next questions, need of a person, widget action."""

    intent: str
    follow_ups: tuple[str, ...]
    handover: bool
    action: str | None
    priority: bool = False
    """A person should take this first (fraud): the hand-over is offered as a priority one."""


@dataclass(frozen=True)
class Answer:
    intent: str
    locale: str
    label: str
    text: str


@dataclass(frozen=True)
class KnowledgeBase:
    intents: Mapping[str, IntentMeta]
    answers: Mapping[str, Mapping[str, Answer]]  # locale -> intent -> answer
    messages: Mapping[str, Mapping[str, str]]  # locale -> key -> text
    summary_templates: Mapping[str, Mapping[str, str]]
    llm_prompts: Mapping[str, Any]

    def meta(self, intent: str) -> IntentMeta:
        return self.intents[intent]

    def answer(self, intent: str, locale: str) -> Answer:
        return self.answers[normalise_locale(locale)][intent]

    def label(self, intent: str, locale: str) -> str:
        return self.answer(intent, locale).label

    def message(self, key: str, locale: str) -> str:
        return self.messages[normalise_locale(locale)][key]

    def template(self, key: str, locale: str) -> str:
        return self.summary_templates[normalise_locale(locale)][key]

    def has_intent(self, intent: str | None) -> bool:
        return intent is not None and intent in self.intents


def normalise_locale(locale: str | None) -> str:
    """Maps 'fr-BE', 'NL_be', None… to one of the four supported locales (French by default)."""
    return pick_locale(locale)


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _per_locale(raw: Mapping[str, Any], name: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for locale in LOCALES:
        if locale not in raw:
            raise KnowledgeBaseError(f"{name}: locale {locale} missing")
        out[locale] = {str(k): str(v) for k, v in raw[locale].items()}
    keys = set(out[LOCALES[0]])
    for locale in LOCALES[1:]:
        if set(out[locale]) != keys:
            raise KnowledgeBaseError(
                f"{name}: keys of {locale} differ: {sorted(keys ^ set(out[locale]))}"
            )
    return out


def load_knowledge_base(directory: Path = KB_DIR) -> KnowledgeBase:
    """Loads and cross-checks every file; raises KnowledgeBaseError on any inconsistency."""
    raw_meta = _read(directory / "intents.json")["intents"]
    intents: dict[str, IntentMeta] = {}
    for name, item in raw_meta.items():
        action = item.get("action")
        if action is not None and action not in ACTIONS:
            raise KnowledgeBaseError(f"{name}: unknown action {action!r}")
        intents[name] = IntentMeta(
            intent=name,
            follow_ups=tuple(item.get("follow_ups", ())),
            handover=bool(item.get("handover", False)),
            action=action,
            priority=bool(item.get("priority", False)),
        )
    for meta in intents.values():
        unknown = [f for f in meta.follow_ups if f not in intents]
        if unknown:
            raise KnowledgeBaseError(f"{meta.intent}: follow-ups to unknown intents {unknown}")
    answers: dict[str, dict[str, Answer]] = {}
    for locale in LOCALES:
        raw = _read(directory / f"answers.{locale}.json")
        missing = sorted(set(intents) - set(raw))
        extra = sorted(set(raw) - set(intents))
        if missing or extra:
            raise KnowledgeBaseError(f"answers.{locale}: missing {missing}, unknown {extra}")
        answers[locale] = {
            name: Answer(
                intent=name, locale=locale, label=str(item["label"]), text=str(item["answer"])
            )
            for name, item in raw.items()
        }
    messages = _per_locale(
        {k: v for k, v in _read(directory / "messages.json").items() if k in LOCALES}, "messages"
    )
    templates = _per_locale(
        {k: v for k, v in _read(directory / "summary_templates.json").items() if k in LOCALES},
        "summary_templates",
    )
    return KnowledgeBase(
        intents=intents,
        answers=answers,
        messages=messages,
        summary_templates=templates,
        llm_prompts=_read(directory / "llm_prompts.json"),
    )


@lru_cache(maxsize=1)
def default_knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base, read once per process."""
    return load_knowledge_base()
