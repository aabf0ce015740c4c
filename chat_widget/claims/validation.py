"""Turn what a customer typed or picked into a typed, JSON-safe answer — or say why not.

Stored answer shapes (the claim document schema repeats them):
date ``"YYYY-MM-DD"``, time ``"HH:MM"``, place/free_text ``str``, choice ``option id``,
yes_no ``bool``, amount ``"1234.56"`` (euros, exact decimal string), plate ``"1-ABC-123"``,
policy_number ``"123-4567890-02"``, files ``[file id, …]``; ``None`` is a skipped optional answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from chat_widget.claims.i18n import error_message, pick, ui_text
from chat_widget.claims.plates import normalise_plate
from chat_widget.claims.questions import Question, QuestionType
from chat_widget.guard import engine as guard

DEFAULT_MAX_AMOUNT = Decimal("10000000")
_BABEL_LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_BE", "de": "de_BE"}


class InvalidAnswer(ValueError):
    """An answer that cannot be kept; :meth:`message` says why in the customer's language."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, locale: str) -> str:
        return error_message(self.code, locale, **self.params)


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """What validation needs from outside: today's date (never read from the clock here)."""

    today: date
    policy_start: date | None = None


def is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return len(raw) == 0
    return False


def validate(question: Question, raw: Any, ctx: ValidationContext) -> Any:
    """The typed value to store, ``None`` for a skipped optional answer, or :class:`InvalidAnswer`."""
    if is_empty(raw):
        if question.required:
            raise InvalidAnswer("required")
        return None
    rules = question.validation
    match question.type:
        case QuestionType.DATE:
            return _date(raw, rules, ctx)
        case QuestionType.TIME:
            return _time(raw)
        case QuestionType.PLACE:
            return _text(raw, int(rules.get("min_length", 2)), int(rules.get("max_length", 300)))
        case QuestionType.FREE_TEXT:
            return _text(raw, int(rules.get("min_length", 1)), int(rules.get("max_length", 2000)))
        case QuestionType.CHOICE:
            return _choice(question, raw)
        case QuestionType.YES_NO:
            return _yes_no(raw)
        case QuestionType.AMOUNT:
            return _amount(raw, Decimal(str(rules.get("max", DEFAULT_MAX_AMOUNT))))
        case QuestionType.PLATE_NUMBER:
            plate = normalise_plate(
                str(raw), allow_personalised=bool(rules.get("allow_personalised"))
            )
            if plate is None:
                raise InvalidAnswer("invalid_plate")
            return plate
        case QuestionType.POLICY_NUMBER:
            return _policy_number(raw, checksum=rules.get("checksum", "mod97") == "mod97")
        case QuestionType.FILES:
            minimum = int(rules.get("min_files", 1 if question.required else 0))
            return _files(raw, minimum, int(rules.get("max_files", 20)))
    raise InvalidAnswer("required")  # pragma: no cover - every type is matched above


# --- dates and times -------------------------------------------------------------------------

_DMY = re.compile(r"\A(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\Z")
_YMD = re.compile(r"\A(\d{4})-(\d{1,2})-(\d{1,2})\Z")


