"""Prospects (profile, contact fields, consent) and their erasure."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service.db.models import (
    AlertRow,
    AllocationRow,
    OutcomeRow,
    OutcomeSetAsideRow,
    ProspectRow,
)
from service.exceptions import NotFound
from service.store import audit_log
from service.store.base import StoreBase, utcnow


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Prospect:
    id: str
    profile: dict[str, Any]
    contact: Contact
    consent: bool
    consent_at: datetime | None
    created_at: datetime


class ProspectStore(StoreBase):
    """Prospects: stored, read, erased."""

    def add_prospect(
        self,
        profile: Mapping[str, Any],
        contact: Contact,
        consent: bool,
        consent_at: datetime | None = None,
        by: str = "unknown",
    ) -> Prospect:
        now = utcnow()
        row = ProspectRow(
            id=str(uuid.uuid4()),
            profile=dict(profile),
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            consent=consent,
            consent_at=(consent_at or now) if consent else None,
            created_at=now,
        )
        with self.transaction() as session:
            session.add(row)
            audit_log.write(session, by, "prospect.create", row.id)
        return _prospect(row)

    def get_prospect(self, prospect_id: str) -> Prospect | None:
        if not is_prospect_id(prospect_id):
            return None
        with self.sessions() as session:
            row = session.get(ProspectRow, prospect_id)
            return None if row is None else _prospect(row)

    def prospect(self, prospect_id: str) -> Prospect:
        """The stored prospect; ``NotFound`` if there is none."""
        prospect = self.get_prospect(prospect_id)
        if prospect is None:
            raise NotFound("prospect", prospect_id)
        return prospect

    def consented_prospects(self) -> list[Prospect]:
        """Every prospect who consented to be contacted, oldest first (the prospects a
        village fits, alerts)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(ProspectRow)
                .where(ProspectRow.consent)
                .order_by(ProspectRow.created_at, ProspectRow.id)
            ).all()
            return [_prospect(row) for row in rows]

    def prospects_of(self, prospect_ids: Sequence[str]) -> dict[str, Prospect]:
        """The stored prospects among ``prospect_ids``, by id (unknown ones are left out)."""
        ids = [i for i in dict.fromkeys(prospect_ids) if is_prospect_id(i)]
        with self.sessions() as session:
            rows = session.scalars(select(ProspectRow).where(ProspectRow.id.in_(ids))).all()
            return {row.id: _prospect(row) for row in rows}

    def delete_prospect(self, prospect_id: str, by: str = "unknown") -> bool:
        """Erase a prospect and the link from its outcomes to it, then its bytes from the
        database's files (``Scrubber``: at once, or soon); False if there was none."""
        if not is_prospect_id(prospect_id):
            return False
        with self.transaction() as session:
            erased = self._erase(session, prospect_id, by, "prospect.delete")
            erasure = self._transaction_id(session)
        if erased:
            self.scrubber.scrub(erasure)
        return erased

    def purge_prospects(
        self, created_before: datetime, by: str, dry_run: bool = False
    ) -> list[str]:
        """Erase every prospect without consent created before ``created_before``, as
        ``delete_prospect`` does, in one transaction; the ids erased (or, dry, to erase)."""
        with self.transaction() as session:
            ids = list(
                session.scalars(
                    select(ProspectRow.id)
                    .where(ProspectRow.consent.is_(False), ProspectRow.created_at < created_before)
                    .order_by(ProspectRow.created_at)
                )
            )
            if not dry_run:
                for prospect_id in ids:
                    self._erase(session, prospect_id, by, "prospect.purge")
            erasure = self._transaction_id(session)
        if not dry_run:  # also after an earlier purge whose scrub could not finish
            self.scrubber.scrub(erasure)
        return ids

    @staticmethod
    def _erase(session: Session, prospect_id: str, by: str, action: str) -> bool:
        for table in (OutcomeRow, OutcomeSetAsideRow, AllocationRow):
            session.execute(
                update(table).where(table.prospect_id == prospect_id).values(prospect_id=None)
            )
        # Alerts say whom to contact about what: nothing of them is kept.
        session.execute(delete(AlertRow).where(AlertRow.prospect_id == prospect_id))
        deleted = session.execute(delete(ProspectRow).where(ProspectRow.id == prospect_id))
        if not getattr(deleted, "rowcount", 0):
            return False
        audit_log.write(session, by, action, prospect_id)
        return True


def is_prospect_id(text: str) -> bool:
    """Ids are UUIDs: anything else is unknown without asking the database (which may refuse
    some characters, such as NUL, with an error rather than no row)."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _prospect(row: ProspectRow) -> Prospect:
    return Prospect(
        id=row.id,
        profile=row.profile,
        contact=Contact(row.name, row.email, row.phone),
        consent=row.consent,
        consent_at=row.consent_at,
        created_at=row.created_at,
    )
