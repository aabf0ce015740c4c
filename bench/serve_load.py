"""Load on a running `scripts/serve` setup, through nginx (TLS), and what the workers weigh.

N simulated customers open the Reflex websocket over wss:// through nginx, as browsers do,
then each sends a light widget event every 2 s (the cost of TLS, the proxy, the socket, the
Redis state manager and the event loop) for --seconds; reported: round-trip p50/p95/p99,
errors, and the resident memory of nginx and of each worker process before and during the
load (from /proc: Linux).

    CW_ENV=development CW_WORKERS=2 REDIS_URL=… CW_DATABASE_URL=… scripts/serve &
    python bench/serve_load.py --url https://localhost:8443 --clients 100,500,1000

The setup must be this machine's (memory is read from the worker pids its /readyz reports);
the self-signed development certificate is accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets  # noqa: E402

from bench.widget_load import STATE  # noqa: E402

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


async def customer(
    url: str, origin: str, seconds: float, start: asyncio.Event, out: dict[str, Any]
) -> None:
    ws_url = url.replace("https://", "wss://").replace("http://", "ws://")
    ws_url += f"/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
    try:
        ws = await websockets.connect(
            ws_url,
            origin=origin,  # type: ignore[arg-type]
            ssl=TLS if ws_url.startswith("wss://") else None,
            open_timeout=60,
            max_size=2**22,
        )
    except Exception:
        out["connect_failed"] += 1
        return
    try:
        await ws.recv()
        await ws.send("40/_event,")
        while not str(await ws.recv()).startswith("40/_event"):
            pass
        out["connected"] += 1
        await start.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            router = {"pathname": "/widget/", "query": {}, "asPath": "/widget/"}
            event = {"name": f"{STATE}.dismiss_notice", "payload": {}, "router_data": router}
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


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def worker_pids(url: str) -> list[int]:
    """The worker processes behind nginx, from each worker's own /readyz (internal)."""
    pids = set()
    for _ in range(20):
        request = urllib.request.Request(f"{url}/readyz")
        try:
            with urllib.request.urlopen(request, context=TLS, timeout=5) as response:
                pid = json.loads(response.read()).get("pid")
        except Exception:
            continue
        if isinstance(pid, int):
            pids.add(pid)
    return sorted(pids)


async def run_load(
    url: str, origin: str, clients: int, seconds: float, pids: list[int]
) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "errors": 0, "connect_failed": 0, "connected": 0}
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(customer(url, origin, seconds, start, out)) for _ in range(clients)
    ]
    t0 = time.monotonic()
    while out["connected"] + out["connect_failed"] + out["errors"] < clients:
        if time.monotonic() - t0 > 120:
            break
        await asyncio.sleep(0.2)
    idle = {pid: rss_mb(pid) for pid in pids}
    start.set()
    await asyncio.sleep(seconds / 2)
    loaded = {pid: rss_mb(pid) for pid in pids}
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
        "worker_rss_mb_connected": idle,
        "worker_rss_mb_under_load": loaded,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="https://localhost:8443")
    parser.add_argument("--clients", default="100,500,1000")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--direct",
        type=int,
        metavar="PORT",
        help="bypass nginx: one worker's loopback port (compares the proxy's cost)",
    )
    args = parser.parse_args()
    url = args.url.rstrip("/")
    pids = worker_pids(url)
    target = f"http://127.0.0.1:{args.direct}" if args.direct else url
    print(json.dumps({"workers": {pid: rss_mb(pid) for pid in pids}}))
    for n in (int(x) for x in args.clients.split(",")):
        result = asyncio.run(run_load(target, url, n, args.seconds, pids))
        print(json.dumps({"via": "worker" if args.direct else "nginx", **result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
