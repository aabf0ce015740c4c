"""The claim-file capability: only a genuine, unexpired token for the file's owner opens it."""

from __future__ import annotations

import time

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from chat_widget.web.asgi import ServedFile, content_disposition
from chat_widget.web.customer_files import (
    CustomerFilesRoute,
    file_url,
    mint_file_token,
    read_file_token,
)

SECRET = "unit-test-secret-key-that-is-long-enough"
OWNER = "a" * 32
OTHER = "b" * 32
FILE = "c" * 32
OTHER_FILE = "d" * 32


def test_a_fresh_token_names_its_customer() -> None:
    token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE)
    assert read_file_token(token, secret=SECRET, file_id=FILE) == OWNER


def test_expired_token_is_refused() -> None:
    token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE, now=1000.0, ttl=600)
    assert read_file_token(token, secret=SECRET, file_id=FILE, now=1599.0) == OWNER
    assert read_file_token(token, secret=SECRET, file_id=FILE, now=1601.0) is None


def test_token_for_one_file_does_not_open_another() -> None:
    token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE)
    assert read_file_token(token, secret=SECRET, file_id=OTHER_FILE) is None


def test_changing_the_customer_or_expiry_breaks_the_signature() -> None:
    token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE)
    customer, expires, mac = token.split(".")
    assert read_file_token(f"{OTHER}.{expires}.{mac}", secret=SECRET, file_id=FILE) is None
    later = str(int(expires) + 86400)
    assert read_file_token(f"{customer}.{later}.{mac}", secret=SECRET, file_id=FILE) is None


def test_token_signed_with_another_secret_is_forged() -> None:
    token = mint_file_token(secret="some-other-secret", customer_id=OWNER, file_id=FILE)
    assert read_file_token(token, secret=SECRET, file_id=FILE) is None


@pytest.mark.parametrize(
    "token",
    [None, "", "garbage", 42, "a" * 500, f"{OWNER}.{10**13}.{'x' * 43}", f"{OWNER}..", "../../etc"],
)
def test_malformed_tokens_are_refused(token: object) -> None:
    assert read_file_token(token, secret=SECRET, file_id=FILE) is None


def test_minting_refuses_ids_that_are_not_ours() -> None:
    with pytest.raises(ValueError):
        mint_file_token(secret=SECRET, customer_id="../x", file_id=FILE)


def test_content_disposition_is_safe_for_any_name() -> None:
    header = content_disposition('photo "1";\r\nX-Evil: 1 é.jpg', "image/jpeg").decode("latin-1")
    assert header.startswith("inline; filename=")
    assert "\r" not in header and "\n" not in header
    assert "filename*=UTF-8''" in header
    assert content_disposition("report.pdf", "application/pdf").startswith(b"attachment;")


# --- the route, on a tiny inline app ----------------------------------------------------------


def _client(now_files: dict[tuple[str, str], ServedFile]) -> TestClient:
    async def read(customer_id: str, file_id: str) -> ServedFile | None:
        return now_files.get((customer_id, file_id))

    async def fallback(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("reflex")

    inner = Starlette(routes=[Route("/{path:path}", fallback)])
    return TestClient(CustomerFilesRoute(inner, secret=SECRET, read_file=read))


FILES = {(OWNER, FILE): ServedFile(b"\xff\xd8\xffdata", "image/jpeg", "front.jpg")}


def test_owner_gets_the_file_with_private_headers() -> None:
    token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE)
    response = _client(FILES).get(file_url(FILE, token))
    assert response.status_code == 200
    assert response.content == b"\xff\xd8\xffdata"
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith('inline; filename="front.jpg"')


def test_everyone_else_gets_the_same_404() -> None:
    client = _client(FILES)
    other = mint_file_token(secret=SECRET, customer_id=OTHER, file_id=FILE)
    expired = mint_file_token(
        secret=SECRET, customer_id=OWNER, file_id=FILE, now=time.time() - 3600
    )
    forged = mint_file_token(secret="not-the-secret", customer_id=OWNER, file_id=FILE)
    for url in (
        f"/api/claims/files/{FILE}",
        file_url(FILE, other),
        file_url(FILE, expired),
        file_url(FILE, forged),
        file_url(OTHER_FILE, mint_file_token(secret=SECRET, customer_id=OWNER, file_id=OTHER_FILE)),
        f"/api/claims/files/{FILE.upper()}?t={forged}",
        "/api/claims/files/%2e%2e%2fsecret",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.content == b"Not found"


def test_only_reads_are_allowed_and_other_paths_pass_through() -> None:
    client = _client(FILES)
    token = mint_file_token(secret=SECRET, customer_id=OWNER, file_id=FILE)
    assert client.post(file_url(FILE, token)).status_code == 405
    assert client.get("/widget/").text == "reflex"
