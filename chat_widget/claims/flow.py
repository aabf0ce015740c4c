"""The claim conversation as pure functions over a plain, JSON-serialisable state dict.

Nothing here does I/O or reads the clock, so the UI can save the state after every answer and
tests can replay any path. State shape (version 1)::

    {"v": 1, "claim_type": "car_accident", "current": "incident_date" | None,
     "answers": {question_id: typed value or None}, "policy_start": "YYYY-MM-DD" | None,
     "review": bool}

``current`` is None once every visible question has been passed: the summary screen. ``review``
is set when an edit from the summary revealed questions never asked: answering them leads back
to the summary instead of walking through the rest again. An answer
kept for a question that a later edit hid stays in the state (the customer may flip back) but is
left out of the summary and of the submitted answers.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from chat_widget.claims.i18n import DOMAIN as CLAIMS_DOMAIN
from chat_widget.claims.i18n import pick
from chat_widget.claims.questions import Question, Questionnaire, questionnaire
from chat_widget.claims.validation import InvalidAnswer, ValidationContext, display_value, validate
from chat_widget.i18n import translations

STATE_VERSION = 1


class FlowError(ValueError):
    """The state or the request makes no sense (a programming error, not a customer's)."""


class IncompleteClaim(ValueError):
    """Submitted while required answers are missing; ``missing`` lists their question ids."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"missing answers: {', '.join(missing)}")
        self.missing = missing


@dataclass(frozen=True, slots=True)
class StepResult:
    """After an answer: the new state, the question to show now (None = summary), any error."""

    state: dict[str, Any]
    question: Question | None
    error: InvalidAnswer | None = None

    def error_message(self, locale: str) -> str | None:
        return self.error.message(locale) if self.error else None


@dataclass(frozen=True, slots=True)
class SummaryItem:
    question_id: str
    label: str
    display_value: str
    value: Any
    type: str
    required: bool
    #: a few words ("Date", "Policy number") for the customer's summary, where the whole
    #: question would wrap over lines; the documents keep ``label``
    short_label: str = ""


def start(claim_type: str, *, policy_start: date | None = None) -> dict[str, Any]:
    """A fresh draft positioned on the first question."""
    form = questionnaire(claim_type)
    state: dict[str, Any] = {
        "v": STATE_VERSION,
        "claim_type": claim_type,
        "current": None,
        "answers": {},
        "policy_start": policy_start.isoformat() if policy_start else None,
        "review": False,
    }
    first = _visible(form, state["answers"])
    state["current"] = first[0].id if first else None
    return state


def load_state(raw: dict[str, Any]) -> dict[str, Any]:
    """Check a state read back from storage; raises :class:`FlowError` if it cannot be used."""
    if not isinstance(raw, dict) or raw.get("v") != STATE_VERSION:
        raise FlowError("unsupported draft state")
    try:
        form = questionnaire(str(raw.get("claim_type")))
    except KeyError as exc:
        raise FlowError(str(exc)) from exc
    answers = raw.get("answers")
    current = raw.get("current")
    if not isinstance(answers, dict) or (current is not None and form.question(current) is None):
        raise FlowError("corrupt draft state")
    state = copy.deepcopy(raw)
    # Drop answers to questions removed from the questionnaire since the draft was saved.
    state["answers"] = {k: v for k, v in answers.items() if form.question(k) is not None}
    return state


def form_of(state: dict[str, Any]) -> Questionnaire:
    return questionnaire(state["claim_type"])


def current_question(state: dict[str, Any]) -> Question | None:
    current = state.get("current")
    return form_of(state).question(current) if current else None


def current_value(state: dict[str, Any]) -> Any:
    """The answer already given to the current question (to pre-fill it after "back")."""
    current = state.get("current")
    return state["answers"].get(current) if current else None


def visible_questions(state: dict[str, Any]) -> list[Question]:
    return _visible(form_of(state), state["answers"])


def answer(state: dict[str, Any], raw: Any, *, today: date) -> StepResult:
    """Validate ``raw`` for the current question; on success store it and move on."""
    form = form_of(state)
    question = current_question(state)
    if question is None:
        raise FlowError("no question is waiting for an answer")
    try:
        value = validate(question, raw, _context(state, today))
    except InvalidAnswer as error:
        return StepResult(state=state, question=question, error=error)
    new = _with_answer(state, question.id, value)
    visible = _visible(form, new["answers"])
    if new.get("review"):
        following = [q for q in visible if q.id not in new["answers"]]
    else:
        position = form.index(question.id)
        following = [q for q in visible if form.index(q.id) > position]
    new["current"] = following[0].id if following else None
    new["review"] = bool(following) and bool(new.get("review"))
    return StepResult(state=new, question=current_question(new))


def back(state: dict[str, Any]) -> StepResult:
    """Step to the previous visible question (from the summary: the last one)."""
    form = form_of(state)
    visible = _visible(form, state["answers"])
    current = state.get("current")
    if current is None:
        earlier = visible
    else:
        position = form.index(current)
        earlier = [q for q in visible if form.index(q.id) < position]
    if not earlier:
        return StepResult(state=state, question=current_question(state))
    new = copy.deepcopy(state)
    new["current"] = earlier[-1].id
    new["review"] = False
    return StepResult(state=new, question=current_question(new))


def edit(state: dict[str, Any], question_id: str, raw: Any, *, today: date) -> StepResult:
    """Change one answer from the summary. If that reveals questions never asked, go to the first."""
    form = form_of(state)
    question = form.question(question_id)
    if question is None or question not in _visible(form, state["answers"]):
        return StepResult(state=state, question=None, error=InvalidAnswer("unknown_question"))
    try:
        value = validate(question, raw, _context(state, today))
    except InvalidAnswer as error:
        return StepResult(state=state, question=question, error=error)
    new = _with_answer(state, question_id, value)
    unasked = [q for q in _visible(form, new["answers"]) if q.id not in new["answers"]]
    new["current"] = unasked[0].id if unasked else None
    new["review"] = bool(unasked)
    return StepResult(state=new, question=current_question(new))


def without_file(state: dict[str, Any], file_id: str) -> dict[str, Any]:
    """The state once a file was taken back out of the draft: every files answer that listed
    it loses it, and one left empty becomes "no answer" (so a required one is missing again)."""
    new = copy.deepcopy(state)
    for question_id, value in state["answers"].items():
        if isinstance(value, list) and file_id in value:
            remaining = [v for v in value if v != file_id]
            new["answers"][question_id] = remaining or None
    return new


def missing_required(state: dict[str, Any]) -> list[str]:
    answers = state["answers"]
    return [q.id for q in visible_questions(state) if q.required and answers.get(q.id) is None]


def summary(state: dict[str, Any], locale: str) -> list[SummaryItem]:
    """One line per visible question already passed, in questionnaire order."""
    answers = state["answers"]
    return [
        SummaryItem(
            question_id=q.id,
            label=pick(q.label, locale),
            display_value=display_value(q, answers[q.id], locale),
            value=answers[q.id],
            type=q.type.value,
            required=q.required,
            short_label=short_label(q, locale),
        )
        for q in visible_questions(state)
        if q.id in answers
    ]


def short_label(question: Question, locale: str) -> str:
    """The summary's label of ``question``: its short form (``summary.<id>`` in the ``claims``
    catalog), else the question itself."""
    key = f"summary.{question.id}"
    if translations.has(CLAIMS_DOMAIN, key):
        return translations.gettext(CLAIMS_DOMAIN, locale, key)
    return pick(question.label, locale)


def submit(state: dict[str, Any]) -> dict[str, Any]:
    """The final answers (visible questions only) or :class:`IncompleteClaim`."""
    missing = missing_required(state)
    if missing:
        raise IncompleteClaim(missing)
    answers = state["answers"]
    return {q.id: answers.get(q.id) for q in visible_questions(state)}


def _context(state: dict[str, Any], today: date) -> ValidationContext:
    start_raw = state.get("policy_start")
    return ValidationContext(
        today=today, policy_start=date.fromisoformat(start_raw) if start_raw else None
    )


def _with_answer(state: dict[str, Any], question_id: str, value: Any) -> dict[str, Any]:
    new = copy.deepcopy(state)
    new["answers"][question_id] = value
    return new


def _visible(form: Questionnaire, answers: dict[str, Any]) -> list[Question]:
    """Questions whose conditions hold on answers to questions that are themselves visible."""
    shown: dict[str, Any] = {}
    result: list[Question] = []
    for q in form.questions:
        if all(cond.holds(shown) for cond in q.show_if):
            result.append(q)
            if q.id in answers:
                shown[q.id] = answers[q.id]
    return result
