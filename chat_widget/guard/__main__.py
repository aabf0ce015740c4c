"""``python -m chat_widget.guard --jsonl PATH``: one decision per JSON line."""

from __future__ import annotations

import argparse
import json
import sys

from chat_widget.guard.engine import scan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chat_widget.guard")
    parser.add_argument(
        "--jsonl", required=True, help='file of {"text": ..., "lang": ...} lines, "-" for stdin'
    )
    args = parser.parse_args(argv)
    stream = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")
    with stream:
        for line in stream:
            if not line.strip():
                continue
            row = json.loads(line)
            result = scan(row["text"], row.get("lang"))
            print(json.dumps({"action": result.action, "kinds": result.kinds}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
