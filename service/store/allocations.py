"""Allocations: the villages proposed to prospects, stored so that each committee's capacity
for a quarter is counted against what was proposed to it already.

A prospect allocated again in the same quarter has their earlier proposals of that quarter
replaced: running the same allocation twice gives the same answer, rather than using up the
places twice. An erased prospect's proposals stay counted (the committee was asked), unlinked.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.db.models import AllocationRow, CommitteeRow
from service.store import audit_log
from service.store.base import StoreBase, utcnow

T = TypeVar("T")


def quarter_of(day: date) -> str:
    """``2027-Q1`` for a day of January to March 2027."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Proposed:
    """A village proposed to a prospect, to store."""

    prospect_id: str
    insee: str
    rank: int
    score: float


class AllocationStore(StoreBase):
    """Proposals per quarter."""

    def allocated(self, quarter: str, leaving_out: Sequence[str] = ()) -> dict[str, int]:
        """Prospects proposed to each village in ``quarter``, but ``leaving_out``'s."""
        with self.sessions() as session:
            return _allocated(session, quarter, leaving_out)

    def allocate(
        self,
        quarter: str,
        prospect_ids: Sequence[str],
        solve: Callable[[dict[str, int], dict[str, int]], tuple[T, list[Proposed]]],
        by: str,
        record: bool = True,
    ) -> T:
        """Run ``solve(capacities, allocated)`` on the committees' stated capacities and what
        is allocated in ``quarter`` to other prospects than these, and store the proposals it
        gives in place of these prospects' earlier ones of the quarter (unless not
        ``record``); its answer.

        All in one transaction that raises the revision first: its row lock makes allocations
        one at a time (two could otherwise both count the same place left), and staff see the
        capacity left in rankings from the next request.
        """
        if not record:
            with self.sessions() as session:
                return solve(_capacities(session), _allocated(session, quarter, prospect_ids))[0]
        with self.transaction() as session:
            self._bump(session)
            answer, proposed = solve(
                _capacities(session), _allocated(session, quarter, prospect_ids)
            )
            session.execute(
                delete(AllocationRow).where(
                    AllocationRow.quarter == quarter, AllocationRow.prospect_id.in_(prospect_ids)
                )
            )
            now = utcnow()
            session.add_all(
                AllocationRow(
                    quarter=quarter,
                    prospect_id=p.prospect_id,
                    insee=p.insee,
                    rank=p.rank,
                    score=p.score,
                    created_at=now,
                    created_by=by,
                )
                for p in proposed
            )
            audit_log.write(
                session,
                by,
                "allocations.record",
                quarter,
                f"{len(prospect_ids)} prospect(s), {len(proposed)} proposal(s)",
            )
            return answer


def _capacities(session: Session) -> dict[str, int]:
    rows = session.execute(select(CommitteeRow.insee, CommitteeRow.capacity_per_quarter))
    return {insee: int(capacity) for insee, capacity in rows}


def _allocated(session: Session, quarter: str, leaving_out: Sequence[str]) -> dict[str, int]:
    query = (
        select(AllocationRow.insee, func.count())
        .where(AllocationRow.quarter == quarter)
        .group_by(AllocationRow.insee)
    )
    if leaving_out:
        # An erased prospect's proposals (no prospect any more) stay counted.
        query = query.where(
            AllocationRow.prospect_id.is_(None) | AllocationRow.prospect_id.not_in(leaving_out)
        )
    return {insee: int(n) for insee, n in session.execute(query)}
