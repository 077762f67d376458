"""Corrections of village facts: proposed by a village's committee (with a source and the day
it was observed), approved or rejected by staff; the approved ones override the packaged
values in the next ranking."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import FactProposalRow
from service.exceptions import Conflict, NotFound
from service.store import audit_log
from service.store.base import StoreBase, utcnow

STATUSES = ("pending", "approved", "rejected")


@dataclass(frozen=True)
class Proposal:
    id: int
    insee: str
    field: str
    value: float
    source: str
    observed_at: date
    status: str
    proposed_at: datetime
    proposed_by: str
    reviewed_at: datetime | None
    reviewed_by: str | None
    reason: str | None


class FactStore(StoreBase):
    """Proposed corrections and their review."""

    def propose_fact(
        self, insee: str, field: str, value: float, source: str, observed_at: date, by: str
    ) -> Proposal:
        row = FactProposalRow(
            insee=insee,
            field=field,
            value=value,
            source=source,
            observed_at=observed_at,
            status="pending",
            proposed_at=utcnow(),
            proposed_by=by,
        )
        with self.transaction() as session:
            session.add(row)
            session.flush()
            audit_log.write(session, by, "facts.propose", insee, f"#{row.id}: {field}={value:g}")
            return _proposal(row)

    def proposals(self, status: str | None = None, insee: str | None = None) -> list[Proposal]:
        """Proposals, newest first, of a status and a village if given."""
        query = select(FactProposalRow).order_by(FactProposalRow.id.desc())
        if status is not None:
            query = query.where(FactProposalRow.status == status)
        if insee is not None:
            query = query.where(FactProposalRow.insee == insee)
        with self.sessions() as session:
            return [_proposal(row) for row in session.scalars(query)]

    def review_fact(
        self, proposal_id: int, approve: bool, by: str, reason: str | None = None
    ) -> Proposal:
        """Approve (the value counts from the next ranking) or reject (with ``reason``) a
        pending proposal; ``Conflict`` if it was reviewed already."""
        with self.transaction() as session:
            row = _row(session, proposal_id)
            if row.status != "pending":
                raise Conflict("fact proposal", f"#{proposal_id} ({row.status})")
            if approve:
                self._bump(session)
            row.status = "approved" if approve else "rejected"
            row.reviewed_at, row.reviewed_by, row.reason = utcnow(), by, reason
            action = "facts.approve" if approve else "facts.reject"
            detail = f"#{proposal_id}: {row.field}={row.value:g}"
            audit_log.write(session, by, action, row.insee, detail)
            session.flush()
            return _proposal(row)

    def corrections(self) -> dict[str, dict[str, Proposal]]:
        """The approved value of each corrected fact, by village and field (the latest
        approved wins)."""
        found: dict[str, dict[str, Proposal]] = {}
        with self.sessions() as session:
            rows = session.scalars(
                select(FactProposalRow)
                .where(FactProposalRow.status == "approved")
                .order_by(FactProposalRow.reviewed_at, FactProposalRow.id)
            )
            for row in rows:
                found.setdefault(row.insee, {})[row.field] = _proposal(row)
        return found


def _row(session: Session, proposal_id: int) -> FactProposalRow:
    row = session.get(FactProposalRow, proposal_id)
    if row is None:
        raise NotFound("fact proposal", str(proposal_id))
    return row


def _proposal(row: FactProposalRow) -> Proposal:
    return Proposal(
        id=row.id,
        insee=row.insee,
        field=row.field,
        value=row.value,
        source=row.source,
        observed_at=row.observed_at,
        status=row.status,
        proposed_at=row.proposed_at,
        proposed_by=row.proposed_by,
        reviewed_at=row.reviewed_at,
        reviewed_by=row.reviewed_by,
        reason=row.reason,
    )
