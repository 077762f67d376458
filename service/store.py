"""The store: every read and write the service makes in its database, each write one
transaction that lands whole or not at all.

Its values are plain records (``Prospect``, ``Home``...), not ORM rows; its refusals are the
domain errors of ``service.exceptions``. The tables are in ``service.db.models``, the
connections in ``service.db.engine``, the schema's migrations in ``service.db.migrate``.
"""

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matcher.weights import WeightProfile
from service.auth import KEY_ID_DIGITS
from service.db import migrate
from service.db.engine import RevisionReader, is_sqlite, make_engine
from service.db.models import (
    MODEL_INPUTS,
    AuditRow,
    ExposureRow,
    HomeRow,
    OutcomeRow,
    ProspectRow,
    RevisionRow,
    RevokedKeyRow,
    WeightProfileRow,
)
from service.exceptions import Conflict, NotFound

if TYPE_CHECKING:  # the service reads these as plain rows: pandas costs it too much memory
    import pandas as pd

#: Villages shown are counted per second, channel, village (INSEE code) and rank.
ExposureKey = tuple[datetime, str, str, int]


def utcnow() -> datetime:
    return datetime.now(UTC)


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


@dataclass(frozen=True)
class Home:
    tenure: str
    price_eur: float
    bedrooms: int
    surface_m2: float | None = None
    description: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True)
class StoredWeights:
    profile: WeightProfile
    created_at: datetime
    created_by: str


