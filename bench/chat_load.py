"""Live-chat message path under load: N customers on real websockets, bounded in count and time.

Each simulated customer opens the Reflex websocket (Engine.IO v4 / Socket.IO, with the widget's
Origin) and goes through the real customer events: ``on_boot`` (creates the anonymous customer),
``open_live_chat``, ``start`` (queues the chat, starts the view's listener). The bench process
plays the agents' "Accept" click: it seeds agents in the same database and calls
``live_chat.accept`` (the function the console's Accept button calls) for each waiting chat;
the customer's listener then shows the chat active. ``--agent-sockets`` of those agents also
log in over their own websocket (``AgentState.login``, ``on_console_page``) and select their
first chat, as an employee's console does. Then every ``--interval`` s each customer sends a
message with ``LiveChatState.send`` (form with ``client_msg_id``), and the bench measures

* **ack**: send → the customer's state delta that holds the stored message (its real seq): the
  durable write acknowledged to the sender, for every message;
* **delivery**: send → the agent console's state delta (over the agent's websocket) that shows
  the message, for the conversations an agent socket has selected (a sample);
* **db_visible**: send → the row visible to an outside reader (the bench polls the message table
  every 50 ms), for every message: the floor for any reader on another worker, which then adds
  its own wake-up (same worker: at once; another worker: its next 0.8 s poll).

    python bench/chat_load.py --clients 100,500,1000 --mode single  # one worker, SQLite, memory state
    python bench/chat_load.py --clients 100,500,1000 --mode redis   # Redis state + PostgreSQL,
                                                                    # GRANIAN_WORKERS=2 workers

Loopback only (the server binds 127.0.0.1). The bench first waits until the server's start-up
work (the assistant model) is done; each run then sends for ``--seconds`` (default 20) after
everyone is in an active chat, each customer starting at a random point of the first interval;
``--timeout`` bounds the whole command. The server, its temp folder and the database the bench
created (a temp SQLite file, or a fresh PostgreSQL database) are removed at the end, and so
are the bench clients' states in Redis (db 8). Results are
printed as JSON lines and written to ``bench/results/chat_load-<mode>-<time>.json``.

``--floor`` starts the stock Reflex app of ``bench/floor`` beside the chat server and runs it
under the same clients and rate right after each chat run: the ratios compare minutes of the
same machine. ``--rounds N`` repeats chat-then-floor N times and ends with one line per load
holding the medians (each ratio: the median of the rounds' own ratios, listed beside it): on a
shared 2-core machine one run's floor p95 moved by as much as a change under test did.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from chat_widget import live_chat  # noqa: E402
from chat_widget.adapters.db import make_engine, session_scope  # noqa: E402
from chat_widget.adapters.migrate import upgrade  # noqa: E402
from chat_widget.agents.accounts import create_agent, set_presence  # noqa: E402
from chat_widget.domain.models import Message  # noqa: E402
from chat_widget.live_chat.records import ChatRequest  # noqa: E402
from chat_widget.ui.transcript_parts import PART_VARS, PENDING_SEQ  # noqa: E402
from tests.conftest import postgres_database  # noqa: E402
from tests.e2e.conftest import start_widget_server, stop_widget_server  # noqa: E402

ROOT_STATE = "reflex___state____state"
WIDGET = f"{ROOT_STATE}.chat_widget___ui___widget_state____widget_state"
LIVE = f"{WIDGET}.chat_widget___ui___live_chat_state____live_chat_state"
AGENT = f"{ROOT_STATE}.chat_widget___ui___agent___state____agent_state"
ASSIST = f"{WIDGET}.chat_widget___ui___assistant_state____assistant_state"
FLOOR = "reflex___state____state.floor___floor____floor_state"
FLOOR_DIR = Path(__file__).resolve().parent / "floor"
QUESTIONS = (
    "j'ai perdu ma carte bancaire",
    "comment faire un virement international",
    "quels sont vos horaires",
    "je voudrais augmenter ma limite de paiement",
)
MARKER = "_rx_state_"


def pushed_items(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages of the transcript parts a delta carries (only the parts that changed)."""
    return [i for part in PART_VARS for i in values.get(part) or []]


REDIS = "redis://127.0.0.1:6379/8"
AGENT_PASSWORD = "bench-agent-password-1234"
RESULTS = Path(__file__).resolve().parent / "results"
#: client tokens the bench used: their Reflex states are removed from Redis at the end
TOKENS: set[str] = set()


def forget_redis_states() -> int:
    import redis

    client = redis.Redis.from_url(REDIS)
    gone = [k for k in client.scan_iter(count=1000) if k.decode().split("_", 1)[0] in TOKENS]
    for start in range(0, len(gone), 500):
        client.delete(*gone[start : start + 500])
    client.close()
    return len(gone)


