"""The console login page's notice (agents.console.login_notice) and presence choices
(agents.presence): plain rules, no browser."""

from __future__ import annotations

from chat_widget.agents import presence
from chat_widget.agents.console import LoginNotice, login_notice


def test_login_page_says_why_the_last_attempt_failed() -> None:
    notice = login_notice({"error": "wait", "seconds": "30"}, sso=True, passwords=False)
    assert notice == LoginNotice("agent.login_wait", "30")
    assert login_notice({"error": "wait", "seconds": "x"}, sso=False, passwords=True).key == ""
    assert login_notice({"error": "sso"}, sso=True, passwords=False).key == "agent.sso_failed"
    assert login_notice({"signed_out": "1"}, sso=True, passwords=False).key == "agent.signed_out"


def test_only_a_page_with_nothing_to_report_goes_on_to_the_provider() -> None:
    assert login_notice({}, sso=True, passwords=False).to_provider
    assert not login_notice({}, sso=True, passwords=True).to_provider
    assert not login_notice({"error": "sso"}, sso=True, passwords=False).to_provider
    assert not login_notice({"signed_out": "1"}, sso=True, passwords=False).to_provider


def test_presence_choices_and_changes() -> None:
    assert presence.chosen("away") == "away"
    assert presence.chosen("asleep") is None
    assert presence.change("available", "available") is None
    assert presence.change("available", None) is None
    assert presence.change("offline", "available") == "available"
