"""The tables, as SQLAlchemy's ORM sees them; the migrations create them, and a test keeps the
two identical."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
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
    """Counters of writes (``MODEL_INPUTS``: the writes that change rankings)."""

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
