"""Chat attachments share the customer-file capability links, each kind with its own key and URL."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from chat_widget.web.asgi import ServedFile
from chat_widget.web.console_session import SECURE_COOKIE as COOKIE
from chat_widget.web.customer_files import (
    CHAT,
    CLAIM,
    CustomerFilesRoute,
    file_url,
    mint_file_token,
    read_file_token,
)
from chat_widget.web.handler_files import (
    AGENT_CHAT_PREFIX,
    HandlerFilesRoute,
    agent_chat_file_url,
)

SECRET = "unit-test-secret-key-that-is-long-enough"
OWNER = "a" * 32
OTHER = "b" * 32
FILE = "c" * 32
PNG = ServedFile(b"\x89PNGdata", "image/png", "screenshot.png")


def _fallback_app() -> Starlette:
    async def fallback(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("reflex")

    return Starlette(routes=[Route("/{path:path}", fallback)])


def _chat_client() -> TestClient:
    async def read_claim(customer_id: str, file_id: str) -> ServedFile | None:
        return None

    async def read_chat(customer_id: str, file_id: str) -> ServedFile | None:
        return PNG if (customer_id, file_id) == (OWNER, FILE) else None

    claims = CustomerFilesRoute(_fallback_app(), secret=SECRET, read_file=read_claim)
    return TestClient(CustomerFilesRoute(claims, secret=SECRET, read_file=read_chat, kind=CHAT))


def test_chat_links_have_their_own_prefix_and_key() -> None:
    token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE, kind=CHAT)
    assert file_url(FILE, token, kind=CHAT).startswith("/api/chat/files/")
    assert read_file_token(token, secret=SECRET, file_id=FILE, kind=CHAT) == OWNER
    # A chat token is no claim token and the other way round.
    assert read_file_token(token, secret=SECRET, file_id=FILE, kind=CLAIM) is None
    claim_token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE)
    assert read_file_token(claim_token, secret=SECRET, file_id=FILE, kind=CHAT) is None


def test_the_owner_opens_a_chat_file_and_everyone_else_gets_404() -> None:
    client = _chat_client()
    token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE, kind=CHAT)
    response = client.get(file_url(FILE, token, kind=CHAT))
    assert response.status_code == 200 and response.content == PNG.data
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-disposition"].startswith('inline; filename="screenshot.png"')
    other = mint_file_token(secret=SECRET, customer_id=OTHER, file_id=FILE, kind=CHAT)
    claim_token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE)
    for url in (
        f"/api/chat/files/{FILE}",
        file_url(FILE, other, kind=CHAT),
        file_url(FILE, claim_token, kind=CHAT),  # a claim token does not open the chat route
        file_url("d" * 32, token, kind=CHAT),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.content == b"Not found"
    assert client.get("/widget/").text == "reflex"


def test_the_console_route_asks_the_reader_with_the_session_cookie() -> None:
    seen: list[tuple[str, str]] = []

    async def read(token: str, file_id: str) -> ServedFile | None:
        seen.append((token, file_id))
        return PNG if token == "holder-session" else None

    client = TestClient(
        HandlerFilesRoute(_fallback_app(), read_file=read, prefix=AGENT_CHAT_PREFIX, secure=True),
        base_url="https://testserver",
    )
    url = agent_chat_file_url(FILE)
    assert url == f"/api/chat/agent-files/{FILE}"
    assert client.get(url).status_code == 404  # no cookie: the reader is not even asked
    assert seen == []
    client.cookies.set(COOKIE, "someone-else")
    assert client.get(url).status_code == 404
    client.cookies.set(COOKIE, "holder-session")
    response = client.get(url)
    assert response.status_code == 200 and response.content == PNG.data
    assert seen[-1] == ("holder-session", FILE)
    # The claims handlers' prefix is not this route's business.
    assert client.get(f"/api/claims/handler-files/{FILE}").text == "reflex"
