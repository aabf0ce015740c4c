"""A browser tab at the protocol level: what Reflex's frontend and widget-bridge.js do on the
websocket, without a browser, so a chaos test can drive a customer and an agent cheaply.

It does what the real page does on every (re)connect: the hydrate event in the Socket.IO
CONNECT packet with the tab's session-storage vars, the events a handler returns sent back,
the bridge's scripts answered (``boot()`` with the stored widget session, ``outboxReady`` /
``outboxResult`` / ``resumed``), a new token adopted when the server issues one, and a
reconnect with backoff (200 ms × attempts, as Reflex's ``retryConnect``) after a drop.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets

from chat_widget.ui.transcript_parts import PART_VARS, PENDING_SEQ

ROOT_STATE = "reflex___state____state"
WIDGET = f"{ROOT_STATE}.chat_widget___ui___widget_state____widget_state"
LIVE = f"{WIDGET}.chat_widget___ui___live_chat_state____live_chat_state"
AGENT = f"{ROOT_STATE}.chat_widget___ui___agent___state____agent_state"
MARKER = "_rx_state_"
#: Session-storage vars of the app (``rx.SessionStorage``): sent back on every hydrate.
STORAGE_VARS = {(WIDGET, "view"), (AGENT, "resume_chat")}
_EVENT_RE = re.compile(r'ReflexEvent\("([^"]+)",\s*\(?\{\s*\[?"?(\w+)"?\]?\s*:')


@dataclass
class Outboxed:
    id: str
    text: str
    kind: str
    conv: str = ""
    state: str = "pending"


@dataclass
class Tab:
    port: int
    origin: str
    pathname: str
    cookie: str = ""
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    vars: dict[str, dict[str, Any]] = field(default_factory=dict)
    storage: dict[str, Any] = field(default_factory=dict)  # session storage (full var keys)
    widget_session: str | None = None  # localStorage "cw.session"
    outbox: list[Outboxed] = field(default_factory=list)
    senders: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: ("reconnecting"|"online", monotonic time) — what the status region would announce
    banner: list[tuple[str, float]] = field(default_factory=list)
    tokens_seen: list[str] = field(default_factory=list)
    #: (state path, messages carried) for each delta that carried transcript parts
    pushed: list[tuple[str, int]] = field(default_factory=list)
    connected: bool = False
    ready: bool = True
    lost: bool = False

    def __post_init__(self) -> None:
        self.changed = asyncio.Condition()
        self._ws: Any = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    # --- connection -------------------------------------------------------------------------

    async def start(self) -> None:
        await self._connect()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
        if self._ws is not None:
            try:
                await asyncio.wait_for(self._ws.close(), 3)
            except Exception:
                pass

    def _hydrate(self) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if self.storage:
            payload["vars"] = dict(self.storage)
        return {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": payload,
            "router_data": self._router(),
        }

    def _router(self) -> dict[str, Any]:
        return {"pathname": self.pathname, "query": {}, "asPath": self.pathname}

    async def _connect(self) -> None:
        url = f"ws://127.0.0.1:{self.port}/_event/?EIO=4&transport=websocket&token={self.token}"
        headers = {"Cookie": self.cookie} if self.cookie else None
        ws = await websockets.connect(
            url,
            origin=self.origin,  # type: ignore[arg-type]
            additional_headers=headers,
            open_timeout=10,
            max_size=2**24,
        )
        await ws.recv()  # Engine.IO open
        await ws.send("40/_event," + json.dumps({"event": self._hydrate()}))
        self._ws = ws
        self.connected = True
        self.tokens_seen.append(self.token)

    async def _run(self) -> None:
        while not self._closing:
            try:
                await self._read()
            except Exception:
                pass
            self.connected = False
            if self._closing:
                return
            self._lose()
            async with self.changed:
                self.changed.notify_all()
            attempts = 0
            while not self._closing:
                attempts = min(attempts + 1, 10)
                await asyncio.sleep(0.2 * attempts)
                try:
                    await self._connect()
                    break
                except Exception:
                    continue

    def _lose(self) -> None:
        self.ready = False
        self.senders = {}
        if not self.lost:
            self.lost = True
            self.banner.append(("reconnecting", time.monotonic()))

    async def _read(self) -> None:
        async for frame in self._ws:
            frame = str(frame)
            if frame == "2":
                await self._ws.send("3")
                continue
            if not frame.startswith("42/_event,"):
                continue
            try:
                name, data = json.loads(frame[len("42/_event,") :])[:2]
            except ValueError:
                continue
            if name == "new_token" and isinstance(data, str):
                self.token = data
                self.tokens_seen.append(data)
                continue
            if name != "event" or not isinstance(data, dict):
                continue
            for path, values in (data.get("delta") or {}).items():
                clean = {k.removesuffix(MARKER): v for k, v in values.items()}
                self.vars.setdefault(path, {}).update(clean)
                parts = [v for k, v in clean.items() if k in PART_VARS and isinstance(v, list)]
                if parts:
                    self.pushed.append((path, sum(len(p) for p in parts)))
                for state, var in STORAGE_VARS:
                    if path == state and var in clean:
                        self.storage[f"{state}.{var}{MARKER}"] = clean[var]
            for event in data.get("events") or []:
                await self._handle(event)
            async with self.changed:
                self.changed.notify_all()

    async def _handle(self, event: dict[str, Any]) -> None:
        name = event.get("name", "")
        payload = event.get("payload") or {}
        if name == "_call_script":
            await self._script(str(payload.get("javascript_code", "")), payload.get("callback"))
        elif name and not name.startswith("_"):
            await self.send(name, payload)

    async def _script(self, code: str, callback: Any) -> None:
        if ".boot()" in code and isinstance(callback, str):
            found = _EVENT_RE.search(callback)
            if found:
                boot = {"mode": "embed", "locale": "fr", "browserLocales": ["fr"]}
                boot["ownSession"] = self.widget_session  # type: ignore[assignment]
                await self.send(found.group(1), {found.group(2): json.dumps(boot)})
        elif ".saveSession(" in code:
            self.widget_session = json.loads(code.split(".saveSession(", 1)[1].rsplit(")", 1)[0])
        elif ".resumed()" in code:
            self.ready = True
            if self.lost:
                self.lost = False
                self.banner.append(("online", time.monotonic()))
        elif ".outboxReady(" in code:
            args = code.split(".outboxReady(", 1)[1]
            kind = json.loads(args.split(",", 1)[0])
            found = _EVENT_RE.search(args)
            if found:
                self.ready = True
                self.senders[kind] = (found.group(1), found.group(2))
                for m in self.outbox:
                    if m.kind == kind and m.state == "sending":
                        m.state = "pending"
                await self._flush(kind)
        elif ".outboxResult(" in code:
            raw = json.loads(code.split(".outboxResult(", 1)[1].rsplit(")", 1)[0])
            outcomes = json.loads(raw)
            self.outbox = [m for m in self.outbox if outcomes.get(m.id) != "sent"]
            for m in self.outbox:
                if outcomes.get(m.id) == "failed":
                    m.state = "failed"

    async def _flush(self, kind: str) -> None:
        sender = self.senders.get(kind)
        batch = [m for m in self.outbox if m.kind == kind and m.state == "pending"]
        if sender is None or not batch or not self.ready:
            return
        for m in batch:
            m.state = "sending"
        entries = [{"id": m.id, "text": m.text, "conv": m.conv} for m in batch]
        await self.send(sender[0], {sender[1]: json.dumps(entries)})

    # --- what a person does -----------------------------------------------------------------

    async def send(self, name: str, payload: dict[str, Any]) -> None:
        event = {"name": name, "payload": payload, "router_data": self._router()}
        await self._ws.send("42/_event," + json.dumps(["event", event]))

    async def submit(self, handler: str, kind: str, text: str, conv: str = "") -> str:
        """The composer's submit as widget-bridge.js routes it: straight to the handler while
        the view is live, into the outbox while it is not."""
        msg_id = uuid.uuid4().hex
        if self.ready and self.connected:
            await self.send(handler, {"form": {"message": text, "client_msg_id": msg_id}})
        else:
            self.outbox.append(Outboxed(msg_id, text, kind, conv))
        return msg_id

    def get(self, path: str, name: str) -> Any:
        return self.vars.get(path, {}).get(name)

    def texts(self, path: str) -> list[str]:
        """Texts of stored messages shown in the view (pending copies left out)."""
        shown = [i for part in PART_VARS for i in self.get(path, part) or []]
        return [i.get("text", "") for i in shown if i.get("seq") != PENDING_SEQ]

    async def wait(self, predicate: Any, timeout: float) -> bool:
        async def until() -> None:
            async with self.changed:
                await self.changed.wait_for(predicate)

        try:
            await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            return False
        return True


def console_cookie(port: int, origin: str, username: str, password: str) -> str:
    """Sign in as the console's form does (POST /api/agent/login); the session cookie."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    body = urllib.parse.urlencode(
        {"username": username, "password": password, "next": "/agent"}
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/agent/login",
        data=body,
        headers={"Origin": origin, "Content-Type": "application/x-www-form-urlencoded"},
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as answer:
        cookie = answer.headers.get("set-cookie", "")
        if answer.code == 303 and cookie:
            return cookie.split(";", 1)[0]
    raise AssertionError("console sign-in failed")
