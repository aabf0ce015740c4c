"""Log lines: one JSON object each, with the context ids, never a secret or a row's text."""

from __future__ import annotations

import io
import json
import logging

import pytest

from chat_widget.observability import logs


@pytest.fixture
def captured() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter(static={"worker": "3"}))
    logger = logging.getLogger("cw.test.logs")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_object_per_line_with_context_and_extras(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    with logs.context(request_id="req-1", conversation_id="conv-9"):
        logger.info("routed %d chat(s)\nsecond line", 2, extra={"port": 8101, "mode": "auto"})
    logger.warning("outside")
    first, second = lines(stream)
    assert first["msg"] == "routed 2 chat(s)\nsecond line"
    assert (first["level"], first["logger"], first["worker"]) == ("INFO", "cw.test.logs", "3")
    assert (first["request_id"], first["conversation_id"]) == ("req-1", "conv-9")
    assert (first["port"], first["mode"]) == (8101, "auto")
    assert "request_id" not in second  # the context ended with its block
    assert len(stream.getvalue().splitlines()) == 2


def test_what_the_guard_masks_never_reaches_a_line(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info(
        "customer wrote: Mon code PIN est 0427", extra={"note": "carte 4539 1488 0343 6467"}
    )
    try:
        raise ValueError("IBAN BE68 5390 0754 7034 refused")
    except ValueError:
        logger.exception("failed")
    text = stream.getvalue()
    for secret in ("0427", "4539 1488 0343 6467", "5390 0754"):
        assert secret not in text
    record = lines(stream)[1]
    assert record["exc_type"] == "ValueError" and "Traceback" in str(record["exc"])


def test_database_errors_lose_the_row_and_parameters() -> None:
    text = (
        'new row for relation "message" violates check constraint\n'
        "DETAIL:  Failing row contains (1, conv, Bonjour je suis Jean Dupont).\n"
        "[SQL: INSERT INTO message (body) VALUES (%(body)s)]\n"
        "[parameters: {'body': 'Bonjour je suis Jean Dupont'}]"
    )
    scrubbed = logs.scrub(text)
    assert "Jean Dupont" not in scrubbed
    assert "INSERT INTO message" in scrubbed  # the statement itself helps and holds no value


def test_url_tokens_are_withheld() -> None:
    scrubbed = logs.scrub('"GET /_event/?token=9f2c-11&EIO=4" /api/claims/files/f1?t=abc.def')
    assert "9f2c" not in scrubbed and "abc.def" not in scrubbed
    assert "/api/claims/files/f1" in scrubbed


def test_a_broken_mask_withholds_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import chat_widget.guard

    def broken(text: str, lang: str | None = None) -> str:
        raise RuntimeError("rules failed to load")

    monkeypatch.setattr(chat_widget.guard, "mask", broken)
    assert logs.scrub("Mon code PIN est 0427") == logs.WITHHELD


def test_configure_routes_library_loggers_through_one_masked_handler() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    try:
        logs.configure(level="INFO", fmt="json", stream=stream)
        logs.configure(level="INFO", fmt="json", stream=stream)  # again: still one handler
        logging.getLogger("_granian").info("code PIN 0427 à changer")
        logging.getLogger("httpx").info("HTTP Request: GET /x")  # noisy: below WARNING
        assert [json.loads(x)["logger"] for x in stream.getvalue().splitlines()] == ["_granian"]
        assert "0427" not in stream.getvalue()
    finally:
        root.handlers, _ = before
        root.setLevel(before[1])


def test_text_format_is_masked_too() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "PIN 0427", None, None)
    assert "0427" not in logs.TextFormatter().format(record)
