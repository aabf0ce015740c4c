"""An OpenAI-compatible chat-completions client (Azure OpenAI, Mistral, vLLM, Ollama…) on httpx.

Errors, all subclasses of ``LlmError``:

    LlmError
    ├── LlmTimeout        the endpoint did not answer in time (after retries)
    ├── LlmHttpError      a non-2xx status (after retries for 429/5xx); ``.status_code``
    ├── LlmRefusal        the model declined (``message.refusal`` or ``content_filter``)
    └── LlmBadResponse    2xx but not the chat-completions JSON shape, or no text

429, 5xx, timeouts and connection errors are retried with exponential backoff (``Retry-After``
honoured, capped). Other 4xx are not retried: a wrong key or model will not get better.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class LlmError(Exception):
    """Base of every error this client raises."""


class LlmTimeout(LlmError):
    pass


class LlmHttpError(LlmError):
    def __init__(self, status_code: int, body: str = "") -> None:
        super().__init__(f"LLM endpoint answered HTTP {status_code}")
        self.status_code = status_code
        self.body = body[:500]


class LlmRefusal(LlmError):
    pass


class LlmBadResponse(LlmError):
    pass


@dataclass(frozen=True)
class LlmConfig:
    """Endpoint settings (from CW_LLM_BASE_URL, CW_LLM_API_KEY, CW_LLM_MODEL).

    ``base_url`` is the API root including ``/v1`` (``https://host/v1``); the client posts to
    ``{base_url}/chat/completions``.
    """

    base_url: str
    api_key: str
    model: str
    timeout_s: float = 10.0
    max_retries: int = 2
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0
    temperature: float = 0.2
    max_tokens: int = 600

    def __repr__(self) -> str:  # never print the key in logs or tracebacks
        return f"LlmConfig(base_url={self.base_url!r}, model={self.model!r}, api_key='***')"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LlmConfig | None:
        """None when generative mode is not configured (no base URL or no model)."""
        base_url = (env.get("CW_LLM_BASE_URL") or "").strip().rstrip("/")
        model = (env.get("CW_LLM_MODEL") or "").strip()
        if not base_url or not model:
            return None
        return cls(base_url=base_url, api_key=env.get("CW_LLM_API_KEY", ""), model=model)


def backoff_delay(attempt: int, config: LlmConfig, retry_after: str | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based)."""
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), config.backoff_max_s)
        except ValueError:
            pass  # an HTTP date: fall back to our own schedule
    delay = config.backoff_base_s * (2**attempt)
    delay *= 0.8 + 0.4 * random.random()  # jitter so clients do not retry in lockstep
    return min(delay, config.backoff_max_s)


class OpenAICompatibleClient:
    """``await client.complete(messages)`` returns the assistant text of the first choice."""

    def __init__(
        self,
        config: LlmConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self._sleep = sleep
        headers = {"Content-Type": "application/json"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            headers=headers,
            timeout=httpx.Timeout(config.timeout_s),
            transport=transport,
        )

    async def __aenter__(self) -> OpenAICompatibleClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def complete(self, messages: Sequence[Mapping[str, str]]) -> str:
        payload = {
            "model": self.config.model,
            "messages": [dict(m) for m in messages],
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        last_error: LlmError = LlmError("no attempt made")
        for attempt in range(self.config.max_retries + 1):
            retry_after: str | None = None
            try:
                response = await self._http.post("/chat/completions", json=payload)
            except httpx.TimeoutException as exc:
                last_error = LlmTimeout(f"no answer within {self.config.timeout_s}s")
                last_error.__cause__ = exc
            except httpx.TransportError as exc:
                last_error = LlmError(f"transport error: {type(exc).__name__}")
                last_error.__cause__ = exc
            else:
                if response.is_success:
                    return _extract_text(response)
                last_error = LlmHttpError(response.status_code, response.text)
                if response.status_code not in RETRY_STATUSES:
                    raise last_error
                retry_after = response.headers.get("Retry-After")
            if attempt < self.config.max_retries:
                delay = backoff_delay(attempt, self.config, retry_after)
                log.info("LLM call failed (%s); retry %d in %.2fs", last_error, attempt + 1, delay)
                await self._sleep(delay)
        raise last_error


def _extract_text(response: httpx.Response) -> str:
    try:
        data: Any = response.json()
        choice = data["choices"][0]
        message = choice.get("message") or {}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise LlmBadResponse("not a chat-completions response") from exc
    if message.get("refusal") or choice.get("finish_reason") == "content_filter":
        raise LlmRefusal("the model declined to answer")
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        raise LlmBadResponse("empty completion")
    return content
