"""The real httpx client against a local fake OpenAI-compatible server."""

from __future__ import annotations

import json

import pytest

from chat_widget.adapters.llm_client import (
    LlmBadResponse,
    LlmConfig,
    LlmHttpError,
    LlmRefusal,
    LlmTimeout,
    OpenAICompatibleClient,
    backoff_delay,
)
from chat_widget.assistant.dialogue import ConversationState, answer, not_helpful
from chat_widget.assistant.kb import default_knowledge_base
from chat_widget.assistant.llm import rephrase_reply
from chat_widget.assistant.summary import extractive_summary, summarise
from tests.fakes.fake_llm import RunningFakeLlm
from tests.unit.assistant_dialogue.fakes import sure

KB = default_knowledge_base()
MESSAGES = [{"role": "user", "content": "hello"}]


class SleepRecorder:
    """Records backoff delays instead of waiting them out (the client's sleep seam)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(
    fake: RunningFakeLlm, *, key: str = "test-key", timeout: float = 5.0, retries: int = 2
) -> tuple[OpenAICompatibleClient, SleepRecorder]:
    sleep = SleepRecorder()
    config = LlmConfig(
        base_url=fake.base_url,
        api_key=key,
        model="fake-model",
        timeout_s=timeout,
        max_retries=retries,
        backoff_base_s=0.5,
        backoff_max_s=4.0,
    )
    return OpenAICompatibleClient(config, sleep=sleep), sleep


def lost_card_reply(live_chat_open: bool = True):  # type: ignore[no-untyped-def]
    return answer(
        "I lost my card",
        "en",
        sure("lost_or_stolen_card"),
        live_chat_open=live_chat_open,
        state=ConversationState(),
    )


async def test_happy_path_rephrases_in_the_customer_language(fake_llm: RunningFakeLlm) -> None:
    reply = answer(
        "ik ben mijn bankkaart kwijt",
        "nl",
        sure("lost_or_stolen_card"),
        live_chat_open=True,
        state=ConversationState(),
    )
    reworded = (
        "Vervelend! Blokkeer je kaart meteen:\n1. Bel Card Stop op 078 170 170 (24/7) of "
        "blokkeer ze in de app onder **Kaarten**.\n2. Bij diefstal: aangifte bij de politie.\n"
        "3. Bestel een nieuwe kaart in de app."
    )
    fake_llm.state.queue(("text", reworded))
    client, _ = make_client(fake_llm)
    async with client:
        out = await rephrase_reply(reply, "ik ben mijn bankkaart kwijt", client)
    assert out.source == "llm"
    assert out.body == reworded
    assert out.automated and out.notice == reply.notice
    body = fake_llm.state.requests[0]
    assert body["model"] == "fake-model"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "Dutch" in body["messages"][0]["content"]
    assert reply.body in body["messages"][1]["content"]
    assert fake_llm.state.auth_headers == ["Bearer test-key"]


async def test_sensitive_data_never_reaches_the_server(fake_llm: RunningFakeLlm) -> None:
    text = (
        "my card 4111 1111 1111 1111 is stolen, refund to BE68 5390 0754 7034, "
        "client 12345678, call 0470 12 34 56"
    )
    client, _ = make_client(fake_llm)
    async with client:
        out = await rephrase_reply(lost_card_reply(), text, client)
        state = ConversationState()
        answer(text, "en", sure("lost_or_stolen_card"), live_chat_open=True, state=state)
        await summarise(state.turns, customer_locale="en", agent_locale="fr", completer=client)
    assert out.source == "llm"
    assert len(fake_llm.state.requests) >= 2
    sent = json.dumps(fake_llm.state.requests)
    for secret in (
        "4111 1111 1111 1111",
        "4111111111111111",
        "5390 0754",
        "12345678",
        "0470 12 34 56",
    ):
        assert secret not in sent


async def test_retries_429_honouring_retry_after(fake_llm: RunningFakeLlm) -> None:
    fake_llm.state.queue(("status", 429, 2), ("text", "ok"))
    client, sleep = make_client(fake_llm)
    async with client:
        assert await client.complete(MESSAGES) == "ok"
    assert len(fake_llm.state.requests) == 2
    assert sleep.delays == [2.0]


async def test_retries_5xx_with_exponential_backoff(fake_llm: RunningFakeLlm) -> None:
    fake_llm.state.queue(("status", 500, None), ("status", 503, None), ("text", "ok"))
    client, sleep = make_client(fake_llm, retries=3)
    async with client:
        assert await client.complete(MESSAGES) == "ok"
    assert len(fake_llm.state.requests) == 3
    assert len(sleep.delays) == 2
    # 0.5 s then 1 s, each with ±20 % jitter
    assert 0.4 <= sleep.delays[0] <= 0.6
    assert 0.8 <= sleep.delays[1] <= 1.2


async def test_gives_up_after_retries_and_falls_back(fake_llm: RunningFakeLlm) -> None:
    fake_llm.state.default = ("status", 500, None)
    client, sleep = make_client(fake_llm, retries=2)
    reply = lost_card_reply()
    async with client:
        with pytest.raises(LlmHttpError) as info:
            await client.complete(MESSAGES)
        assert info.value.status_code == 500
        assert len(fake_llm.state.requests) == 3
        out = await rephrase_reply(reply, "lost card", client)
    assert out == reply
    assert len(sleep.delays) == 4


async def test_wrong_key_is_not_retried(fake_llm: RunningFakeLlm) -> None:
    client, sleep = make_client(fake_llm, key="wrong")
    async with client:
        with pytest.raises(LlmHttpError) as info:
            await client.complete(MESSAGES)
    assert info.value.status_code == 401
    assert sleep.delays == []
    assert fake_llm.state.auth_headers == ["Bearer wrong"]
    assert fake_llm.state.requests == []  # refused before the body was read


async def test_hang_times_out_and_falls_back(fake_llm: RunningFakeLlm) -> None:
    fake_llm.state.default = ("hang", 5)
    client, _ = make_client(fake_llm, timeout=0.3, retries=0)
    reply = lost_card_reply()
    async with client:
        with pytest.raises(LlmTimeout):
            await client.complete(MESSAGES)
        out = await rephrase_reply(reply, "lost card", client)
    assert out == reply


async def test_timeout_is_retried(fake_llm: RunningFakeLlm) -> None:
    fake_llm.state.queue(("hang", 5), ("text", "ok"))
    client, sleep = make_client(fake_llm, timeout=0.3, retries=1)
    async with client:
        assert await client.complete(MESSAGES) == "ok"
    assert len(sleep.delays) == 1


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        (("refusal",), LlmRefusal),
        (("content_filter",), LlmRefusal),
        (("text", "  "), LlmBadResponse),
    ],
)
async def test_refusals_and_empty_output_fall_back(
    fake_llm: RunningFakeLlm, behaviour: tuple[str, ...], error: type[Exception]
) -> None:
    fake_llm.state.default = behaviour
    client, _ = make_client(fake_llm)
    reply = lost_card_reply()
    async with client:
        with pytest.raises(error):
            await client.complete(MESSAGES)
        assert await rephrase_reply(reply, "lost card", client) == reply


@pytest.mark.parametrize(
    "injected",
    [
        "Call Card Stop 078 170 170 or our premium line 0900 12 345.",
        "Call 078 170 170. Replacing the card costs 15 euros.",
        "Call 078 170 170 or unblock it at www.belfius-unblock.example.com.",
        "Just block your card in the app.",  # drops Card Stop's number
        "I'm sorry, but I can't help with that request.",
        "Call 078 170 170 <img src=x onerror=alert(1)>",
    ],
)
async def test_output_adding_or_dropping_facts_falls_back(
    fake_llm: RunningFakeLlm, injected: str
) -> None:
    fake_llm.state.default = ("text", injected)
    client, _ = make_client(fake_llm)
    reply = lost_card_reply()
    async with client:
        out = await rephrase_reply(reply, "lost card", client)
    assert out == reply
    assert out.source == "kb"


async def test_llm_summary_and_its_fallback(fake_llm: RunningFakeLlm) -> None:
    state = ConversationState()
    answer("carte perdue", "fr", sure("lost_or_stolen_card"), live_chat_open=True, state=state)
    not_helpful("fr", live_chat_open=True, state=state)
    fake_llm.state.queue(
        ("text", "Client: carte perdue, réponse Card Stop donnée, pas aidé."),
        ("text", "Klant: kaart verloren, niet geholpen."),
    )
    client, _ = make_client(fake_llm)
    async with client:
        good = await summarise(
            state.turns, customer_locale="fr", agent_locale="nl", completer=client
        )
        fake_llm.state.default = ("status", 500, None)
        bad = await summarise(
            state.turns, customer_locale="fr", agent_locale="nl", completer=client
        )
    assert good.source == "llm"
    assert good.agent_text == "Klant: kaart verloren, niet geholpen."
    assert bad == extractive_summary(state.turns, customer_locale="fr", agent_locale="nl")


def test_config_from_env_and_key_not_in_repr() -> None:
    assert LlmConfig.from_env({}) is None
    config = LlmConfig.from_env(
        {
            "CW_LLM_BASE_URL": "https://llm.example/v1/",
            "CW_LLM_API_KEY": "sk-secret",
            "CW_LLM_MODEL": "mistral-small",
        }
    )
    assert config is not None
    assert config.base_url == "https://llm.example/v1"
    assert "sk-secret" not in repr(config)


def test_backoff_is_capped_and_uses_retry_after() -> None:
    config = LlmConfig(
        base_url="http://x/v1", api_key="", model="m", backoff_base_s=1.0, backoff_max_s=4.0
    )
    assert backoff_delay(0, config, "3") == 3.0
    assert backoff_delay(0, config, "600") == 4.0
    assert backoff_delay(10, config) == 4.0
