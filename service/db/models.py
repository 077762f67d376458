"""The tables, as SQLAlchemy's ORM sees them; the migrations create them, and a test keeps the
two identical."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: The revision counter that tells every worker process to rebuild its recommender.
MODEL_INPUTS = "model_inputs"


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
    recorded_by: Mapped[str] = mapped_column(String(100))  # staff:1a2b3c4d, as audited


class OutcomeSetAsideRow(Base):
    """Outcomes stored before the outcome rules that the rules refuse (a repeat, a second
    home, a departure without a stay), set aside by migration 0004 rather than deleted: out of
    the counts, kept for review with the reason."""

    __tablename__ = "outcomes_set_aside"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    prospect_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("prospects.id", ondelete="SET NULL"), index=True
    )
    insee: Mapped[str] = mapped_column(String(5))
    event: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(200))
    set_aside_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HomeRow(Base):
    __tablename__ = "homes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    insee: Mapped[str] = mapped_column(String(5), index=True)
    tenure: Mapped[str] = mapped_column(String(4))
    price_eur: Mapped[float] = mapped_column(Float)
    bedrooms: Mapped[int] = mapped_column(Integer)
    surface_m2: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
    #: Raised by every change: a change naming an older one is refused (If-Match).
    version: Mapped[int] = mapped_column(Integer)
    available_from: Mapped[date] = mapped_column(Date)
    #: The listing stops counting after this day, unless its committee confirms it.
    expires_at: Mapped[date] = mapped_column(Date, index=True)


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
    """Counters of writes (``MODEL_INPUTS``: the writes that change rankings)."""

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


# -- people's accounts (0005) -----------------------------------------------------------------


class AccountRow(Base):
    """A person who signs in to the intranet: a committee member, staff or an analyst. The
    password is kept only as its argon2 hash; an invited person has none until they choose it."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower-cased
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountVillageRow(Base):
    """The villages a committee account is scoped to (staff and analysts have none: all)."""

    __tablename__ = "account_villages"

    account_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    insee: Mapped[str] = mapped_column(String(5), primary_key=True)


class InvitationRow(Base):
    """A one-time link to choose a password: only the SHA-256 of its token is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionRow(Base):
    """A signed-in browser: the SHA-256 of its cookie's token, its CSRF token, its times. Kept
    in the database so that every worker process (and server) knows it."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# -- the village side (0006 homes' columns above, 0007 needs and committees) -------------------


class NeedRow(Base):
    """Something a village needs, of one ``kind``; the columns of the other kinds stay empty.
    A trade need's professions are rows of ``need_professions``."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    insee: Mapped[str] = mapped_column(String(5), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # school_pupils, trade, premises
    note: Mapped[str | None] = mapped_column(String(500))
    expires_at: Mapped[date] = mapped_column(Date, index=True)
    school: Mapped[str | None] = mapped_column(String(200))
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    pupils: Mapped[int | None] = mapped_column(Integer)
    by_date: Mapped[date | None] = mapped_column(Date)
    service: Mapped[str | None] = mapped_column(String(32))
    premises_use: Mapped[str | None] = mapped_column(String(16))
    surface_m2: Mapped[float | None] = mapped_column(Float)
    rent_eur: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class NeedProfessionRow(Base):
    __tablename__ = "need_professions"

    need_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True
    )
    profession: Mapped[str] = mapped_column(String(40), primary_key=True)


class CommitteeRow(Base):
    """A village's welcome committee: how many families it can accompany in a quarter, and
    whom staff write to (never shown publicly)."""

    __tablename__ = "committees"

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    capacity_per_quarter: Mapped[int] = mapped_column(Integer)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class FactProposalRow(Base):
    """A committee's correction of one village fact, with its source and date; staff approve
    it (its value then overrides the packaged one) or reject it (with a reason, kept)."""

    __tablename__ = "fact_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    insee: Mapped[str] = mapped_column(String(5), index=True)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300))
    observed_at: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, approved, rejected
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    proposed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(500))


# -- two-sided matching (0009 alerts, 0010 allocations) -----------------------------------------


class VillageChangeRow(Base):
    """A change of a village's homes or needs that may bring it to prospects: written in the
    transaction of the change (so none is lost), with the village's homes or needs before and
    after it; its alerts are computed just after, and ``processed_at`` set in the transaction
    that stores them (so none is stored twice)."""

    __tablename__ = "village_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    insee: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(24))  # home_added, home_changed, need_added...
    subject_id: Mapped[int | None] = mapped_column(Integer)  # the listing's or the need's id
    #: What changed, for the words of the alert: the listing's or the need's fields.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The village's current homes (``[[tenure, price, bedrooms], ...]``) or needs, before and
    #: after the change: ``{"homes": [...]}`` or ``{"needs": [...]}``.
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))


class AlertRow(Base):
    """A prospect who consented to be contacted, whom a change brings a village to: into
    their top k, or through every must-have they set. Once per prospect and change."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("change_id", "prospect_id", name="uq_alerts_change"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("village_changes.id", ondelete="CASCADE")
    )
    # Erasing a prospect erases their alerts (``ProspectStore._erase``; the key says so too).
    prospect_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("prospects.id", ondelete="CASCADE"), index=True
    )
    insee: Mapped[str] = mapped_column(String(5))
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)  # the village's rank in the prospect's ranking
    k: Mapped[int] = mapped_column(Integer)  # the top k it entered, or not
    entered_top: Mapped[bool] = mapped_column(Boolean)
    must_passes: Mapped[bool] = mapped_column(Boolean)
    contributions: Mapped[dict[str, float]] = mapped_column(JSON)
    reasons: Mapped[dict[str, list[str]]] = mapped_column(JSON)  # by language
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SecretRow(Base):
    """Secrets the service makes itself, once, shared by every worker and server: the key of
    the opaque ids committees see prospects by (``opaque_ids``)."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class AllocationRow(Base):
    """A village proposed to a prospect by an allocation, counted against its committee's
    capacity for the quarter. An erased prospect's proposals stay counted, unlinked."""

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    quarter: Mapped[str] = mapped_column(String(7), index=True)  # 2027-Q1
    prospect_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("prospects.id", ondelete="SET NULL"), index=True
    )
    insee: Mapped[str] = mapped_column(String(5))
    rank: Mapped[int] = mapped_column(Integer)  # among the prospect's proposals
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
