"""Each employee's console navigation lists the pages their roles open, and no other."""

from __future__ import annotations

import pytest

from chat_widget.agents.records import Role
from chat_widget.i18n import catalog
from chat_widget.ui.components.console_links import CONSOLE_PAGES, links_for

CHAT, CLAIMS, MEETINGS, SUPERVISOR = (page for page, _ in CONSOLE_PAGES)


@pytest.mark.parametrize(
    ("roles", "pages"),
    [
        ((Role.AGENT,), [CHAT, MEETINGS]),
        ((Role.CLAIMS_HANDLER,), [CLAIMS]),
        ((Role.CLAIMS_HANDLER, Role.AGENT), [CHAT, CLAIMS, MEETINGS]),
        ((Role.SUPERVISOR,), [SUPERVISOR]),
        ((Role.ADMIN,), [CLAIMS, SUPERVISOR]),
        ((), []),
        (("someone-else",), []),
    ],
)
def test_links_follow_the_roles(roles: tuple[str, ...], pages: list[str]) -> None:
    assert [link.href for link in links_for(roles, {})] == pages


@pytest.mark.parametrize("locale", ["fr", "nl", "en", "de"])
def test_every_link_has_a_name_in_every_language(locale: str) -> None:
    every = links_for([Role.ADMIN, Role.AGENT], catalog(locale), current=CLAIMS)
    assert all(link.label and link.label != link.href for link in every)
    assert [link.current for link in every] == [link.href == CLAIMS for link in every]
