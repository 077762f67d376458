"""The database (SQLAlchemy 2): SQLite by default, any ``DATABASE_URL`` such as PostgreSQL.

The schema is created and upgraded by Alembic (``service/migrations``); the tables below are its
ORM view and a test keeps the two identical. Every write is one transaction: it lands whole or
not at all.
"""

import ast
import contextlib
import fcntl
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from matcher.weights import WeightProfile
from service.auth import KEY_ID_DIGITS

if TYPE_CHECKING:  # the service reads these as plain rows: pandas costs it too much memory
    import pandas as pd

MIGRATIONS = Path(__file__).with_name("migrations")
#: Revision counters that tell every worker process to rebuild its recommender.
MODEL_INPUTS = "model_inputs"
#: Villages shown are counted per second, channel, village (INSEE code) and rank.
ExposureKey = tuple[datetime, str, str, int]
#: PostgreSQL advisory lock taken while migrating (any constant the application owns).
LOCK_KEY = 0x50A0501


def migration_heads() -> list[str]:
    """The newest revisions of ``service/migrations`` (one, unless the history branches), read
    from the scripts' ``revision`` and ``down_revision`` as Alembic does."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            # ``revision = "0002"``, or ``revision: str = "0002"`` as newer templates write it
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                found[target.id] = ast.literal_eval(value)
        if "revision" in found:
            revisions.add(found["revision"])
            down = found.get("down_revision")
            parents.update([down] if isinstance(down, str) else down or ())
    return sorted(revisions - parents)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamp without a timezone: {value.isoformat()}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class ProspectRow(Base):
    __tablename__ = "prospects"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    consent: Mapped[bool] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class OutcomeRow(Base):
    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Erasing a prospect keeps the event (the village's history) but not the link to the person.
    prospect_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("prospects.id", ondelete="SET NULL"), index=True
    )
    insee: Mapped[str] = mapped_column(String(5), index=True)
    event: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HomeRow(Base):
    __tablename__ = "homes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    insee: Mapped[str] = mapped_column(String(5), index=True)
    tenure: Mapped[str] = mapped_column(String(4))
    price_eur: Mapped[float] = mapped_column(Float)
    bedrooms: Mapped[int] = mapped_column(Integer)
    surface_m2: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class WeightProfileRow(Base):
    __tablename__ = "weight_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text)
    weights: Mapped[dict[str, float]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class ExposureRow(Base):
    """How many times a village was shown at a rank on a channel, within one second: a row
    per ranking shown would grow by ten rows a request."""

    __tablename__ = "exposure_counts"

    at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # the second
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    shown: Mapped[int] = mapped_column(Integer)


class AuditRow(Base):
    """Who changed the weights, the homes or the prospects, and when: never a contact field
    (a prospect is named by its id only, which means nothing once the prospect is erased)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(String(200))


class RevokedKeyRow(Base):
    """API keys refused from now on, by the SHA-256 digest the configuration holds."""

    __tablename__ = "revoked_keys"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str] = mapped_column(String(100))


class RevisionRow(Base):
    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


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
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if self.is_sqlite and parsed.database in (None, "", ":memory:"):
            # One in-memory database shared by every thread, rather than one per connection.
            self.engine: Engine = create_engine(
                url,
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
                hide_parameters=True,
            )
        else:
            # Statements' values stay out of logs and error messages: they hold prospects'
            # contact fields.
            self.engine = create_engine(url, pool_pre_ping=not self.is_sqlite, hide_parameters=True)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._revision_query = select(RevisionRow.value).where(RevisionRow.name == MODEL_INPUTS)
        in_memory = self.is_sqlite and parsed.database in (None, "", ":memory:")
        self._revision_sql = (
            None
            if in_memory
            else str(
                self._revision_query.compile(self.engine, compile_kwargs={"literal_binds": True})
            )
        )
        self._revision_lock = threading.Lock()
        self._revision_connection: Any = None

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration, or to ``revision`` (nothing to do if it
        is there).

        Several worker processes may start at once on a new database: the first to take the
        lock migrates, the others then find the schema up to date.
        """
        if revision == "head" and self.at_head():
            return  # without loading Alembic, which a serving process otherwise never needs
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._migration_lock(), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def at_head(self) -> bool:
        """Whether the schema is at the newest migration, read with SQLAlchemy alone."""
        heads = migration_heads()
        if len(heads) != 1:
            return False
        try:
            with self.engine.connect() as connection:
                found = connection.execute(text("SELECT version_num FROM alembic_version"))
                return list(found.scalars()) == heads
        except SQLAlchemyError:  # no version table: a new database
            return False

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        database = self.engine.url.database
        if not self.is_sqlite or database in (None, "", ":memory:"):
            yield
            return
        with open(f"{database}.migrate.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def dispose(self) -> None:
        with self._revision_lock:
            self._close_revision_connection()
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    # -- revisions -------------------------------------------------------------------------

    def model_inputs_revision(self) -> int:
        """A counter raised by every write that changes rankings (weights, homes, settled).

        Every request reads it, so it is read on a connection of its own, outside the pool,
        with the statement compiled once: microseconds on SQLite, one round trip on PostgreSQL.
        """
        if self._revision_sql is None:  # an in-memory database has one shared connection
            with self.sessions() as session:
                return int(session.scalar(self._revision_query) or 0)
        with self._revision_lock:
            try:
                return self._read_revision()
            except self.engine.dialect.loaded_dbapi.Error:
                # The server restarted or dropped the connection: one fresh try.
                self._close_revision_connection()
                return self._read_revision()

    def _read_revision(self) -> int:
        if self._revision_connection is None:
            self._revision_connection = self._autocommit_connection()
        cursor = self._revision_connection.cursor()
        try:
            cursor.execute(self._revision_sql)
            row = cursor.fetchone()
        finally:
            cursor.close()
        return int(row[0]) if row else 0

    def _autocommit_connection(self) -> Any:
        """A DBAPI connection of its own (detached from the pool) that sees every commit."""
        fairy = self.engine.raw_connection()
        fairy.detach()
        connection: Any = fairy.dbapi_connection
        if self.is_sqlite:
            connection.isolation_level = None
        else:
            connection.autocommit = True
        return connection

    def _close_revision_connection(self) -> None:
        if self._revision_connection is not None:
            with contextlib.suppress(Exception):
                self._revision_connection.close()
            self._revision_connection = None

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
        with self.sessions() as session:
            row = session.get(ProspectRow, prospect_id)
            return None if row is None else _prospect(row)

    def delete_prospect(self, prospect_id: str, by: str = "unknown") -> bool:
        """Erase a prospect and the link from its outcomes to it; False if there was none."""
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
        with self.transaction() as session:
            if event_name in ("settled", "left"):
                self._bump(session)
            row = OutcomeRow(
                prospect_id=prospect_id, insee=insee, event=event_name, at=at, recorded_at=utcnow()
            )
            session.add(row)
            session.flush()
            return row.id

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
        """Store a (validated) profile; it becomes the active one in the same transaction."""
        row = WeightProfileRow(
            name=profile.name,
            version=profile.version,
            description=profile.description,
            weights=dict(profile.weights),
            created_at=utcnow(),
            created_by=by,
        )
        with self.transaction() as session:
            self._bump(session)
            session.add(row)
            _audit(session, by, "weights.replace", profile.version, profile.name)
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


def exposure_second(at: datetime) -> datetime:
    """The second exposure is counted in."""
    return at.replace(microsecond=0)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers and a writer work at once; synchronous=FULL keeps every acknowledged
    # commit through a crash; SQLite enforces foreign keys only when asked.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


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
