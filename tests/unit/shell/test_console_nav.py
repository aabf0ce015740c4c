"""Each employee's console navigation lists the pages their roles open, and no other."""

from __future__ import annotations

import pytest

from chat_widget.agents.console import may_open
from chat_widget.agents.records import Role
from chat_widget.ui.agent.nav import NAV_PAGES, pages_for


@pytest.mark.parametrize(
    ("roles", "pages"),
    [
        ((Role.AGENT,), ["/agent", "/agent/meetings"]),
        ((Role.CLAIMS_HANDLER,), ["/agent/claims"]),
        ((Role.CLAIMS_HANDLER, Role.AGENT), ["/agent", "/agent/meetings", "/agent/claims"]),
        ((Role.SUPERVISOR,), ["/agent/supervisor"]),
        ((Role.ADMIN,), ["/agent/claims", "/agent/supervisor"]),
        ((), []),
        (("someone-else",), []),
    ],
)
def test_links_follow_the_roles(roles: tuple[str, ...], pages: list[str]) -> None:
    assert pages_for(roles) == pages


def test_every_link_is_a_page_that_its_roles_may_open() -> None:
    for page, _ in NAV_PAGES:
        assert may_open([Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.CLAIMS_HANDLER], page)
