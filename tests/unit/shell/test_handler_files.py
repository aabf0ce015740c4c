"""The employees' claim-file route: only a console session the reader accepts gets the bytes."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from chat_widget.web.asgi import ServedFile
from chat_widget.web.console_session import PLAIN_COOKIE as COOKIE
from chat_widget.web.console_session import SECURE_COOKIE, session_token
from chat_widget.web.handler_files import PREFIX, HandlerFilesRoute, handler_file_url

FILE = "c" * 32
OTHER_FILE = "d" * 32
HANDLER = "handler-session-token"
AGENT = "plain-agent-session-token"


def _client() -> tuple[TestClient, list[tuple[str, str]]]:
    calls: list[tuple[str, str]] = []

    async def read(token: str, file_id: str) -> ServedFile | None:
        calls.append((token, file_id))
        if token == HANDLER and file_id == FILE:
            return ServedFile(b"%PDF-1.4 data", "application/pdf", "constat amiable.pdf")
        return None

    async def fallback(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("reflex")

    inner = Starlette(routes=[Route("/{path:path}", fallback)])
    return TestClient(HandlerFilesRoute(inner, read_file=read, secure=False)), calls


def test_a_handler_session_gets_the_file_with_private_headers() -> None:
    client, calls = _client()
    response = client.get(handler_file_url(FILE), headers={"cookie": f"{COOKIE}={HANDLER}"})
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 data"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert calls == [(HANDLER, FILE)]


def test_everyone_else_gets_the_same_404() -> None:
    client, calls = _client()
    cases = [
        (handler_file_url(FILE), {}),
        (handler_file_url(FILE), {"cookie": f"{COOKIE}={AGENT}"}),
        (handler_file_url(FILE), {"cookie": f"other={HANDLER}"}),
        (handler_file_url(OTHER_FILE), {"cookie": f"{COOKIE}={HANDLER}"}),
        (f"{PREFIX}%2e%2e%2fsecret", {"cookie": f"{COOKIE}={HANDLER}"}),
        (handler_file_url(FILE), {"cookie": 'broken="'}),
    ]
    for url, headers in cases:
        response = client.get(url, headers=headers)
        assert response.status_code == 404, (url, headers)
        assert response.content == b"Not found"
    # No session cookie: the reader (and its audit) is not even asked.
    assert all(token for token, _ in calls)


def test_only_reads_are_allowed_and_other_paths_pass_through() -> None:
    client, _ = _client()
    cookie = {"cookie": f"{COOKIE}={HANDLER}"}
    assert client.post(handler_file_url(FILE), headers=cookie).status_code == 405
    assert client.get("/api/claims/files/" + FILE).text == "reflex"
    assert client.get("/agent/claims").text == "reflex"


def test_session_cookie_is_read_among_others() -> None:
    scope = {"headers": [(b"cookie", f"a=1; {COOKIE}={HANDLER}; b=2".encode())]}
    assert session_token(scope, secure=False) == HANDLER
    assert session_token({"headers": []}, secure=False) == ""


def test_on_https_only_the_host_prefixed_cookie_counts() -> None:
    """A `__Host-` cookie can only be set by this origin over https with Path=/: a sibling
    subdomain cannot plant one, so the plain name is ignored there."""
    plain = {"headers": [(b"cookie", f"{COOKIE}={HANDLER}".encode())]}
    prefixed = {"headers": [(b"cookie", f"{SECURE_COOKIE}={HANDLER}".encode())]}
    assert session_token(plain, secure=True) == ""
    assert session_token(prefixed, secure=True) == HANDLER
