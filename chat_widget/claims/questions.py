"""Questionnaires as data: ``questionnaires/*.json`` loaded into frozen objects.

Shared questions live in ``_common.json`` and are pulled in with ``{"ref": id, ...overrides}``,
so "policy number" reads the same everywhere. Loading checks the data (four locales, known
types, conditions pointing at earlier questions) so a bad edit fails at start-up and in tests,
not halfway through a customer's claim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

from chat_widget.claims.i18n import pick
from chat_widget.i18n import LOCALES


class QuestionType(StrEnum):
    DATE = "date"
    TIME = "time"
    PLACE = "place"
    CHOICE = "choice"
    YES_NO = "yes_no"
    AMOUNT = "amount"
    FREE_TEXT = "free_text"
    PLATE_NUMBER = "plate_number"
    POLICY_NUMBER = "policy_number"
    FILES = "files"


class QuestionnaireError(ValueError):
    """The questionnaire data is inconsistent."""


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: dict[str, str]


@dataclass(frozen=True, slots=True)
class Condition:
    """Show a question only when an earlier answer equals ``equals`` or is one of ``one_of``."""

    question: str
    one_of: tuple[Any, ...]

    def holds(self, answers: dict[str, Any]) -> bool:
        return self.question in answers and answers[self.question] in self.one_of


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: QuestionType
    label: dict[str, str]
    required: bool = True
    help: dict[str, str] | None = None
    options: tuple[Option, ...] = ()
    show_if: tuple[Condition, ...] = ()
    validation: dict[str, Any] = field(default_factory=dict)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def to_public(self, locale: str) -> dict[str, Any]:
        """What a UI needs to render the question in one locale."""
        return {
            "id": self.id,
            "type": self.type.value,
            "label": pick(self.label, locale),
            "help": pick(self.help, locale) if self.help else None,
            "required": self.required,
            "options": [{"id": o.id, "label": pick(o.label, locale)} for o in self.options],
            "validation": dict(self.validation),
        }


@dataclass(frozen=True, slots=True)
class Questionnaire:
    type: str
    family: str
    label: dict[str, str]
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index(self, question_id: str) -> int:
        for i, q in enumerate(self.questions):
            if q.id == question_id:
                return i
        raise KeyError(question_id)


def _labels(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or any(not raw.get(loc) for loc in LOCALES):
        raise QuestionnaireError(f"{where}: needs a non-empty label in each of {LOCALES}")
    return {loc: str(raw[loc]) for loc in LOCALES}


def _condition(raw: dict[str, Any], where: str) -> Condition:
    if "equals" in raw:
        values: tuple[Any, ...] = (raw["equals"],)
    elif "in" in raw and isinstance(raw["in"], list):
        values = tuple(raw["in"])
    else:
        raise QuestionnaireError(f"{where}: a condition needs 'equals' or 'in'")
    return Condition(question=str(raw["question"]), one_of=values)


def _question(raw: dict[str, Any], common: dict[str, Any], where: str) -> Question:
    if "ref" in raw:
        base = common.get(raw["ref"])
        if base is None:
            raise QuestionnaireError(f"{where}: unknown common question {raw['ref']!r}")
        merged = {**base, "id": raw["ref"], **{k: v for k, v in raw.items() if k != "ref"}}
    else:
        merged = raw
    qid = merged.get("id")
    if not isinstance(qid, str) or not qid:
        raise QuestionnaireError(f"{where}: question without id")
    where = f"{where}/{qid}"
    try:
        qtype = QuestionType(str(merged.get("type")))
    except ValueError as exc:
        raise QuestionnaireError(f"{where}: unknown type {merged.get('type')!r}") from exc
    options = tuple(
        Option(id=str(o["id"]), label=_labels(o.get("label"), f"{where}/{o.get('id')}"))
        for o in merged.get("options", [])
    )
    if qtype is QuestionType.CHOICE and len(options) < 2:
        raise QuestionnaireError(f"{where}: a choice needs at least two options")
    return Question(
        id=qid,
        type=qtype,
        label=_labels(merged.get("label"), where),
        required=bool(merged.get("required", True)),
        help=_labels(merged["help"], f"{where}/help") if merged.get("help") else None,
        options=options,
        show_if=tuple(_condition(c, where) for c in merged.get("show_if", [])),
        validation=dict(merged.get("validation", {})),
    )


def parse_questionnaire(raw: dict[str, Any], common: dict[str, Any]) -> Questionnaire:
    ctype = str(raw.get("type", ""))
    questions = tuple(_question(q, common, ctype) for q in raw.get("questions", []))
    seen: dict[str, Question] = {}
    for q in questions:
        if q.id in seen:
            raise QuestionnaireError(f"{ctype}: duplicate question {q.id}")
        for cond in q.show_if:
            # Conditions look backwards only, so answering in order always decides visibility.
            if cond.question not in seen:
                raise QuestionnaireError(
                    f"{ctype}/{q.id}: condition on later/unknown {cond.question}"
                )
            target = seen[cond.question]
            if target.type is QuestionType.CHOICE:
                unknown = [v for v in cond.one_of if target.option(str(v)) is None]
                if unknown:
                    raise QuestionnaireError(f"{ctype}/{q.id}: unknown option(s) {unknown}")
        seen[q.id] = q
    if not questions:
        raise QuestionnaireError(f"{ctype}: no questions")
    return Questionnaire(
        type=ctype,
        family=str(raw.get("family", "")),
        label=_labels(raw.get("label"), ctype),
        questions=questions,
    )


@lru_cache(maxsize=1)
def questionnaires() -> dict[str, Questionnaire]:
    """Every claim type, keyed by type, in file-name order."""
    folder = resources.files("chat_widget.claims").joinpath("questionnaires")
    common = json.loads(folder.joinpath("_common.json").read_text("utf-8"))["questions"]
    result: dict[str, Questionnaire] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json") or entry.name.startswith("_"):
            continue
        q = parse_questionnaire(json.loads(entry.read_text("utf-8")), common)
        result[q.type] = q
    return result


def questionnaire(claim_type: str) -> Questionnaire:
    try:
        return questionnaires()[claim_type]
    except KeyError as exc:
        raise KeyError(f"unknown claim type {claim_type!r}") from exc


def claim_types(locale: str) -> list[dict[str, str]]:
    """``[{"type", "family", "label"}]`` for the "what happened?" buttons."""
    return [
        {"type": q.type, "family": q.family, "label": pick(q.label, locale)}
        for q in questionnaires().values()
    ]