def parse_date(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        if m := _YMD.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            # Belgium writes day first in every language.
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def _date(raw: Any, rules: dict[str, Any], ctx: ValidationContext) -> str:
    value = parse_date(raw)
    if value is None:
        raise InvalidAnswer("invalid_date")
    if value > ctx.today and not rules.get("allow_future"):
        raise InvalidAnswer("date_in_future")
    if (
        rules.get("not_before_policy_start", True)
        and ctx.policy_start is not None
        and value < ctx.policy_start
    ):
        raise InvalidAnswer(
            "date_before_policy_start", policy_start=ctx.policy_start.strftime("%d/%m/%Y")
        )
    max_age = rules.get("max_age_days")
    if max_age is not None and value < ctx.today - timedelta(days=int(max_age)):
        raise InvalidAnswer("date_too_old")
    return value.isoformat()


_TIME = re.compile(r"\A(\d{1,2})\s*(?:[:hH.u]\s*(\d{2})?)?\s*(?:h|u|uur|Uhr)?\Z")


def _time(raw: Any) -> str:
    if isinstance(raw, time):
        return raw.strftime("%H:%M")
    m = _TIME.match(str(raw).strip())
    if not m:
        raise InvalidAnswer("invalid_time")
    hour, minute = int(m[1]), int(m[2] or 0)
    if hour > 23 or minute > 59:
        raise InvalidAnswer("invalid_time")
    return f"{hour:02d}:{minute:02d}"


# --- text, choice, yes/no ---------------------------------------------------------------------


def _text(raw: Any, min_length: int, max_length: int) -> str:
    if not isinstance(raw, str):
        raw = str(raw)
    # Control characters (other than line breaks and tabs) have no place in a claim file.
    text = "".join(ch for ch in raw if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if len(text) < min_length:
        raise InvalidAnswer("text_too_short", min=min_length)
    if len(text) > max_length:
        raise InvalidAnswer("text_too_long", max=max_length)
    # The privacy guard, as in every channel: codes, passwords and card numbers are refused and
    # never stored; account and national numbers are kept masked (no question here asks them).
    stored, _ = guard.screen(text)
    if stored is None:
        raise InvalidAnswer("sensitive_blocked")
    return stored


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _choice(question: Question, raw: Any) -> str:
    wanted = _fold(str(raw))
    for option in question.options:
        if wanted == _fold(option.id) or any(wanted == _fold(lbl) for lbl in option.label.values()):
            return option.id
    raise InvalidAnswer("invalid_choice")


_YES = {"yes", "y", "oui", "ja", "j", "true", "1", "o"}
_NO = {"no", "n", "non", "nee", "nein", "false", "0"}


def _yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = _fold(str(raw))
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise InvalidAnswer("invalid_yes_no")


# --- amounts ----------------------------------------------------------------------------------

_CURRENCY = re.compile(r"(?i)€|eur(?:os?)?\b|\beuro\b")
_AMOUNT_CHARS = re.compile(r"\A[+-]?[\d.,]+\Z")


def parse_amount(raw: Any) -> Decimal:
    """Euros from "1.234,56", "1,234.56", "1234.56 €", "€ 12", "1 234,5"; separators by position.

    One separator kind used once and followed by exactly three digits is read as thousands,
    since euro amounts have at most two decimals; with both kinds, the last one is decimal.
    """
    if isinstance(raw, bool):
        raise InvalidAnswer("invalid_amount")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    text = _CURRENCY.sub("", str(raw))
    text = re.sub(r"[\s\u00a0\u202f'’]", "", text)
    if not text or not _AMOUNT_CHARS.match(text):
        raise InvalidAnswer("invalid_amount")
    sign = ""
    if text[0] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:]
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
        thousands = "," if decimal_sep == "." else "."
        integer, _, fraction = text.rpartition(decimal_sep)
        if decimal_sep in integer or not _grouped(integer, thousands):
            raise InvalidAnswer("invalid_amount")
        number = integer.replace(thousands, "") + "." + fraction
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        parts = text.split(sep)
        if len(parts) > 2 or len(parts[-1]) == 3:
            if not _grouped(text, sep):
                raise InvalidAnswer("invalid_amount")
            number = text.replace(sep, "")
        else:
            number = parts[0] + "." + parts[1]
    else:
        number = text
    if not re.fullmatch(r"\d+(\.\d+)?", number) and not re.fullmatch(r"\.\d+", number):
        raise InvalidAnswer("invalid_amount")
    try:
        return Decimal(sign + number)
    except InvalidOperation as exc:
        raise InvalidAnswer("invalid_amount") from exc


def _grouped(text: str, sep: str) -> bool:
    groups = text.split(sep)
    return (
        1 <= len(groups[0]) <= 3
        and groups[0].isdigit()
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
    )


def _amount(raw: Any, maximum: Decimal) -> str:
    value = parse_amount(raw)
    if not value.is_finite():
        raise InvalidAnswer("invalid_amount")
    if value <= 0:
        raise InvalidAnswer("amount_not_positive")
    if value > maximum:
        raise InvalidAnswer("amount_too_large", max=f"{maximum:,.0f}".replace(",", "."))
    if value != value.quantize(Decimal("0.01")):
        raise InvalidAnswer("amount_too_precise")
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --- identifiers ------------------------------------------------------------------------------


def _policy_number(raw: Any, *, checksum: bool) -> str:
    digits = re.sub(r"[\s\-./]", "", str(raw))
    if not re.fullmatch(r"\d{12}", digits):
        raise InvalidAnswer("invalid_policy_number")
    if checksum:
        expected = int(digits[:10]) % 97 or 97
        if int(digits[10:]) != expected:
            raise InvalidAnswer("policy_number_checksum")
    return f"{digits[:3]}-{digits[3:10]}-{digits[10:]}"


_FILE_ID = re.compile(r"\A[0-9a-f]{32}\Z")


def _files(raw: Any, minimum: int, maximum: int) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(
        isinstance(x, str) and _FILE_ID.match(x) for x in raw
    ):
        raise InvalidAnswer("invalid_files")
    ids = list(dict.fromkeys(raw))
    if len(ids) < minimum:
        raise InvalidAnswer("files_too_few", min=minimum)
    if len(ids) > maximum:
        raise InvalidAnswer("files_too_many", max=maximum)
    return ids


# --- display ----------------------------------------------------------------------------------


def display_value(question: Question, value: Any, locale: str) -> str:
    """An answer as a customer or handler reads it, in ``locale``."""
    if value is None:
        return ui_text("not_answered", locale)
    babel_locale = _BABEL_LOCALES.get(locale, "en_BE")
    match question.type:
        case QuestionType.DATE:
            return format_date(date.fromisoformat(value), "medium", locale=babel_locale)
        case QuestionType.YES_NO:
            return ui_text("yes" if value else "no", locale)
        case QuestionType.CHOICE:
            option = question.option(value)
            return pick(option.label, locale) if option else str(value)
        case QuestionType.AMOUNT:
            return format_currency(Decimal(value), "EUR", locale=babel_locale)
        case QuestionType.FILES:
            return ui_text("files_count", locale, count=len(value))
    return str(value)