def tag() -> str:
    # letters only: digit runs could look like account numbers to the privacy guard
    return "".join(random.choices(string.ascii_lowercase, k=12))


@dataclass
class Stats:
    ack: list[float] = field(default_factory=list)
    delivery: list[float] = field(default_factory=list)
    db_visible: list[float] = field(default_factory=list)
    sent: int = 0
    connected: int = 0
    connect_failed: int = 0
    setup_failed: int = 0
    errors: int = 0
    ack_timeouts: int = 0
    agents_connected: int = 0
    agent_errors: int = 0
    #: text -> perf_counter at send (delivery to the agent console is matched by text)
    sent_at: dict[str, float] = field(default_factory=dict)
    delivered: set[str] = field(default_factory=set)
    customer_deltas: int = 0  # state updates pushed to customers during the sending phase
    counting: bool = False
    observed_texts: int = 0  # messages sent in conversations an agent socket watches
    #: client_msg_id -> perf_counter at send, for the DB observer
    db_pending: dict[str, float] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)
    assistant: list[float] = field(default_factory=list)
    assistant_asked: int = 0
    assistant_timeouts: int = 0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class Conn:
    """One Reflex websocket: sends events, folds state deltas into ``vars``, answers pings."""

    def __init__(self, ws: Any, pathname: str) -> None:
        self.ws = ws
        self.pathname = pathname
        self.vars: dict[str, dict[str, Any]] = {}
        self.changed = asyncio.Condition()
        self.on_delta: Any = None
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, port: int, origin: str, pathname: str, cookie: str = "") -> Conn:
        token = str(uuid.uuid4())
        TOKENS.add(token)
        url = f"ws://127.0.0.1:{port}/_event/?EIO=4&transport=websocket&token={token}"
        headers = {"Cookie": cookie} if cookie else None
        ws = await websockets.connect(
            url,
            origin=origin,  # type: ignore[arg-type]
            open_timeout=60,
            max_size=2**24,
            additional_headers=headers,
        )
        await ws.recv()  # Engine.IO open
        await ws.send("40/_event,")
        while not str(await ws.recv()).startswith("40/_event"):
            pass
        return cls(ws, pathname)

    async def _read(self) -> None:
        async for frame in self.ws:
            frame = str(frame)
            if frame == "2":
                await self.ws.send("3")
                continue
            if not frame.startswith("42/_event,"):
                continue
            try:
                _, update = json.loads(frame[len("42/_event,") :])
            except ValueError:
                continue
            delta = update.get("delta") if isinstance(update, dict) else None
            if not delta:
                continue
            now = time.perf_counter()
            for path, values in delta.items():
                clean = {k.removesuffix(MARKER): v for k, v in values.items()}
                self.vars.setdefault(path, {}).update(clean)
                if self.on_delta is not None:
                    self.on_delta(path, clean, now)
            async with self.changed:
                self.changed.notify_all()

    def get(self, path: str, name: str) -> Any:
        return self.vars.get(path, {}).get(name)

    async def event(self, name: str, payload: dict[str, Any]) -> None:
        router = {"pathname": self.pathname, "query": {}, "asPath": self.pathname}
        event = {"name": name, "payload": payload, "router_data": router}
        await self.ws.send("42/_event," + json.dumps(["event", event]))

    async def wait(self, predicate: Any, timeout: float) -> bool:
        async def until() -> None:
            async with self.changed:
                await self.changed.wait_for(predicate)

        try:
            await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        self.reader.cancel()
        try:
            await asyncio.wait_for(self.ws.close(), 5)
        except Exception:
            pass


def console_login(port: int, origin: str, username: str) -> str:
    """The console's sign-in form (POST, own Origin): the session cookie it sets, as a
    ``Cookie`` header for the console's websocket handshake."""
    import http.client
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        body = urlencode({"username": username, "password": AGENT_PASSWORD})
        headers = {"Origin": origin, "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/api/agent/login", body, headers)
        reply = conn.getresponse()
        reply.read()
        cookies = [c.split(";", 1)[0] for c in reply.headers.get_all("set-cookie") or []]
    finally:
        conn.close()
    if not any(c.split("=", 1)[1] for c in cookies if "=" in c):
        raise RuntimeError(f"console login refused ({reply.status})")
    return "; ".join(cookies)


# --- database side: agents and their Accept click ---------------------------------------------


