"""Weight profiles: every version stored, the newest active."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from features import criteria
from matcher.weights import WeightProfile
from service.db.models import WeightProfileRow
from service.exceptions import Conflict
from service.store import audit_log
from service.store.base import StoreBase, utcnow


@dataclass(frozen=True)
class StoredWeights:
    profile: WeightProfile
    created_at: datetime
    created_by: str


class WeightStore(StoreBase):
    """Weight profiles, versioned."""

    def active_weights(self) -> StoredWeights | None:
        """The newest weight profile, or None before the first one is stored."""
        with self.sessions() as session:
            row = session.scalars(
                select(WeightProfileRow).order_by(WeightProfileRow.id.desc()).limit(1)
            ).first()
            return None if row is None else _weights(row)

    def weight_profile_count(self) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(WeightProfileRow)) or 0)

    def add_weights(self, profile: WeightProfile, by: str) -> StoredWeights:
        """Store a (validated) profile; it becomes the active one in the same transaction.
        ``Conflict`` if its version is stored already (versions are unique)."""
        row = WeightProfileRow(
            name=profile.name,
            version=profile.version,
            description=profile.description,
            weights=dict(profile.weights),
            created_at=utcnow(),
            created_by=by,
        )
        try:
            with self.transaction() as session:
                self._bump(session)
                session.add(row)
                audit_log.write(session, by, "weights.replace", profile.version, profile.name)
        except IntegrityError as error:  # the table's one constraint a valid profile can fail
            raise Conflict("weight profile version", profile.version) from error
        return _weights(row)


def _weights(row: WeightProfileRow) -> StoredWeights:
    # A profile stored before a criterion joined the registry (village_needs, 2026-12) has no
    # weight for it: it weighs 0 there, so that the profile ranks as it did when it was stored.
    weights = dict.fromkeys(criteria.codes(), 0.0) | dict(row.weights)
    profile = WeightProfile(
        name=row.name, version=row.version, weights=weights, description=row.description
    )
    return StoredWeights(profile, row.created_at, row.created_by)
