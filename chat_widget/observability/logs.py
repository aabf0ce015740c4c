"""Structured logs: one JSON object per line, with ids, never a customer's words.

Why JSON lines: the bank's log shipper parses one object per line, and an operator follows a
request or a conversation across workers by its id (``request_id``, ``conversation_id``,
``event``), which context variables add to every line written while they are bound.

Why masking here too: logs are kept longer and read by more people than the data they
describe. The code logs ids and counts, never texts; as a second line of defence every line
(message, extra fields and exception text) goes through the privacy guard's ``mask`` (PINs,
card numbers, IBANs, national numbers… become placeholders), and database errors lose the
row/parameter detail in which PostgreSQL and SQLAlchemy would repeat a stored text. If the
mask itself fails, the line is withheld rather than written unmasked.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TextIO

from chat_widget.settings import environ

_EMPTY: Mapping[str, str] = MappingProxyType({})
_CONTEXT: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "cw_log_context", default=_EMPTY
)

#: ``logging.LogRecord`` attributes that are not caller-supplied ``extra`` fields.
_RECORD_FIELDS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime"}
)
# PostgreSQL repeats the failing row ("DETAIL: Failing row contains (…)", key values) and
# SQLAlchemy the bound parameters: either can hold a customer's message.
_DB_DETAIL = re.compile(
    r"(DETAIL:.*$|Failing row contains.*$|\[parameters:.*?\]$|Key \(.*?\)=\(.*?\).*$)",
    re.MULTILINE,
)
# Reflex's per-tab id (?token=) and the customers' file-link tokens (?t=) travel in URLs, which
# nginx's error lines and some library messages repeat.
_URL_TOKEN = re.compile(r"([?&](?:token|t)=)[^&\s\"']+")
WITHHELD = "[withheld: masking failed]"


def bind(**fields: str | None) -> contextvars.Token[Mapping[str, str]]:
    """Add fields to every line logged from this context on (an asyncio task, a thread run by
    ``asyncio.to_thread``); returns the token to :func:`unbind` with."""
    current = dict(_CONTEXT.get())
    current.update({k: str(v) for k, v in fields.items() if v})
    return _CONTEXT.set(current)


def unbind(token: contextvars.Token[Mapping[str, str]]) -> None:
    _CONTEXT.reset(token)


@contextmanager
def context(**fields: str | None) -> Iterator[None]:
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


def current() -> Mapping[str, str]:
    return _CONTEXT.get()


def scrub(text: str) -> str:
    """What may be written to a log: database row/parameter details dropped, then the guard's
    mask. Fails closed."""
    text = _DB_DETAIL.sub("[detail withheld]", text)
    text = _URL_TOKEN.sub(r"\1[withheld]", text)
    try:
        from chat_widget.guard import mask

        return mask(text)
    except Exception:  # a log line must never leak because the guard broke
        return WITHHELD


def _exception_text(record: logging.LogRecord) -> str | None:
    if not record.exc_info or record.exc_info[0] is None:
        return None
    return "".join(traceback.format_exception(*record.exc_info)).rstrip()


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.__dict__.items():
        if key in _RECORD_FIELDS or key.startswith("_"):
            continue
        if isinstance(value, bool | int | float) or value is None:
            out[key] = value
        else:
            out[key] = scrub(str(value))
    return out


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, context ids, extras."""

    def __init__(self, *, static: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._static = dict(static or {})

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
            "pid": record.process,
            **self._static,
            **_CONTEXT.get(),
            **_extra(record),
        }
        exc = _exception_text(record)
        if exc is not None:
            line["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None  # type: ignore[index]
            line["exc"] = scrub(exc)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a developer's terminal; masked like the JSON lines."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{k}={v}" for k, v in _CONTEXT.get().items())
        when = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        text = f"{when} {record.levelname:<7} {record.name} {ids + ' ' if ids else ''}"
        text += scrub(record.getMessage())
        exc = _exception_text(record)
        return text + ("\n" + scrub(exc) if exc else "")


def formatter(fmt: str, *, static: Mapping[str, str] | None = None) -> logging.Formatter:
    return JsonFormatter(static=static) if fmt == "json" else TextFormatter()


#: Libraries that log every request or connection at INFO: warnings and above only.
NOISY = (
    "httpx",
    "httpcore",
    "azure",
    "msal",
    "urllib3",
    "kiota_http",
    "engineio",
    "socketio",
    "alembic",  # "Context impl PostgresqlImpl." on every schema check
)


def configure(
    *,
    level: str = "INFO",
    fmt: str = "json",
    stream: TextIO | None = None,
    static: Mapping[str, str] | None = None,
) -> None:
    """Route every logger (ours, Reflex's, Granian's, libraries') to one handler on stderr.

    Called once per worker at import of the app; calling again replaces the handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_cw_handler", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(fmt, static=static))
    handler._cw_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries that install their own handlers would write twice (and unmasked).
    for name in ("_granian", "granian", "granian.access", "reflex", "uvicorn", "alembic"):
        lib = logging.getLogger(name)
        lib.handlers.clear()
        lib.propagate = True
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.captureWarnings(True)


def granian_dictconfig(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """Granian's own loggers (main process and workers) in the same format, for its
    ``log_dictconfig``: otherwise it prints plain-text lines of its own."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"cw": {"()": f"{__name__}.formatter", "fmt": fmt}},
        "handlers": {
            "cw": {
                "class": "logging.StreamHandler",
                "formatter": "cw",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "_granian": {"handlers": ["cw"], "level": level, "propagate": False},
            "granian.access": {"handlers": ["cw"], "level": "WARNING", "propagate": False},
        },
    }


def worker_label() -> dict[str, str]:
    """``worker`` on every line when the supervisor numbered this process."""
    worker = environ().get("CW_WORKER_ID")
    return {"worker": worker} if worker else {}
