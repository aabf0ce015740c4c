from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.fake_llm import RunningFakeLlm, fake_llm_server


@pytest.fixture(scope="module")
def llm_server() -> Iterator[RunningFakeLlm]:
    with fake_llm_server(token="test-key") as running:
        yield running


@pytest.fixture
def fake_llm(llm_server: RunningFakeLlm) -> Iterator[RunningFakeLlm]:
    """The module's server with a clean script and request log for each test."""
    llm_server.state.reset()
    yield llm_server
    llm_server.state.reset()
