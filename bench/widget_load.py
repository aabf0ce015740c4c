"""Load on the widget server: N simulated customers on real websockets, bounded in count and time.

Each simulated customer opens the Reflex websocket (Engine.IO v4 / Socket.IO, as the browser
does, with the widget's Origin), then every 2 s sends a widget event and waits for the state
update that answers it: by default a light one (dismissing a notice: the cost of the socket,
the state manager and the event loop), or with --event locale the language switch, which also
ships the whole message catalog of the new language. Reported: the round-trip latency of those events (p50/p95/p99),
errors and clients that could not connect.

    python bench/widget_load.py --clients 100,500,1000 --mode single   # one worker, memory state
    python bench/widget_load.py --clients 100,500,1000 --mode redis    # Redis state + PostgreSQL,
                                                                       # Reflex's several workers
Loopback only; each run lasts --seconds (default 20) after everyone connected.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets  # noqa: E402

from tests.e2e.conftest import start_widget_server, stop_widget_server  # noqa: E402

STATE = "reflex___state____state.chat_widget___ui___widget_state____widget_state"


async def customer(
    port: int, origin: str, seconds: float, start: asyncio.Event, out: dict, kind: str
) -> None:
    url = f"ws://127.0.0.1:{port}/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
    try:
        ws = await websockets.connect(url, origin=origin, open_timeout=60, max_size=2**22)  # type: ignore[arg-type]
    except Exception:
        out["connect_failed"] += 1
        return
    try:
        await ws.recv()  # Engine.IO open
        await ws.send("40/_event,")
        while not str(await ws.recv()).startswith("40/_event"):
            pass
        out["connected"] += 1
        await start.wait()
        deadline = time.monotonic() + seconds
        locales = ("nl", "fr")
        i = 0
        while time.monotonic() < deadline:
            i += 1
            name, payload = (
                (f"{STATE}.set_locale", {"value": locales[i % 2]})
                if kind == "locale"
                else (f"{STATE}.dismiss_notice", {})
            )
            router = {"pathname": "/widget/", "query": {}, "asPath": "/widget/"}
            event = {"name": name, "payload": payload, "router_data": router}
            sent = time.perf_counter()
            await ws.send("42/_event," + json.dumps(["event", event]))
            while True:
                frame = str(await asyncio.wait_for(ws.recv(), timeout=30))
                if frame == "2":
                    await ws.send("3")
                    continue
                if frame.startswith("42/_event") and "delta" in frame:
                    out["latencies"].append((time.perf_counter() - sent) * 1000)
                    break
            await asyncio.sleep(max(0.0, 2.0 - (time.perf_counter() - sent)))
    except Exception:
        out["errors"] += 1
    finally:
        await ws.close()


async def run_load(port: int, origin: str, clients: int, seconds: float, kind: str) -> dict:
    out: dict = {"latencies": [], "errors": 0, "connect_failed": 0, "connected": 0}
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(customer(port, origin, seconds, start, out, kind))
        for _ in range(clients)
    ]
    t0 = time.monotonic()
    while (
        out["connected"] + out["connect_failed"] + out["errors"] < clients
        and time.monotonic() - t0 < 120
    ):
        await asyncio.sleep(0.2)
    start.set()
    await asyncio.gather(*tasks)
    lat = sorted(out["latencies"])

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else float("nan")

    return {
        "clients": clients,
        "connected": out["connected"],
        "connect_failed": out["connect_failed"],
        "errors": out["errors"],
        "events": len(lat),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(lat), 1) if lat else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", default="100,500,1000")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--mode", choices=["single", "redis"], default="single")
    parser.add_argument("--event", choices=["light", "locale"], default="light")
    args = parser.parse_args()
    env: dict[str, str] = {}
    if args.mode == "redis":
        env = {
            "REDIS_URL": "redis://127.0.0.1:6379/6",
            "CW_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        }
    server = start_widget_server(env)
    try:
        for n in (int(x) for x in args.clients.split(",")):
            result = asyncio.run(run_load(server.port, server.origin, n, args.seconds, args.event))
            print(json.dumps({"mode": args.mode, "event": args.event, **result}))
    finally:
        stop_widget_server(server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
