"""Admin CLI for the live chat opening hours.

    python -m chat_widget.live_chat.hours show
    python -m chat_widget.live_chat.hours set-day sat 09:00-12:00 13:00-17:00   (or: closed)
    python -m chat_widget.live_chat.hours add-closure --start 2026-12-31T12:00 \
        --end 2027-01-02T00:00 --reason new_year_eve
    python -m chat_widget.live_chat.hours remove-closure ID

``--file`` selects another JSON file than the packaged default.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime

from chat_widget.domain.clock import utcnow
from chat_widget.live_chat.hours.schedule import (
    DEFAULT_PATH,
    add_closure,
    load_opening_hours,
    opening_hours_to_dict,
    remove_closure,
    save_opening_hours,
    set_day,
    status,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chat_widget.live_chat.hours")
    parser.add_argument("--file", default=str(DEFAULT_PATH), help="opening hours JSON file")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show", help="print the schedule and whether the chat is open now")
    day = sub.add_parser("set-day", help="replace one weekday's intervals")
    day.add_argument("day", choices=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    day.add_argument("intervals", nargs="+", help="HH:MM-HH:MM ... or 'closed'")
    closure = sub.add_parser("add-closure", help="add an exceptional closure (local times)")
    closure.add_argument("--start", required=True, help="YYYY-MM-DDTHH:MM, local time")
    closure.add_argument("--end", required=True, help="YYYY-MM-DDTHH:MM, local time (exclusive)")
    closure.add_argument("--reason", required=True, help="reason key shown to customers")
    closure.add_argument("--id", default=None)
    remove = sub.add_parser("remove-closure", help="remove a closure by id")
    remove.add_argument("id")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    hours = load_opening_hours(args.file)
    try:
        if args.command == "show":
            now = utcnow()
            current = status(now, hours)
            print(json.dumps(opening_hours_to_dict(hours), indent=2, ensure_ascii=False))
            print(
                f"now: {'open' if current.open else 'closed'}"
                f" reason={current.reason} detail={current.detail}"
                f" next_open={current.next_open.isoformat() if current.next_open else None}"
                f" closes_at={current.closes_at.isoformat() if current.closes_at else None}"
            )
            return 0
        if args.command == "set-day":
            pairs: list[tuple[str, str]] = []
            if args.intervals != ["closed"]:
                for item in args.intervals:
                    start, end = item.split("-")
                    pairs.append((start, end))
            hours = set_day(hours, args.day, pairs)
        elif args.command == "add-closure":
            hours, closure = add_closure(
                hours,
                start=datetime.fromisoformat(args.start),
                end=datetime.fromisoformat(args.end),
                reason=args.reason,
                closure_id=args.id,
            )
            print(f"added closure {closure.id}")
        elif args.command == "remove-closure":
            hours = remove_closure(hours, args.id)
            print(f"removed closure {args.id}")
    except (ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    save_opening_hours(hours, args.file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
