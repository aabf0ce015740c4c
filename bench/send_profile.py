"""Where the time of one live-chat send goes: ``sides.customer_send`` (the guard's scan, the
idempotent insert, the commit) N times on a fresh database, in one thread, under pyinstrument.

    python bench/send_profile.py --sends 500                      # SQLite (temp file)
    python bench/send_profile.py --sends 500 --database-url postgresql+psycopg://…/db
    python bench/send_profile.py --sends 1500 --batch 5 --no-profile  # SQLite's writer thread

Prints sends per second and pyinstrument's call tree (``pip install pyinstrument``; the
profile is skipped without it).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chat_widget.adapters.db import make_engine, session_scope  # noqa: E402
from chat_widget.adapters.migrate import upgrade  # noqa: E402
from chat_widget.agents.accounts import create_agent, set_presence  # noqa: E402
from chat_widget.domain.models import Customer  # noqa: E402
from chat_widget.live_chat import accept, request_chat  # noqa: E402
from chat_widget.live_chat.hours.schedule import Interval, OpeningHours  # noqa: E402
from chat_widget.live_chat.send_queue import CustomerSends, Queued  # noqa: E402
from chat_widget.live_chat.sides import customer_send  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sends", type=int, default=500)
    parser.add_argument("--database-url")
    parser.add_argument("--no-profile", action="store_true", help="only the figures")
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="store through the SQLite writer (send_queue.CustomerSends.store), N per transaction",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cw-send-profile-"))
    url = args.database_url or f"sqlite:///{folder / 'p.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        from datetime import time as time_of_day

        hours = OpeningHours(
            weekly={
                d: (Interval(time_of_day(0, 0), time_of_day(23, 59)),)
                for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            },
            public_holidays=False,
        )
        with session_scope(engine) as s:
            customer = Customer()
            s.add(customer)
            s.flush()
            customer_id = customer.id
            agent = create_agent(
                session=s,
                username=f"p{uuid.uuid4().hex[:6]}",
                display_name="Profile Agent",
                password=None,
                roles=["agent"],
                languages=["fr"],
                capacity=5,
            )
            set_presence(session=s, agent_id=agent.id, presence="available")
            agent_id = agent.id
        with session_scope(engine) as s:
            chat = request_chat(
                session=s,
                customer_id=customer_id,
                locale="fr",
                topic="cards",
                page_url=None,
                handover_summary=None,
                source_conversation_id=None,
                hours=hours,
            )
            chat_id = chat.id
        with session_scope(engine) as s:
            accept(session=s, agent_id=agent_id, conversation_id=chat_id)

        cpu = [0.0]

        writer = CustomerSends(engine)
        loop = asyncio.new_event_loop()

        def queued(n: int) -> list[Queued]:
            text = "Bonjour, ceci est une question sur ma carte"
            return [
                Queued(
                    customer_id, chat_id, uuid.uuid4().hex, text, "fr", loop, loop.create_future()
                )
                for _ in range(n)
            ]

        def run(n: int) -> float:
            c0 = time.process_time()
            t0 = time.perf_counter()
            if args.batch:
                for _ in range(max(1, n // args.batch)):
                    writer.store(queued(args.batch))
                cpu[0] = time.process_time() - c0
                return time.perf_counter() - t0
            for _ in range(n):
                with session_scope(engine) as s:
                    customer_send(
                        session=s,
                        customer_id=customer_id,
                        conversation_id=chat_id,
                        client_msg_id=uuid.uuid4().hex,
                        text="Bonjour, ceci est une question sur ma carte",
                        locale="fr",
                    )
            cpu[0] = time.process_time() - c0
            return time.perf_counter() - t0

        run(20)  # warm: guard model, statement cache
        try:
            from pyinstrument import Profiler
        except ImportError:
            Profiler = None  # type: ignore[assignment,misc]
        if Profiler is None or args.no_profile:
            took = run(args.sends)
        else:
            profiler = Profiler(interval=0.0005)
            profiler.start()
            took = run(args.sends)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
        print(
            f"{args.sends} sends in {took:.2f} s: {args.sends / took:.0f}/s, "
            f"{took * 1000 / args.sends:.2f} ms each, CPU {cpu[0] * 1000 / args.sends:.2f} ms each"
        )
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
