"""A local OpenAI-compatible chat-completions server for tests.

It checks the bearer token, records every request body, and answers according to a script the
test sets: one behaviour per upcoming request (then ``default``). Behaviours:

- ``("echo_answer",)``   return the APPROVED_ANSWER block of the prompt (a faithful rewording)
- ``("text", s)``        return ``s`` as the assistant message
- ``("status", code, retry_after | None)``  return that HTTP status (429 with Retry-After…)
- ``("hang", seconds)``  wait before answering (to trigger client timeouts)
- ``("refusal",)``       an OpenAI-style ``message.refusal``
- ``("content_filter",)`` ``finish_reason: content_filter`` with no content

Started by ``fake_llm_server()`` in a thread with uvicorn on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Behaviour = tuple[Any, ...]
_APPROVED = re.compile(r"APPROVED_ANSWER:\n<<<\n(.*?)\n>>>", re.S)


@dataclass
class FakeLlmState:
    token: str = "test-key"
    default: Behaviour = ("echo_answer",)
    script: list[Behaviour] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    auth_headers: list[str | None] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def queue(self, *behaviours: Behaviour) -> None:
        self.script.extend(behaviours)

    def next_behaviour(self) -> Behaviour:
        return self.script.pop(0) if self.script else self.default

    def reset(self) -> None:
        self.script.clear()
        self.requests.clear()
        self.auth_headers.clear()
        self.default = ("echo_answer",)

    def all_prompt_text(self) -> str:
        return "\n".join(
            str(m.get("content", "")) for body in self.requests for m in body.get("messages", [])
        )


def _completion(
    content: str | None, *, refusal: str | None = None, finish: str = "stop"
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def build_app(state: FakeLlmState) -> Starlette:
    async def completions(request: Request) -> JSONResponse:
        auth = request.headers.get("authorization")
        state.auth_headers.append(auth)
        if auth != f"Bearer {state.token}":
            return JSONResponse({"error": {"message": "invalid api key", "code": 401}}, 401)
        body = await request.json()
        state.requests.append(body)
        behaviour = state.next_behaviour()
        kind = behaviour[0]
        if kind == "hang":
            deadline = time.monotonic() + float(behaviour[1])
            while time.monotonic() < deadline and not state.released.is_set():
                await asyncio.sleep(0.02)
            return JSONResponse(_completion("too late"))
        if kind == "status":
            headers = {"Retry-After": str(behaviour[2])} if behaviour[2] is not None else None
            return JSONResponse({"error": {"message": "fake error"}}, behaviour[1], headers=headers)
        if kind == "refusal":
            return JSONResponse(_completion(None, refusal="I can't help with that."))
        if kind == "content_filter":
            return JSONResponse(_completion(None, finish="content_filter"))
        if kind == "text":
            return JSONResponse(_completion(str(behaviour[1])))
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        match = _APPROVED.search(prompt)
        return JSONResponse(_completion(match.group(1) if match else "Summary: all good."))

    return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningFakeLlm:
    state: FakeLlmState
    base_url: str  # includes /v1


@contextmanager
def fake_llm_server(token: str = "test-key") -> Iterator[RunningFakeLlm]:
    state = FakeLlmState(token=token)
    port = _free_port()
    config = uvicorn.Config(
        build_app(state), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fake-llm", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("fake LLM server did not start")
        time.sleep(0.01)
    try:
        yield RunningFakeLlm(state=state, base_url=f"http://127.0.0.1:{port}/v1")
    finally:
        state.released.set()
        server.should_exit = True
        thread.join(timeout=10)
