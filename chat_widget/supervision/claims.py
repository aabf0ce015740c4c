"""Claims declared in the period (by submission time), by type and by where they stand now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from chat_widget.claims.records import Claim, ClaimStatus
from chat_widget.domain.clock import as_aware

#: Drafts are not claims yet: they never reach a handler and are not counted.
STATUSES = tuple(s.value for s in ClaimStatus if s != ClaimStatus.DRAFT)


@dataclass(frozen=True)
class ClaimsMatrix:
    types: tuple[str, ...]  # claim types with at least one claim, sorted
    statuses: tuple[str, ...]
    #: ``counts[t][s]``: claims of ``types[t]`` now in ``statuses[s]``
    counts: tuple[tuple[int, ...], ...]

    def by_status(self) -> tuple[int, ...]:
        return tuple(sum(row[i] for row in self.counts) for i in range(len(self.statuses)))

    @property
    def total(self) -> int:
        return sum(sum(row) for row in self.counts)


def claims_by_type_and_status(
    *, session: Session, since: datetime, until: datetime
) -> ClaimsMatrix:
    rows = session.exec(
        select(Claim.type, Claim.status, func.count())
        .where(
            col(Claim.submitted_at) >= as_aware(since),
            col(Claim.submitted_at) < as_aware(until),
            col(Claim.status).in_(STATUSES),
        )
        .group_by(Claim.type, Claim.status)
    ).all()
    types = tuple(sorted({str(r[0]) for r in rows}))
    grid = [[0] * len(STATUSES) for _ in types]
    for claim_type, status, count in rows:
        grid[types.index(str(claim_type))][STATUSES.index(str(status))] += int(count)
    return ClaimsMatrix(types, STATUSES, tuple(tuple(row) for row in grid))
