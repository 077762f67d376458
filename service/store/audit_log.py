"""The audit log: a line per change, written in the transaction of the change, read newest
first (who, what, on what; never a contact field)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import AuditRow
from service.store.base import StoreBase, utcnow


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


def write(session: Session, actor: str, action: str, target: str, detail: str = "") -> None:
    """A line of the audit log, in the transaction of the change it records."""
    session.add(AuditRow(at=utcnow(), actor=actor, action=action, target=target, detail=detail))


class AuditLogStore(StoreBase):
    """Reading the audit log (each part of the store writes its own lines)."""

    def audit(self, since: datetime | None = None, limit: int | None = None) -> list[AuditEntry]:
        """The audit log from ``since``, newest first."""
        query = select(AuditRow).order_by(AuditRow.id.desc())
        if since is not None:
            query = query.where(AuditRow.at >= since)
        if limit is not None:
            query = query.limit(limit)
        with self.sessions() as session:
            return [
                AuditEntry(row.at, row.actor, row.action, row.target, row.detail)
                for row in session.scalars(query)
            ]