def seed_agents(
    engine: Engine, run: str, count: int, capacity: int, with_password: int
) -> list[str]:
    ids = []
    with session_scope(engine) as s:
        for k in range(count):
            agent = create_agent(
                session=s,
                username=f"b{run}a{k}",
                display_name=f"Bench Agent{k}",
                password=AGENT_PASSWORD if k < with_password else None,
                roles=["agent"],
                languages=["fr", "nl", "en", "de"],
                capacity=capacity,
            )
            set_presence(session=s, agent_id=agent.id, presence="available")
            ids.append(agent.id)
    return ids


def accept_waiting(
    engine: Engine, agents: list[str], capacity: int, held: dict[str, list[str]]
) -> list[str]:
    """Hand each waiting chat to the first bench agent with room (the console's Accept);
    the conversations (and ``agent:<id>`` keys) to announce."""
    with session_scope(engine) as s:
        waiting = s.exec(
            select(ChatRequest.conversation_id).where(
                col(ChatRequest.agent_id).is_(None), col(ChatRequest.closed_at).is_(None)
            )
        ).all()
    done: list[str] = []
    for conversation_id in waiting:
        agent_id = next((a for a in agents if len(held[a]) < capacity), None)
        if agent_id is None:
            break
        with session_scope(engine) as s:
            if live_chat.accept(session=s, agent_id=agent_id, conversation_id=conversation_id):
                held[agent_id].append(conversation_id)
                done += [conversation_id, f"agent:{agent_id}"]
    return done


def db_observer(engine: Engine, stats: Stats, stop: threading.Event) -> None:
    """Poll the message table for sent client_msg_ids: when does an outside reader see them?"""
    while not stop.is_set():
        ids = list(stats.db_pending)[:2000]
        if ids:
            try:
                with engine.connect() as conn:
                    rows = conn.execute(
                        select(Message.client_msg_id).where(col(Message.client_msg_id).in_(ids))
                    ).all()
                now = time.perf_counter()
                for (cid,) in rows:
                    t0 = stats.db_pending.pop(cid, None)
                    if t0 is not None:
                        stats.db_visible.append((now - t0) * 1000)
            except Exception:
                pass
        stop.wait(0.05)


# --- simulated people ------------------------------------------------------------------------


async def customer(
    i: int,
    port: int,
    origin: str,
    args: argparse.Namespace,
    stats: Stats,
    ready: asyncio.Event,
    go: asyncio.Event,
    finished: asyncio.Event,
) -> None:
    try:
        conn = await Conn.open(port, origin, "/widget/")
    except Exception:
        stats.connect_failed += 1
        return
    stats.connected += 1
    acked: dict[str, float] = {}

    def on_delta(path: str, values: dict[str, Any], now: float) -> None:
        if path != LIVE:
            return
        if stats.counting:
            stats.customer_deltas += 1
        for item in pushed_items(values):
            t = item.get("text")
            if item.get("author") == "customer" and item.get("seq") != PENDING_SEQ and t in pending:
                acked[t] = (now - pending.pop(t)) * 1000

    pending: dict[str, float] = {}
    conn.on_delta = on_delta
    try:
        boot = {
            "mode": "embed",
            "locale": "fr",
            "browserLocales": ["fr"],
            "timeZone": "Europe/Brussels",
        }
        await conn.event(f"{WIDGET}.on_boot", {"raw": json.dumps(boot)})
        if not await conn.wait(lambda: conn.get(WIDGET, "booted") is True, 120):
            raise RuntimeError("boot")
        await conn.event(f"{LIVE}.open_live_chat", {})
        if not await conn.wait(lambda: conn.get(LIVE, "phase") == "intro", 120):
            raise RuntimeError("open")
        await conn.event(f"{LIVE}.start", {"form": {"topic": "cards"}})
        if not await conn.wait(lambda: conn.get(LIVE, "phase") in {"waiting", "active"}, 120):
            raise RuntimeError("start")
        if not await conn.wait(lambda: conn.get(LIVE, "phase") == "active", args.setup_timeout):
            raise RuntimeError("accept")
    except Exception as exc:
        stats.setup_failed += 1
        stats.error_kinds[f"setup:{exc}"] = stats.error_kinds.get(f"setup:{exc}", 0) + 1
        ready.set()
        await conn.close()
        return
    ready.set()
    await go.wait()
    try:
        await asyncio.sleep(random.uniform(0, args.interval))  # customers do not type in step
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            text_ = f"Bonjour, ceci est une question {tag()}"
            client_msg_id = uuid.uuid4().hex
            sent = time.perf_counter()
            pending[text_] = sent
            stats.sent_at[text_] = sent
            stats.db_pending[client_msg_id] = sent
            stats.sent += 1
            form = {"message": text_, "client_msg_id": client_msg_id}
            await conn.event(f"{LIVE}.send", {"form": form})
            if await conn.wait(lambda t=text_: t in acked, 30):  # type: ignore[misc]
                stats.ack.append(acked.pop(text_))
            else:
                stats.ack_timeouts += 1
                pending.pop(text_, None)
            await asyncio.sleep(max(0.0, args.interval - (time.perf_counter() - sent)))
    except Exception as exc:
        stats.error(type(exc).__name__)
    await finished.wait()
    try:  # end the chat so this run's listeners stop before the next run
        await conn.event(f"{LIVE}.end_chat", {})
        await conn.wait(lambda: conn.get(LIVE, "phase") == "ended", 20)
    except Exception:
        pass
    await conn.close()


