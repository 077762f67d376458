"""Settings of the service, from ``SOHOSOLO_*`` environment variables (pydantic-settings).

Lists (API keys, CORS origins) are given comma-separated: ``SOHOSOLO_STAFF_API_KEYS=k1,k2``.
An API key may be given as itself or, better, as its digest ``sha256:<hex>`` (``sohosolo key``
prints both), so that the configuration never holds a usable key.
"""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.db.engine import WRITE_TIMEOUT
from service.ratelimit import parse_limit

DATABASE_FILE = "sohosolo.sqlite3"
#: Where versions before issue 18 kept the database: ``var`` under the working folder.
FORMER_DATA_DIR = Path("var")


def default_data_dir() -> Path:
    """The user's data folder for the service, whatever the working folder: started from
    another folder, the service still finds its database (it used to open a new, empty one in
    ``./var``). ``~/.local/share/sohosolo`` on Linux (under ``$XDG_DATA_HOME`` when it is
    set), ``~/Library/Application Support/sohosolo`` on macOS, ``%LOCALAPPDATA%\\sohosolo``
    on Windows."""
    return Path(platformdirs.user_data_dir("sohosolo", appauthor=False))


#: Bodies larger than this are refused with 413 before they are read in full.
MAX_BODY_BYTES = 64 * 1024

#: URL schemes of Redis (and Valkey, its fork) that the limits library's storages speak.
REDIS_SCHEMES = ("redis", "rediss", "valkey", "valkeys")

CommaSeparated = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOSOLO_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder of the default SQLite database (created if absent).",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db; "
        f"default: SQLite at <data_dir>/{DATABASE_FILE}.",
    )
    committee_api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Committee keys with their villages: sha256:<hex>@32249+32416, "
        "comma-separated.",
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
        "(60/minute, 1000/hour...; 'off' for no limit); per worker process unless "
        "SOHOSOLO_REDIS_URL is set.",
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

    public_url: str | None = Field(
        None,
        description="The service's address as people reach it (https://matcher.example.org), "
        "for invitation links; default: the address the inviting request came to.",
    )
    session_idle_hours: float = Field(
        12, gt=0, description="A session unused this long ends (signed out)."
    )
    session_max_days: float = Field(
        7, gt=0, description="A session ends this long after sign-in, used or not."
    )
    redis_url: str | None = Field(
        None,
        description="Redis (or Valkey) where every process counts the rate limit and failed "
        "sign-ins: redis://host:6379/0 (rediss:// for TLS); unset: each process counts alone.",
    )
    signin_account_limit: str = Field(
        "10/15 minutes", description="Failed sign-ins an account may have before it is refused."
    )
    signin_address_limit: str = Field(
        "50/15 minutes", description="Failed sign-ins one address may make before it is refused."
    )
    signin_slow_after: int = Field(
        3, ge=0, description="Failed sign-ins after which each attempt is answered later."
    )
    signin_max_delay_seconds: float = Field(
        4.0, ge=0, description="The longest an attempt is slowed (doubling from 0.5 s)."
    )
    smtp_host: str | None = Field(None, description="Mail server for invitations (unset: none).")
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_sender: str = Field(
        "soho-solo@localhost", description="From: address of the invitation emails."
    )

    @field_validator(
        "committee_api_keys", "staff_api_keys", "analyst_api_keys", "cors_origins", mode="before"
    )
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("rate_limit", "signin_account_limit", "signin_address_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse_limit(value)  # raises ValueError naming what was expected
        return value

    @field_validator("redis_url")
    @classmethod
    def _a_redis(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme = value.partition("://")[0]
        if scheme.partition("+")[0] not in REDIS_SCHEMES:
            raise ValueError(
                "expected a Redis URL such as redis://host:6379/0 (schemes: "
                f"{', '.join(REDIS_SCHEMES)}, with +unix, +sentinel or +cluster), found "
                f"scheme {scheme!r}"
            )
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
