"""Service fixtures: settings with known keys, a client inside its lifespan, and databases.

Store tests run on SQLite and on PostgreSQL. PostgreSQL comes from
``SOHOSOLO_TEST_POSTGRES_URL`` (``.ci/run`` starts a server and sets it); each test gets a
database of its own. Without it the PostgreSQL cases skip, unless
``SOHOSOLO_REQUIRE_POSTGRES=1`` (CI), where they fail instead.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.app import create_app
from service.config import Settings
from service.store import Store

STAFF_KEY = "staff-key-for-the-tests-0001"
ANALYST_KEY = "analyst-key-for-the-tests-0001"
STAFF = {"X-API-Key": STAFF_KEY}
ANALYST = {"X-API-Key": ANALYST_KEY}
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_admin_url() -> str | None:
    url = os.environ.get("SOHOSOLO_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("SOHOSOLO_REQUIRE_POSTGRES") == "1":
        pytest.fail("SOHOSOLO_REQUIRE_POSTGRES=1 but SOHOSOLO_TEST_POSTGRES_URL is not set")
    pytest.skip("no PostgreSQL server: set SOHOSOLO_TEST_POSTGRES_URL (.ci/run does)")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    admin_url = postgres_admin_url()
    assert admin_url is not None
    name = f"sohosolo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """An upgraded store on each backend."""
    store = Store(database_url)
    store.upgrade()
    yield store
    store.dispose()


def make_settings(data_dir: Path, database_url: str | None = None, **changes: object) -> Settings:
    """Settings with the test keys, and no rate limit unless a test sets one (the tests' many
    rankings all come from one address)."""
    return Settings(
        **{
            "data_dir": data_dir,
            "database_url": database_url,
            "staff_api_keys": [STAFF_KEY],
            "analyst_api_keys": [ANALYST_KEY],
            "rate_limit": "off",
            **changes,
        }  # type: ignore[arg-type]
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


ClientFactory = Callable[[Settings], AbstractContextManager[TestClient]]


@pytest.fixture
def new_client() -> ClientFactory:
    """Clients on given settings, each inside its own lifespan (a server start and stop)."""
    return lambda settings: TestClient(create_app(settings))