async def assistant_customer(
    port: int,
    origin: str,
    args: argparse.Namespace,
    stats: Stats,
    ready: asyncio.Event,
    go: asyncio.Event,
    finished: asyncio.Event,
) -> None:
    """A customer asking the digital assistant a question every ``--assistant-interval`` s:
    send → the state delta that holds the assistant's answer."""
    try:
        conn = await Conn.open(port, origin, "/widget/")
        boot = {"mode": "embed", "locale": "fr", "browserLocales": ["fr"], "timeZone": "UTC"}
        await conn.event(f"{WIDGET}.on_boot", {"raw": json.dumps(boot)})
        if not await conn.wait(lambda: conn.get(WIDGET, "booted") is True, 120):
            raise RuntimeError("boot")
        await conn.event(f"{ASSIST}.open_assistant", {})
        if not await conn.wait(lambda: conn.get(ASSIST, "loaded") is True, 120):
            raise RuntimeError("open assistant")
    except Exception as exc:
        stats.setup_failed += 1
        stats.error_kinds[f"assistant setup:{exc}"] = 1 + stats.error_kinds.get(
            f"assistant setup:{exc}", 0
        )
        ready.set()
        return
    ready.set()
    answers = {"n": 0}

    def answered() -> int:
        items = [i for part in PART_VARS for i in conn.get(ASSIST, part) or []]
        return sum(1 for i in items if i.get("author") != "customer")

    await go.wait()
    try:
        await asyncio.sleep(random.uniform(0, args.assistant_interval))
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            answers["n"] = answered()
            sent = time.perf_counter()
            stats.assistant_asked += 1
            form = {"message": random.choice(QUESTIONS), "client_msg_id": uuid.uuid4().hex}
            await conn.event(f"{ASSIST}.send", {"form": form})
            if await conn.wait(lambda: answered() > answers["n"], 30):
                stats.assistant.append((time.perf_counter() - sent) * 1000)
            else:
                stats.assistant_timeouts += 1
            await asyncio.sleep(max(0.0, args.assistant_interval - (time.perf_counter() - sent)))
    except Exception as exc:
        stats.error(f"assistant:{type(exc).__name__}")
    await finished.wait()
    await conn.close()


async def agent_socket(
    k: int,
    run: str,
    port: int,
    origin: str,
    stats: Stats,
    held: list[str],
    selected: asyncio.Event,
    finished: asyncio.Event,
    logged_in: asyncio.Event,
) -> None:
    try:
        try:
            cookie = await asyncio.to_thread(console_login, port, origin, f"b{run}a{k}")
            conn = await Conn.open(port, origin, "/agent/", cookie=cookie)
            await conn.event(f"{AGENT}.on_console_page", {})
            if not await conn.wait(lambda: conn.get(AGENT, "authed") is True, 60):
                raise RuntimeError("login")
        finally:
            logged_in.set()
        while not held:
            await asyncio.sleep(0.2)
        conversation_id = held[0]
        await conn.event(f"{AGENT}.select_chat", {"conversation_id": conversation_id})
        if not await conn.wait(lambda: conn.get(AGENT, "current_id") == conversation_id, 60):
            raise RuntimeError("select")
    except Exception as exc:
        stats.agent_errors += 1
        stats.error_kinds[f"agent:{exc!r}"] = stats.error_kinds.get(f"agent:{exc!r}", 0) + 1
        selected.set()
        return
    stats.agents_connected += 1
    watched: set[str] = set()

    def on_delta(path: str, values: dict[str, Any], now: float) -> None:
        if path != AGENT:
            return
        for item in pushed_items(values):
            t = item.get("text")
            if item.get("author") == "customer" and t not in watched:
                watched.add(t)
                t0 = stats.sent_at.get(t)
                if t0 is not None:
                    stats.delivery.append((now - t0) * 1000)
                    stats.delivered.add(t)

    conn.on_delta = on_delta
    selected.set()
    await finished.wait()
    try:
        await conn.event(f"{AGENT}.logout", {})
        await asyncio.sleep(0.5)
    except Exception:
        pass
    await conn.close()


