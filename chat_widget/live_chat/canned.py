"""Canned replies for the console's composer: expanded for one chat, searchable after ``/``.

Templates are the ``canned`` gettext domain (chat_widget.i18n.translations), in file order. Two
variables are filled here: ``{first_name}`` (the customer's, when the bank knows it) and
``{agent}`` (the agent's first name). Most chats are anonymous, so an empty ``{first_name}``
must not leave "Bonjour , je suis" behind: the placeholder goes together with the comma or
space in front of it. Other placeholders (``{topic}``) are filled when given, kept otherwise,
so the agent sees what still has to be typed.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from chat_widget.i18n import translations

#: ", {first_name}" / " {first_name}" / "{first_name}" — what an unknown name takes with it
_EMPTY_NAME = re.compile(r"[,\s]*\{first_name\}")
_SPACES = re.compile(r"\s{2,}")


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class CannedReply:
    key: str
    text: str
    #: the key and text folded (no case, no accents): what the ``/`` search matches against
    search: str


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Réponse" and "reponse" find the same reply."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def expand(template: str, *, first_name: str, agent: str, **params: str) -> str:
    """One template with the chat's values; an empty first name disappears cleanly."""
    name = first_name.strip()
    if not name:
        template = _EMPTY_NAME.sub("", template).lstrip(", ")
        if template and template[0].islower():
            template = template[0].upper() + template[1:]
    values = _Keep({k: v for k, v in params.items() if v}, first_name=name, agent=agent.strip())
    filled = string.Formatter().vformat(template, (), values)
    return _SPACES.sub(" ", filled).strip()


def canned_for(
    locale: str | None, *, first_name: str, agent: str, **params: str
) -> list[CannedReply]:
    """Every canned reply in the chat's language, expanded, in the catalog's order."""
    templates = translations.messages("canned", locale)
    replies = []
    for key in translations.msgids("canned"):
        text = expand(templates[key], first_name=first_name, agent=agent, **params)
        replies.append(CannedReply(key=key, text=text, search=fold(f"{key} {text}")))
    return replies


def search(replies: list[CannedReply], query: str) -> list[CannedReply]:
    """Replies that contain every word typed after ``/`` (any order, case and accents ignored).

    The console runs the same test in the browser on ``CannedReply.search`` while the agent
    types, so the list follows each key stroke without a round trip."""
    words = fold(query.lstrip("/")).split()
    return [r for r in replies if all(w in r.search for w in words)]


def customer_first_name(*, session: Session, customer_id: str) -> str:
    """The first name the customer gave the bank themselves (their latest video-meeting
    booking), or "" — anonymous chats have none, and nothing is guessed."""
    from chat_widget.meetings.records import MeetingAppointment

    name = session.exec(
        select(MeetingAppointment.customer_name)
        .where(MeetingAppointment.customer_id == customer_id)
        .order_by(col(MeetingAppointment.created_at).desc())
        .limit(1)
    ).first()
    parts = (name or "").split()
    return parts[0][:64] if parts else ""


def replies_for_chat(
    *, session: Session, customer_id: str, language: str, agent: str, topic: str
) -> list[CannedReply]:
    """The composer's replies for one chat: in its language, with the customer's first name
    when the bank knows it, the agent's and the chat's topic (a label, "" for none)."""
    first_name = customer_first_name(session=session, customer_id=customer_id)
    return canned_for(language, first_name=first_name, agent=agent, topic=topic)
