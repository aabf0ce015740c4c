from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from chat_widget.ui.host_data import clean_page, clean_topic, parse_host_message, parse_json_object


def test_valid_init_message_is_cleaned() -> None:
    msg = parse_host_message(
        {
            "cw": 1,
            "type": "init",
            "locale": "nl-BE",
            "topic": "Cards",
            "page": "https://www.bank.be/cards?iban=BE68#x",
        }
    )
    assert msg is not None
    assert (msg.locale, msg.topic, msg.page, msg.rejected) == (
        "nl",
        "cards",
        "https://www.bank.be/cards",
        [],
    )


def test_bad_fields_are_rejected_and_named() -> None:
    msg = parse_host_message(
        {
            "cw": 1,
            "type": "set-context",
            "topic": "<img src=x>",
            "page": "javascript:alert(1)",
            "locale": "xx",
        }
    )
    assert msg is not None
    assert msg.topic is None and msg.page is None and msg.locale is None
    assert sorted(msg.rejected) == ["locale", "page", "topic"]


def test_non_protocol_messages_are_not_messages() -> None:
    assert parse_host_message({"type": "init"}) is None
    assert parse_host_message({"cw": 2, "type": "init"}) is None
    assert parse_host_message("init") is None
    assert parse_json_object("[1,2]") is None
    assert parse_json_object("x" * 20000) is None


def test_page_keeps_no_query_or_fragment() -> None:
    assert clean_page("http://bank.test:8000/a/b?token=secret#frag") == "http://bank.test:8000/a/b"
    assert clean_page("ftp://x/y") is None
    assert clean_topic("a" * 49) is None


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    )
)
def test_any_json_never_crashes_the_parser(value: object) -> None:
    parse_host_message(value)
    parse_host_message(parse_json_object(json.dumps(value)))
