"""Settings of the service, from ``SOHOSOLO_*`` environment variables (pydantic-settings).

Lists (API keys, CORS origins) are given comma-separated: ``SOHOSOLO_STAFF_API_KEYS=k1,k2``.
An API key may be given as itself or, better, as its digest ``sha256:<hex>`` (``sohosolo key``
prints both), so that the configuration never holds a usable key.
"""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.db.engine import WRITE_TIMEOUT
from service.ratelimit import parse_limit

#: The folder of the default SQLite database, relative to the working directory.
DEFAULT_DATA_DIR = Path("var")
DATABASE_FILE = "sohosolo.sqlite3"
#: Bodies larger than this are refused with 413 before they are read in full.
MAX_BODY_BYTES = 64 * 1024

CommaSeparated = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOSOLO_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        DEFAULT_DATA_DIR, description="Folder of the default SQLite database (created if absent)."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db; "
        f"default: SQLite at <data_dir>/{DATABASE_FILE}.",
    )
    staff_api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    analyst_api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    cors_origins: CommaSeparated = Field(
        default_factory=list, description="Origins of the prospection site allowed by CORS."
    )
    default_k: int = Field(10, ge=1, description="Results per ranking when a request names none.")
    villages_path: Path | None = Field(None, description="Villages GeoParquet (default: packaged).")
    partners_path: Path | None = Field(None, description="Partner CSV (default: packaged).")
    weights: str = Field(
        "default", description="Weight profile installed when the database holds none."
    )
    rate_limit: str = Field(
        "60/minute",
        description="Rankings one client address may ask of the public endpoints "
        "(60/minute, 1000/hour...; 'off' for no limit), per worker process.",
    )
    write_timeout_seconds: float = Field(
        WRITE_TIMEOUT,
        gt=0,
        le=60,
        description="Seconds a write waits for a lock held by another connection before it "
        "is answered 503 with Retry-After.",
    )
    retention_months: int | None = Field(
        None,
        ge=1,
        description="Months after which 'sohosolo purge' erases prospects without consent "
        "(unset: keep them until deleted).",
    )

    @field_validator("staff_api_keys", "analyst_api_keys", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("rate_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse_limit(value)  # raises ValueError naming what was expected
        return value

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / DATABASE_FILE}"


@lru_cache
def get_settings() -> Settings:
    """The settings of the environment."""
    return Settings()
