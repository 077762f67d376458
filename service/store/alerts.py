"""Changes of villages' homes and needs, and the alerts they bring: prospects who consented to
be contacted, to whom a change brings a village (into their top k, or through every must-have
they set).

A change is written in the transaction of the write that makes it (``record_change``), with
the village's homes or needs before and after: none is lost, whatever happens next. Its alerts
are computed afterwards (``service.alerts``) and stored in one transaction that also marks the
change processed, only if no one did so first: none is stored twice.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.db.models import AlertRow, ProspectRow, SecretRow, VillageChangeRow
from service.store.base import VILLAGE_CHANGED, StoreBase, utcnow

#: What a change is, as ``kind`` says it.
CHANGE_KINDS = ("home_added", "home_changed", "home_confirmed", "homes_replaced", "need_added")
#: The longest error kept on a change whose alerts could not be computed.
MAX_ERROR = 500


@dataclass(frozen=True)
class VillageChange:
    id: int
    insee: str
    kind: str
    subject_id: int | None
    detail: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    created_at: datetime
    created_by: str
    attempts: int


@dataclass(frozen=True)
class NewAlert:
    """A prospect a change brings its village to, as computed."""

    prospect_id: str
    score: float
    rank: int
    k: int
    entered_top: bool
    must_passes: bool
    contributions: dict[str, float]
    reasons: dict[str, list[str]]  # by language


@dataclass(frozen=True)
class Alert:
    """A stored alert, with the prospect's name and email and the change."""

    id: int
    created_at: datetime
    prospect_id: str
    name: str | None
    email: str | None
    insee: str
    change: VillageChange
    score: float
    rank: int
    k: int
    entered_top: bool
    must_passes: bool
    contributions: dict[str, float]
    reasons: dict[str, list[str]]


def record_change(
    session: Session,
    insee: str,
    kind: str,
    subject_id: int | None,
    detail: Mapping[str, Any],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    by: str,
) -> None:
    """Record, in the write's own transaction, that a village's homes or needs changed; a
    change that leaves what the model reads as it was (a note, a listing already expired)
    brings no one and is not recorded."""
    if dict(before) == dict(after):
        return
    session.add(
        VillageChangeRow(
            insee=insee,
            kind=kind,
            subject_id=subject_id,
            detail=dict(detail),
            before=dict(before),
            after=dict(after),
            created_at=utcnow(),
            created_by=by,
            attempts=0,
        )
    )
    session.info[VILLAGE_CHANGED] = True


class AlertStore(StoreBase):
    """Changes waiting for their alerts, and the alerts."""

    def pending_changes(self, limit: int = 100) -> list[VillageChange]:
        """Changes whose alerts are not stored yet, oldest first."""
        with self.sessions() as session:
            rows = session.scalars(
                select(VillageChangeRow)
                .where(VillageChangeRow.processed_at.is_(None))
                .order_by(VillageChangeRow.id)
                .limit(limit)
            ).all()
            return [_change(row) for row in rows]

    def pending_change_count(self) -> int:
        with self.sessions() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(VillageChangeRow)
                    .where(VillageChangeRow.processed_at.is_(None))
                )
                or 0
            )

    def store_alerts(self, change_id: int, alerts: Sequence[NewAlert]) -> bool:
        """Store a change's alerts and mark it processed, in one transaction; False (and
        nothing stored) if it was processed already, by another worker or server. A prospect
        erased, or whose consent is gone, since the alerts were computed is left out."""
        with self.transaction() as session:
            done = session.execute(
                update(VillageChangeRow)
                .where(VillageChangeRow.id == change_id, VillageChangeRow.processed_at.is_(None))
                .values(processed_at=utcnow(), attempts=VillageChangeRow.attempts + 1)
            )
            if not getattr(done, "rowcount", 0):
                return False
            change = session.get(VillageChangeRow, change_id)
            assert change is not None  # just updated
            ids = [alert.prospect_id for alert in alerts]
            still = set(
                session.scalars(
                    select(ProspectRow.id).where(ProspectRow.id.in_(ids), ProspectRow.consent)
                )
            )
            now = utcnow()
            session.add_all(
                AlertRow(
                    change_id=change_id,
                    prospect_id=alert.prospect_id,
                    insee=change.insee,
                    score=alert.score,
                    rank=alert.rank,
                    k=alert.k,
                    entered_top=alert.entered_top,
                    must_passes=alert.must_passes,
                    contributions=alert.contributions,
                    reasons=alert.reasons,
                    created_at=now,
                )
                for alert in alerts
                if alert.prospect_id in still
            )
            return True

    def change_failed(self, change_id: int, error: str) -> None:
        """Count a failed try at a change's alerts; it stays pending, to be tried again."""
        with self.transaction() as session:
            session.execute(
                update(VillageChangeRow)
                .where(VillageChangeRow.id == change_id)
                .values(attempts=VillageChangeRow.attempts + 1, last_error=error[:MAX_ERROR])
            )

    def alerts(
        self, since: datetime | None = None, limit: int = 100, prospect_id: str | None = None
    ) -> list[Alert]:
        """Alerts of prospects who still consent, oldest first, from ``since`` (included);
        only ``prospect_id``'s when given."""
        with self.sessions() as session:
            query = (
                select(AlertRow, ProspectRow.name, ProspectRow.email, VillageChangeRow)
                .join(ProspectRow, ProspectRow.id == AlertRow.prospect_id)
                .join(VillageChangeRow, VillageChangeRow.id == AlertRow.change_id)
                .where(ProspectRow.consent)
                .order_by(AlertRow.id)
                .limit(limit)
            )
            if since is not None:
                query = query.where(AlertRow.created_at >= since)
            if prospect_id is not None:
                query = query.where(AlertRow.prospect_id == prospect_id)
            return [
                _alert(row, name, email, _change(change))
                for row, name, email, change in session.execute(query)
            ]

    def secret(self, name: str) -> bytes:
        """A secret migration 0009 made for this database (``opaque_ids``)."""
        with self.sessions() as session:
            value = session.scalar(select(SecretRow.value).where(SecretRow.name == name))
        if value is None:
            raise LookupError(f"secret {name!r}: not in the database (migration 0009 makes it)")
        return bytes.fromhex(value)


def _change(row: VillageChangeRow) -> VillageChange:
    return VillageChange(
        id=row.id,
        insee=row.insee,
        kind=row.kind,
        subject_id=row.subject_id,
        detail=row.detail,
        before=row.before,
        after=row.after,
        created_at=row.created_at,
        created_by=row.created_by,
        attempts=row.attempts,
    )


def _alert(row: AlertRow, name: str | None, email: str | None, change: VillageChange) -> Alert:
    return Alert(
        id=row.id,
        created_at=row.created_at,
        prospect_id=row.prospect_id,
        name=name,
        email=email,
        insee=row.insee,
        change=change,
        score=row.score,
        rank=row.rank,
        k=row.k,
        entered_top=row.entered_top,
        must_passes=row.must_passes,
        contributions=row.contributions,
        reasons=row.reasons,
    )
