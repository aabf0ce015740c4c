from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from chat_widget.web.security import SecurityHeaders

OWN = "https://widget.bank.be"
BANK = "https://www.bank.be"


async def _page(request):  # type: ignore[no-untyped-def]
    return PlainTextResponse("ok", headers={"x-frame-options": "SAMEORIGIN"})


async def _file(request):  # type: ignore[no-untyped-def]
    return PlainTextResponse("bytes", headers={"referrer-policy": "no-referrer"})


async def _ws(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


def _client(own: str = OWN) -> TestClient:
    inner = Starlette(
        routes=[
            Route("/api/chat/files/x", _file),
            Route("/widget/", _page),
            Route("/agent/", _page),
            Route("/_upload/secret.pdf", _page),
            Route("/_upload", _page, methods=["POST"]),
            WebSocketRoute("/_event/", _ws),
        ]
    )
    app = SecurityHeaders(
        inner,
        frame_ancestors=(OWN, BANK),
        own_origin=own,
        socket_origins=(own,),
        max_upload_body=1000,
    )
    return TestClient(app)


def _all(response, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [v for k, v in response.headers.multi_items() if k.lower() == name]


def test_https_responses_carry_hsts_and_plain_http_development_does_not() -> None:
    response = _client().get("/widget/")
    assert _all(response, "strict-transport-security") == ["max-age=31536000; includeSubDomains"]
    assert (
        "strict-transport-security" not in _client("http://localhost:3000").get("/agent/").headers
    )


def test_one_referrer_policy_per_response_and_a_route_may_make_it_stricter() -> None:
    assert _all(_client().get("/api/chat/files/x"), "referrer-policy") == ["no-referrer"]
    assert _all(_client().get("/agent/"), "referrer-policy") == ["strict-origin-when-cross-origin"]


def test_widget_may_be_framed_only_by_configured_origins() -> None:
    response = _client().get("/widget/")
    csp = response.headers["content-security-policy"]
    assert f"frame-ancestors {OWN} {BANK}" in csp
    assert "x-frame-options" not in response.headers
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_other_pages_may_not_be_framed_at_all() -> None:
    response = _client().get("/agent/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_unauthenticated_upload_folder_is_not_served() -> None:
    assert _client().get("/_upload/secret.pdf").status_code == 404


def test_websocket_from_own_origin_is_accepted() -> None:
    with _client().websocket_connect("/_event/", headers={"origin": OWN}) as ws:
        assert ws.receive_text() == "hello"


@pytest.mark.parametrize("origin", [BANK, "https://evil.example", None])
def test_websocket_from_any_other_origin_is_refused(origin: str | None) -> None:
    headers = {"origin": origin} if origin else {}
    with pytest.raises(WebSocketDisconnect):
        with _client().websocket_connect("/_event/", headers=headers) as ws:
            ws.receive_text()


def test_polling_transport_from_foreign_origin_is_refused() -> None:
    response = _client().get(
        "/_event/?EIO=4&transport=polling", headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_upload_endpoint_takes_bounded_posts_from_the_widget_only() -> None:
    client = _client()
    assert client.post("/_upload", content=b"x" * 10, headers={"origin": OWN}).status_code == 200
    assert client.post("/_upload", content=b"x" * 2000, headers={"origin": OWN}).status_code == 413
    assert client.post("/_upload", content=b"x" * 10, headers={"origin": BANK}).status_code == 403
