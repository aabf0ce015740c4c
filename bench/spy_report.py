"""Shares of a py-spy raw profile (``bench/spy_chat_load.sh``): by function, not by line.

    python bench/spy_report.py PROFILE.raw                 # threads, self and inclusive shares
    python bench/spy_report.py PROFILE.raw --under NAME    # what NAME spends its time in
    python bench/spy_report.py PROFILE.raw --callers NAME  # who calls NAME

Shares are of all samples in the file (with ``--gil``: of the time the interpreter lock was
held). A function is matched by substring of py-spy's ``name (file)`` frame.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterator


def stacks(path: str) -> Iterator[tuple[list[str], int]]:
    """Each sampled stack (outermost first, line numbers dropped) and its count."""
    with open(path, encoding="utf-8") as raw:
        for line in raw:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            frames = [f.rsplit(":", 1)[0] if "(" in f else f for f in stack.split(";")]
            yield frames, int(count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--under", help="the callees of this function")
    parser.add_argument("--callers", help="the callers of this function")
    args = parser.parse_args()
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    related: Counter[str] = Counter()
    for frames, n in stacks(args.profile):
        total += n
        threads[frames[0]] += n
        own[frames[-1]] += n
        for frame in set(frames[1:]):
            inclusive[frame] += n
        target = args.under or args.callers
        if target:
            at = next((i for i, f in enumerate(frames) if target in f), None)
            if at is not None:
                step = 1 if args.under else -1
                inside = 0 <= at + step < len(frames)
                related[frames[at + step] if inside else "<itself>"] += n
    if not total:
        print("no samples")
        return 1

    def show(title: str, counts: Counter[str]) -> None:
        print(f"--- {title}")
        for name, n in counts.most_common(args.top):
            print(f"{100 * n / total:5.1f}%  {name}")

    print(f"{total} samples")
    if args.under or args.callers:
        show(f"{'under' if args.under else 'callers of'} {args.under or args.callers}", related)
        return 0
    show("threads (outermost frame)", threads)
    show("self", own)
    show("inclusive", inclusive)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
