"""Service fixtures: settings with known keys, a client inside its lifespan, and databases.

Store tests run on SQLite and on PostgreSQL. PostgreSQL comes from
``SOHOSOLO_TEST_POSTGRES_URL`` (``.ci/run`` starts a server and sets it); each test gets a
database of its own. Without it the PostgreSQL cases skip, unless
``SOHOSOLO_REQUIRE_POSTGRES=1`` (CI), where they fail instead.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.app import create_app
from service.config import Settings
from service.store import Store
from tests.conftest import REPO

COMMITTEE_KEY = "committee-key-for-the-tests-0001"
STAFF_KEY = "staff-key-for-the-tests-0001"
ANALYST_KEY = "analyst-key-for-the-tests-0001"
COMMITTEE = {"X-API-Key": COMMITTEE_KEY}
#: The village the committee key keeps (a partner).
COMMITTEE_VILLAGE = "32001"
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
    with postgres_database() as url:
        yield url


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped on the way out."""
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
    rankings all come from one address); failed sign-ins are slowed by a few milliseconds at
    most (the throttle's tests say how much)."""
    return Settings(
        **{
            "data_dir": data_dir,
            "database_url": database_url,
            "committee_api_keys": [f"{COMMITTEE_KEY}@{COMMITTEE_VILLAGE}"],
            "staff_api_keys": [STAFF_KEY],
            "analyst_api_keys": [ANALYST_KEY],
            "rate_limit": "off",
            "signin_max_delay_seconds": 0.01,
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


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One server for the read-only checks of a test module (each write test has its own)."""
    with TestClient(create_app(make_settings(tmp_path_factory.mktemp("api")))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def partner_codes(shared_client: TestClient) -> set[str]:
    return {v["insee"] for v in shared_client.get("/v1/villages?partner=true").json()}


@pytest.fixture
def backend_settings(tmp_path: Path, database_url: str) -> Settings:
    """The test settings on each backend."""
    return make_settings(tmp_path, database_url)


@pytest.fixture
def backend_client(backend_settings: Settings) -> Iterator[TestClient]:
    """A client inside its lifespan, on each backend."""
    with TestClient(create_app(backend_settings)) as test_client:
        yield test_client


ClientFactory = Callable[[Settings], AbstractContextManager[TestClient]]


@pytest.fixture
def new_client() -> ClientFactory:
    """Clients on given settings, each inside its own lifespan (a server start and stop)."""
    return lambda settings: TestClient(create_app(settings))


#: How long a served process may take to answer /v1/health (a loaded CI machine is slow).
SERVER_START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(
    folder: Path,
    env: Mapping[str, str],
    args: Sequence[str] = (),
    prefix: Sequence[str] = (),
) -> Iterator[tuple[int, "subprocess.Popen[bytes]"]]:
    """``sohosolo serve`` in a process and process group of its own (so that a kill reaches
    all of it), on a free port, with ``env`` added to the environment, ``args`` to the
    command line and its log in ``folder``, run through ``prefix`` (such as ``setpriv ...``)
    if given; yields the port and the process once /v1/health answers, and stops it (if it
    still runs) on the way out."""
    port = free_port()
    log = (folder / f"server-{port}.log").open("w+b")
    command = [*prefix, sys.executable, "-m", "service.cli", "serve", "--port", str(port), *args]
    process = subprocess.Popen(
        [*command, "--log-level", "warning"],
        cwd=folder,
        env=os.environ
        | {"PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        | dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _answers(f"http://127.0.0.1:{port}/v1/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                why = (
                    f"exited with {process.returncode}"
                    if process.poll() is not None
                    else f"did not answer /v1/health within {SERVER_START_SECONDS:g} s"
                )
                pytest.fail(f"the server {why}:\n{log.read().decode()}")
            time.sleep(0.1)
        yield port, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False  # not listening yet


#: How long a Redis server may take to answer PING once started.
REDIS_START_SECONDS = 20.0


def redis_binary() -> str:
    """Debian's ``redis-server``; the tests that need it skip without it, unless
    ``SOHOSOLO_REQUIRE_REDIS=1`` (CI), where they fail instead."""
    found = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")
    if found:
        return found
    if os.environ.get("SOHOSOLO_REQUIRE_REDIS") == "1":
        pytest.fail("SOHOSOLO_REQUIRE_REDIS=1 but redis-server is not installed")
    pytest.skip("no redis-server: apt-get install redis-server (.ci/run does)")


class RedisServer:
    """A real ``redis-server`` of the tests' own, on loopback and a free port, keeping nothing on
    disk; stopped and started again by the tests of what happens while Redis is down."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--save", "", "--appendonly", "no"]
        log = (self.folder / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + REDIS_START_SECONDS
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                text = (self.folder / f"redis-{self.port}.log").read_text()
                pytest.fail(f"redis-server did not start:\n{text}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server of this test's own, started."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis the tests may count in: ``SOHOSOLO_TEST_REDIS_URL`` (``.ci/run`` starts one),
    else a server of the module's own. Tests keep apart by their keys (client addresses,
    emails of their own), not by emptying it."""
    configured = os.environ.get("SOHOSOLO_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.url
    server.stop()
