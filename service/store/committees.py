"""Each village's welcome committee: how many families it can accompany in a quarter (what
allocations are bounded by), and whom staff write to (never public)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from service.db.models import CommitteeRow
from service.store import audit_log
from service.store.base import StoreBase, utcnow


@dataclass(frozen=True)
class Committee:
    insee: str
    capacity_per_quarter: int | None  # None: never stated
    contact_name: str | None
    contact_email: str | None
    updated_at: datetime | None
    updated_by: str | None


class CommitteeStore(StoreBase):
    """Villages' committees."""

    def committee(self, insee: str) -> Committee:
        with self.sessions() as session:
            row = session.get(CommitteeRow, insee)
            if row is None:
                return Committee(insee, None, None, None, None, None)
            return _committee(row)

    def set_committee(
        self, insee: str, capacity: int, name: str | None, email: str | None, by: str
    ) -> Committee:
        with self.transaction() as session:
            self._bump(session)  # capacity bounds the allocations and the capacity left shown
            row = session.get(CommitteeRow, insee)
            if row is None:
                row = CommitteeRow(insee=insee)
                session.add(row)
            row.capacity_per_quarter = capacity
            row.contact_name, row.contact_email = name, email
            row.updated_at, row.updated_by = utcnow(), by
            audit_log.write(session, by, "committee.change", insee, f"capacity {capacity}")
            session.flush()
            return _committee(row)

    def capacities(self) -> dict[str, int]:
        """Each village's capacity per quarter, where its committee stated one."""
        with self.sessions() as session:
            rows = session.execute(select(CommitteeRow.insee, CommitteeRow.capacity_per_quarter))
            return {insee: int(capacity) for insee, capacity in rows}


def _committee(row: CommitteeRow) -> Committee:
    return Committee(
        row.insee,
        row.capacity_per_quarter,
        row.contact_name,
        row.contact_email,
        row.updated_at,
        row.updated_by,
    )