class Store:
    """One database: its engine, its sessions and every read and write the service makes."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.is_sqlite = is_sqlite(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._revision = RevisionReader(self.engine)

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration, or to ``revision``."""
        migrate.upgrade(self.engine, revision)

    def at_head(self) -> bool:
        """Whether the schema is at the newest migration."""
        return migrate.at_head(self.engine)

    def dispose(self) -> None:
        self._revision.close()
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    def model_inputs_revision(self) -> int:
        """A counter raised by every write that changes rankings (weights, homes, settled)."""
        return self._revision.read()

    @staticmethod
    def _bump(session: Session) -> None:
        """Raise the revision, first thing in a writing transaction: the row lock it takes
        serialises writers, so two replacements of a village's homes cannot interleave."""
        session.execute(
            update(RevisionRow)
            .where(RevisionRow.name == MODEL_INPUTS)
            .values(value=RevisionRow.value + 1)
        )

    # -- prospects -------------------------------------------------------------------------

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
            _audit(session, by, "prospect.create", row.id)
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

    def delete_prospect(self, prospect_id: str, by: str = "unknown") -> bool:
        """Erase a prospect and the link from its outcomes to it; False if there was none."""
        if not is_prospect_id(prospect_id):
            return False
        with self.transaction() as session:
            return self._erase(session, prospect_id, by, "prospect.delete")

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
        return ids

    @staticmethod
    def _erase(session: Session, prospect_id: str, by: str, action: str) -> bool:
        session.execute(
            update(OutcomeRow).where(OutcomeRow.prospect_id == prospect_id).values(prospect_id=None)
        )
        deleted = session.execute(delete(ProspectRow).where(ProspectRow.id == prospect_id))
        if not getattr(deleted, "rowcount", 0):
            return False
        _audit(session, by, action, prospect_id)
        return True

    # -- outcomes --------------------------------------------------------------------------

    def add_outcome(self, prospect_id: str, insee: str, event_name: str, at: datetime) -> int:
        """Record an event of a prospect about a village; ``NotFound`` if the prospect is not
        stored (it may have been erased since the caller looked it up)."""
        try:
            with self.transaction() as session:
                if event_name in ("settled", "left"):
                    self._bump(session)
                row = OutcomeRow(
                    prospect_id=prospect_id,
                    insee=insee,
                    event=event_name,
                    at=at,
                    recorded_at=utcnow(),
                )
                session.add(row)
                session.flush()
                return row.id
        except IntegrityError as error:  # the outcome's one reference: the prospect
            raise NotFound("prospect", prospect_id) from error

    def solos_settled(self) -> "pd.Series":
        """Solos living in each village: settled events minus left events, never below 0."""
        import pandas as pd

        return pd.Series(self.settled_counts(), dtype="float64")

    def settled_counts(self) -> dict[str, int]:
        """``solos_settled`` as a plain dict."""
        with self.sessions() as session:
            rows = session.execute(
                select(OutcomeRow.insee, OutcomeRow.event, func.count())
                .where(OutcomeRow.event.in_(("settled", "left")))
                .group_by(OutcomeRow.insee, OutcomeRow.event)
            ).all()
        net: dict[str, int] = {}
        for insee, event_name, count in rows:
            net[insee] = net.get(insee, 0) + (count if event_name == "settled" else -count)
        return {k: max(v, 0) for k, v in net.items()}

    # -- homes -----------------------------------------------------------------------------

    def homes(self, insee: str) -> list[Home]:
        with self.sessions() as session:
            rows = session.scalars(
                select(HomeRow).where(HomeRow.insee == insee).order_by(HomeRow.id)
            ).all()
            return [_home(row) for row in rows]

    def replace_homes(self, insee: str, homes: Sequence[Home], by: str) -> list[Home]:
        """The village's listings become ``homes``, in one transaction."""
        now = utcnow()
        with self.transaction() as session:
            self._bump(session)
            session.execute(delete(HomeRow).where(HomeRow.insee == insee))
            session.add_all(
                HomeRow(
                    insee=insee,
                    tenure=home.tenure,
                    price_eur=home.price_eur,
                    bedrooms=home.bedrooms,
                    surface_m2=home.surface_m2,
                    description=home.description,
                    updated_at=now,
                    updated_by=by,
                )
                for home in homes
            )
            _audit(session, by, "homes.replace", insee, f"{len(homes)} listing(s)")
        return list(homes)

    def listings(self) -> list[tuple[str, str, float, float]]:
        """Every listing as ``(insee, tenure, price_eur, bedrooms)``, as ``matcher.Recommender``
        takes them."""
        with self.sessions() as session:
            rows = session.execute(
                select(HomeRow.insee, HomeRow.tenure, HomeRow.price_eur, HomeRow.bedrooms)
            ).all()
        return [(insee, tenure, price, bedrooms) for insee, tenure, price, bedrooms in rows]

    # -- weight profiles -------------------------------------------------------------------

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
                _audit(session, by, "weights.replace", profile.version, profile.name)
        except IntegrityError as error:  # the table's one constraint a valid profile can fail
            raise Conflict("weight profile version", profile.version) from error
        return _weights(row)

    # -- keys and audit --------------------------------------------------------------------

    def revoke_key(self, digest_hex: str, by: str) -> bool:
        """Refuse the key with this SHA-256 digest from the next request; False if it was
        revoked already."""
        with self.transaction() as session:
            if session.get(RevokedKeyRow, digest_hex) is not None:
                return False
            session.add(RevokedKeyRow(digest=digest_hex, revoked_at=utcnow(), revoked_by=by))
            _audit(session, by, "key.revoke", digest_hex[:KEY_ID_DIGITS])
        return True

    def is_revoked(self, digest_hex: str) -> bool:
        with self.sessions() as session:
            return session.get(RevokedKeyRow, digest_hex) is not None

    def revoked_keys(self) -> list[tuple[str, datetime, str]]:
        """(digest, when, by) of every revoked key, oldest first."""
        with self.sessions() as session:
            rows = session.scalars(select(RevokedKeyRow).order_by(RevokedKeyRow.revoked_at))
            return [(row.digest, row.revoked_at, row.revoked_by) for row in rows]

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

    # -- exposure --------------------------------------------------------------------------

    def log_exposure(self, counts: Mapping[ExposureKey, int]) -> None:
        """Add to the counts of villages shown, in one transaction (nothing about who saw)."""
        rows = [
            {"at": at, "channel": channel, "insee": insee, "rank": rank, "shown": n}
            for (at, channel, insee, rank), n in counts.items()
        ]
        if not rows:
            return
        table = cast(Table, ExposureRow.__table__)
        statement = (sqlite_insert if self.is_sqlite else postgresql_insert)(table)
        # Another worker, or an earlier write of this one, may have counted the same second.
        statement = statement.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key],
            set_={"shown": table.c.shown + statement.excluded.shown},
        )
        with self.transaction() as session:
            session.connection().execute(statement, rows)

    def exposure(self, since: datetime | None = None) -> tuple[dict[str, int], int]:
        """Appearances per village since a time (to the second), and how many rankings they
        came from."""
        where = [] if since is None else [ExposureRow.at >= exposure_second(since)]
        shown = func.sum(ExposureRow.shown)
        with self.sessions() as session:
            counts = session.execute(
                select(ExposureRow.insee, shown).where(*where).group_by(ExposureRow.insee)
            ).all()
            rankings = session.scalar(select(shown).where(*where, ExposureRow.rank == 1))
        return {insee: int(n) for insee, n in counts}, int(rankings or 0)


def is_prospect_id(text: str) -> bool:
    """Ids are UUIDs: anything else is unknown without asking the database (which may refuse
    some characters, such as NUL, with an error rather than no row)."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def exposure_second(at: datetime) -> datetime:
    """The second exposure is counted in."""
    return at.replace(microsecond=0)


def _audit(session: Session, actor: str, action: str, target: str, detail: str = "") -> None:
    """A line of the audit log, in the transaction of the change it records."""
    session.add(AuditRow(at=utcnow(), actor=actor, action=action, target=target, detail=detail))


def _prospect(row: ProspectRow) -> Prospect:
    return Prospect(
        id=row.id,
        profile=row.profile,
        contact=Contact(row.name, row.email, row.phone),
        consent=row.consent,
        consent_at=row.consent_at,
        created_at=row.created_at,
    )


def _home(row: HomeRow) -> Home:
    return Home(row.tenure, row.price_eur, row.bedrooms, row.surface_m2, row.description)


def _weights(row: WeightProfileRow) -> StoredWeights:
    profile = WeightProfile(
        name=row.name, version=row.version, weights=row.weights, description=row.description
    )
    return StoredWeights(profile, row.created_at, row.created_by)