def tree_usage(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system) and resident bytes of the server and its children."""
    import psutil

    cpu, rss = 0.0, 0
    root = psutil.Process(pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            cpu += t.user + t.system
            rss += p.memory_info().rss
        except psutil.Error:
            pass
    return cpu, rss


def wait_settled(pid: int, limit: float = 300, busy: float = 0.3) -> float:
    """Seconds until the server's processes use less than ``busy`` of a core over 3 s.

    The workers do their start-up work (schema, the assistant's model) after they answer HTTP;
    measuring during it would charge that one-off cost to the message path."""
    import psutil

    root, t0 = psutil.Process(pid), time.monotonic()

    def cpu() -> float:
        total = 0.0
        for p in [root, *root.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    while time.monotonic() - t0 < limit:
        before = cpu()
        time.sleep(3)
        if (cpu() - before) / 3 < busy:
            break
    return round(time.monotonic() - t0, 1)


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(p * len(v)))], 1)


async def run_load(server: Any, engine: Engine, n: int, args: argparse.Namespace) -> dict[str, Any]:
    run = uuid.uuid4().hex[:6]
    announce = live_bus(args, server.env["CW_DATABASE_URL"])
    stats = Stats()
    n_agents = -(-n // args.capacity)
    sockets = min(args.agent_sockets, n_agents)
    agents = await asyncio.to_thread(seed_agents, engine, run, n_agents, args.capacity, sockets)
    held: dict[str, list[str]] = {a: [] for a in agents}
    go, finished = asyncio.Event(), asyncio.Event()
    _, rss_before = tree_usage(server.process.pid)
    readies = [asyncio.Event() for _ in range(n)]
    t_setup = time.monotonic()
    # The consoles sign in first, before the customers connect: 100 or more Argon2 sign-ins
    # beside 1,000 customers' set-up timed out (60 s) and left most consoles out.
    selected = [asyncio.Event() for _ in range(sockets)]
    logged_in = [asyncio.Event() for _ in range(sockets)]
    agent_tasks = [
        asyncio.create_task(
            agent_socket(
                k,
                run,
                server.port,
                server.origin,
                stats,
                held[agents[k]],
                selected[k],
                finished,
                logged_in[k],
            )
        )
        for k in range(sockets)
    ]
    if logged_in:
        await asyncio.wait(
            [asyncio.create_task(e.wait()) for e in logged_in], timeout=args.setup_timeout / 2
        )
    tasks = [
        asyncio.create_task(
            customer(i, server.port, server.origin, args, stats, readies[i], go, finished)
        )
        for i in range(n)
    ]
    asked = [asyncio.Event() for _ in range(args.assistant)]
    tasks += [
        asyncio.create_task(
            assistant_customer(server.port, server.origin, args, stats, asked[k], go, finished)
        )
        for k in range(args.assistant)
    ]
    readies += asked
    # Accept chats as they arrive until every customer is active (or gave up).
    while time.monotonic() - t_setup < args.setup_timeout:
        accepted = await asyncio.to_thread(accept_waiting, engine, agents, args.capacity, held)
        if accepted and announce is not None:  # what the console's Accept publishes
            await announce.send_now("queue", *accepted)
        if all(r.is_set() or t.done() for r, t in zip(readies, tasks, strict=True)) and all(
            s.is_set() or t.done() for s, t in zip(selected, agent_tasks, strict=True)
        ):
            break
        await asyncio.sleep(0.3)
    setup_s = time.monotonic() - t_setup
    await asyncio.sleep(3)  # the last set-up events settle
    _, rss_idle = tree_usage(server.process.pid)
    connections = stats.connected + stats.agents_connected + args.assistant
    watched = {c for a in agents[:sockets] for c in held[a][:1]}
    load_before = os.getloadavg()
    stop = threading.Event()
    observer = threading.Thread(target=db_observer, args=(engine, stats, stop), daemon=True)
    observer.start()
    if args.phase_file:  # lets a profiler attach for exactly the sending phase
        Path(args.phase_file).write_text(f"sending {n}\n")
    cpu_go, _ = tree_usage(server.process.pid)
    go.set()
    stats.counting = True
    await asyncio.sleep(args.seconds)
    stats.counting = False
    if args.phase_file:
        Path(args.phase_file).write_text(f"done {n}\n")
    await asyncio.sleep(args.interval + 1)
    # let the last messages land (acks time out on their own after 30 s)
    pending = [t for t in tasks if not t.done()]
    if pending:  # asyncio.wait refuses an empty set (and coroutines)
        await asyncio.wait(pending, timeout=35)
    # and the last deliveries to the consoles (until none arrived for 2 s, at most 15 s)
    quiet_since, count, t_end = time.monotonic(), len(stats.delivery), time.monotonic()
    while time.monotonic() - quiet_since < 2.0 and time.monotonic() - t_end < 15:
        await asyncio.sleep(0.25)
        if len(stats.delivery) != count:
            quiet_since, count = time.monotonic(), len(stats.delivery)
    load_after = os.getloadavg()
    cpu_end, _ = tree_usage(server.process.pid)
    stop.set()
    observer.join(5)
    finished.set()
    await asyncio.wait(tasks + agent_tasks, timeout=60)
    for t in tasks + agent_tasks:
        t.cancel()
    if announce is not None:
        await announce.aclose()
    # how many sent messages belonged to watched conversations
    with session_scope(engine) as s:
        stats.observed_texts = (
            len(
                s.exec(
                    select(Message.id).where(
                        col(Message.conversation_id).in_(list(watched) or [""]),
                        Message.author_kind == "customer",
                    )
                ).all()
            )
            if watched
            else 0
        )
    return {
        "mode": args.mode,
        "clients": n,
        "connected": stats.connected,
        "connect_failed": stats.connect_failed,
        "setup_failed": stats.setup_failed,
        "setup_seconds": round(setup_s, 1),
        "agents": n_agents,
        "agent_sockets": stats.agents_connected,
        "agent_socket_errors": stats.agent_errors,
        "sent": stats.sent,
        "acked": len(stats.ack),
        "ack_timeouts": stats.ack_timeouts,
        "errors": stats.errors,
        "error_kinds": stats.error_kinds,
        "ack_p50_ms": pct(stats.ack, 0.50),
        "ack_p95_ms": pct(stats.ack, 0.95),
        "ack_p99_ms": pct(stats.ack, 0.99),
        "customer_deltas_per_s": round(stats.customer_deltas / args.seconds, 1),
        "delivery_samples": len(stats.delivery),
        "delivery_expected": stats.observed_texts,
        "delivery_missing": max(0, stats.observed_texts - len(stats.delivery)),
        "delivery_p50_ms": pct(stats.delivery, 0.50),
        "delivery_p95_ms": pct(stats.delivery, 0.95),
        "delivery_p99_ms": pct(stats.delivery, 0.99),
        "db_visible_samples": len(stats.db_visible),
        "db_visible_p50_ms": pct(stats.db_visible, 0.50),
        "db_visible_p95_ms": pct(stats.db_visible, 0.95),
        "db_visible_p99_ms": pct(stats.db_visible, 0.99),
        "assistant_clients": args.assistant,
        "assistant_asked": stats.assistant_asked,
        "assistant_answered": len(stats.assistant),
        "assistant_timeouts": stats.assistant_timeouts,
        "assistant_p50_ms": pct(stats.assistant, 0.50),
        "assistant_p95_ms": pct(stats.assistant, 0.95),
        "server_cpu_ms_per_message": round(
            (cpu_end - cpu_go) * 1000 / max(1, stats.sent + stats.assistant_asked), 2
        ),
        "rss_per_idle_connection_kb": round(
            (rss_idle - rss_before) / max(1, connections) / 1024, 1
        ),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }


def live_bus(args: argparse.Namespace, database_url: str) -> Any:
    """The bench plays the console's Accept from outside the server: it publishes what the
    console would, on the server's live bus (Redis, channel scoped by the database). On
    SQLite the server sees other processes' writes by itself. None on code without a bus
    (measuring the code before it)."""
    try:
        from chat_widget.live_chat.bus import Bus, RedisBackend
    except ImportError:
        return None
    if args.mode != "redis":
        return None
    return Bus(RedisBackend(REDIS, scope=database_url))


# --- the floor: a stock Reflex app, same clients, same rate ----------------------------------


def start_floor_server(extra_env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int, Path]:
    """``bench/floor`` in production mode on a free loopback port (its own build folder)."""
    from tests.e2e.conftest import ROOT, _wait_http, free_port

    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="cw-floor-"))
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        {
            "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{ROOT / '.venv' / 'bin'}:"
            + env["PATH"],
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_WEB_WORKDIR": str(data_dir / "web"),
            "REFLEX_STATES_WORKDIR": str(data_dir / "states"),
            "REFLEX_BACKEND_HOST": "127.0.0.1",
        }
    )
    env.update(extra_env)
    log_path = data_dir / "floor.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port"]
            + ["--backend-port", str(port), "--loglevel", "warning"],
            cwd=FLOOR_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _wait_http(f"http://127.0.0.1:{port}/ping", time.time() + 300, proc, log_path)
    return proc, port, data_dir


def stop_process_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


async def floor_client(
    port: int,
    args: argparse.Namespace,
    latencies: list[float],
    failures: dict[str, int],
    ready: asyncio.Event,
    go: asyncio.Event,
) -> None:
    """One client of the floor app: the trivial event at the chat customers' rate."""
    try:
        conn = await Conn.open(port, f"http://127.0.0.1:{port}", "/")
    except Exception:
        failures["connect"] = failures.get("connect", 0) + 1
        ready.set()
        return
    ready.set()
    await go.wait()
    try:
        await asyncio.sleep(random.uniform(0, args.interval))
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            value = tag()
            sent = time.perf_counter()
            await conn.event(f"{FLOOR}.bump", {"value": value})
            if await conn.wait(lambda v=value: conn.get(FLOOR, "last") == v, 30):  # type: ignore[misc]
                latencies.append((time.perf_counter() - sent) * 1000)
            else:
                failures["timeout"] = failures.get("timeout", 0) + 1
            await asyncio.sleep(max(0.0, args.interval - (time.perf_counter() - sent)))
    except Exception as exc:
        failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
    await conn.close()


async def run_floor(
    port: int, n: int, args: argparse.Namespace, server_pid: int, idle_pid: int | None = None
) -> dict[str, Any]:
    """The floor under ``n`` clients; ``idle_pid``: the chat server left up beside it, whose CPU
    during the floor's sending phase is reported (what it took from the floor's machine)."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    go = asyncio.Event()
    readies = [asyncio.Event() for _ in range(n)]
    tasks = [
        asyncio.create_task(floor_client(port, args, latencies, failures, readies[i], go))
        for i in range(n)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), args.setup_timeout)
    await asyncio.sleep(2)
    cpu_go, _ = tree_usage(server_pid)
    idle_go = tree_usage(idle_pid)[0] if idle_pid else 0.0
    go.set()
    await asyncio.wait(tasks, timeout=args.seconds + args.interval + 40)
    cpu_end, _ = tree_usage(server_pid)
    idle_end = tree_usage(idle_pid)[0] if idle_pid else 0.0
    for t in tasks:
        t.cancel()
    sent = len(latencies) + failures.get("timeout", 0)
    return {
        "floor_sent": sent,
        # the same measure as server_cpu_ms_per_message: the framework's own cost of an event
        "floor_server_cpu_ms_per_message": round((cpu_end - cpu_go) * 1000 / max(1, sent), 2),
        "floor_errors": sum(failures.values()),
        "floor_error_kinds": failures,
        "idle_chat_server_cpu_s_during_floor": round(idle_end - idle_go, 2),
        "floor_p50_ms": pct(latencies, 0.50),
        "floor_p95_ms": pct(latencies, 0.95),
        "floor_p99_ms": pct(latencies, 0.99),
    }


def with_ratios(result: dict[str, Any]) -> dict[str, Any]:
    floor = result.get("floor_p95_ms")
    if floor:
        for name in ("ack", "delivery"):
            value = result.get(f"{name}_p95_ms")
            result[f"{name}_p95_vs_floor"] = round(value / floor, 2) if value else None
    floor_cpu = result.get("floor_server_cpu_ms_per_message")
    if floor_cpu:
        result["cpu_per_message_vs_floor"] = round(
            result["server_cpu_ms_per_message"] / floor_cpu, 2
        )
    return result


def median_of_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Every number as its median over the rounds; each ratio is the median of the rounds'
    own ratios (a round's chat and floor run back to back; rounds may differ in noise), and the
    rounds' ratios are listed beside it."""
    out: dict[str, Any] = {"clients": rounds[0]["clients"], "rounds": len(rounds)}
    for key in rounds[0]:
        values = [r.get(key) for r in rounds]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            out[key] = round(statistics.median(values), 2)
    for key in ("ack_p95_vs_floor", "delivery_p95_vs_floor", "cpu_per_message_vs_floor"):
        if key in out:
            out[f"{key}_rounds"] = [r[key] for r in rounds]
    out["round"] = "median"
    return out


# --- the database the bench owns -------------------------------------------------------------


def create_database(mode: str) -> tuple[str, Any]:
    """A fresh database for the run and how to remove it."""
    if mode == "single":
        folder = Path(tempfile.mkdtemp(prefix="cw-chat-load-"))
        return f"sqlite:///{folder / 'bench.db'}", lambda: shutil.rmtree(folder, ignore_errors=True)
    database = contextlib.ExitStack()
    return database.enter_context(postgres_database()), database.close


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="100,500,1000")
    parser.add_argument("--mode", choices=["single", "redis"], default="single")
    parser.add_argument("--seconds", type=float, default=20, help="sending phase per run")
    parser.add_argument(
        "--interval", type=float, default=2.0, help="seconds between a customer's messages"
    )
    parser.add_argument("--workers", type=int, default=2, help="redis mode: GRANIAN_WORKERS")
    parser.add_argument("--capacity", type=int, default=5, help="chats per bench agent")
    parser.add_argument(
        "--agent-sockets", type=int, default=20, help="agents with a console websocket"
    )
    parser.add_argument("--setup-timeout", type=float, default=240)
    parser.add_argument("--phase-file", help="written when a run's sending phase starts")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="after the chat runs, the stock Reflex app of bench/floor under the same load",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat chat then floor this many times; a last line per load gives the medians",
    )
    parser.add_argument(
        "--assistant", type=int, default=0, help="customers asking the assistant meanwhile"
    )
    parser.add_argument("--assistant-interval", type=float, default=10.0)
    parser.add_argument(
        "--sample",
        help="profile the chat server (bench/sampler): top functions written to SAMPLE.<pid>",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="hard limit for the whole command"
    )
    args = parser.parse_args()

    def give_up(*_: Any) -> None:
        raise TimeoutError(f"--timeout {args.timeout}s reached")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(int(args.timeout))
    url, drop = create_database(args.mode)
    # Loopback only. Manual routing: the bench hands each chat to a known agent itself
    # (live_chat.accept, what the console's Accept does) so that it knows which agent socket
    # should see which message.
    env = {
        "CW_DATABASE_URL": url,
        "REFLEX_BACKEND_HOST": "127.0.0.1",
        "CW_CHAT_ROUTING": "manual",
    }
    if args.mode == "redis":
        env |= {"REDIS_URL": REDIS, "GRANIAN_WORKERS": str(args.workers)}
    if args.sample:
        sampler = str(Path(__file__).resolve().parent / "sampler")
        path = os.pathsep.join(p for p in (sampler, os.environ.get("PYTHONPATH", "")) if p)
        env |= {"PYTHONPATH": path, "CW_BENCH_SAMPLE": str(Path(args.sample).resolve())}
        # the sampler counts only while this file says "sending" (the sending phase)
        args.phase_file = args.phase_file or f"{Path(args.sample).resolve()}.phase"
        env["CW_BENCH_SAMPLE_PHASE"] = str(Path(args.phase_file).resolve())
    engine = make_engine(url)
    results: list[dict[str, Any]] = []
    server = None
    floor: tuple[subprocess.Popen[bytes], int, Path] | None = None
    try:
        upgrade(engine)
        server = start_widget_server(env)
        print(f"server settled after {wait_settled(server.process.pid)} s", file=sys.stderr)
        if args.floor:
            # Both servers stay up: each round runs the chat, then the floor, so both see the
            # machine of the same minutes (the idle one took under 2 % of a core: see the result).
            floor_env = {"REDIS_URL": REDIS, "GRANIAN_WORKERS": str(args.workers)}
            floor = start_floor_server(floor_env if args.mode == "redis" else {})
            print(f"floor settled after {wait_settled(floor[0].pid)} s", file=sys.stderr)
        for round_no in range(args.rounds):
            for n in (int(x) for x in args.clients.split(",")):
                result = asyncio.run(run_load(server, engine, n, args))
                result["round"] = round_no + 1
                if args.mode == "redis":
                    result["workers"] = args.workers
                time.sleep(3)
                if floor is not None:
                    result.update(
                        asyncio.run(run_floor(floor[1], n, args, floor[0].pid, server.process.pid))
                    )
                    with_ratios(result)
                    time.sleep(3)
                results.append(result)
                print(json.dumps(result), flush=True)
        if args.rounds > 1:
            for n in (int(x) for x in args.clients.split(",")):
                print(json.dumps(median_of_rounds([r for r in results if r["clients"] == n])))
    finally:
        signal.alarm(0)
        if server is not None:
            stop_widget_server(server)
        if floor is not None:
            stop_process_group(floor[0])
            shutil.rmtree(floor[2], ignore_errors=True)
        engine.dispose()
        drop()
        if args.mode == "redis":
            print(f"removed {forget_redis_states()} bench states from Redis", file=sys.stderr)
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"chat_load-{args.mode}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(json.dumps(results, indent=1))
        print(f"written {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
