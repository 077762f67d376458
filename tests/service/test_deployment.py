"""The README's deployment guide ("Deploying on several servers") runs as written, on a
PostgreSQL database and a Redis of the test's own: the schema brought up to date once, two
servers behind what would be the proxy, a backup taken while they run, and restored after
they are stopped (a listing deleted after the backup is back)."""

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.service.conftest import STAFF, STAFF_KEY, postgres_database
from tests.service.test_cluster import call
from tests.test_readme import BLOCK_SECONDS, blocks, port_is_free

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

#: The guide's blocks, by their first line.
SETTINGS = "export SOHOSOLO_DATABASE_URL=postgresql+psycopg://sohosolo@127.0.0.1:5432/sohosolo"
SERVERS = ".venv/bin/sohosolo db upgrade"
BACKUP = 'pg_dump --format=custom --file=sohosolo.dump "${SOHOSOLO_DATABASE_URL/+psycopg/}"'
RESTORE = (
    "pg_restore --clean --if-exists --no-owner --single-transaction "
    '--dbname="${SOHOSOLO_DATABASE_URL/+psycopg/}" sohosolo.dump'
)
#: The ports the guide's servers listen on.
PORTS = (8001, 8002)
VILLAGE = "32436"


def guide_block(first_line: str) -> str:
    (block,) = [b for b in blocks("bash") if b.splitlines()[0] == first_line]
    return block


@contextmanager
def running(block: str, folder: Path, env: Mapping[str, str]) -> Iterator[None]:
    """Run ``block`` until it exits (status 0 expected); what it started in the background
    (servers) runs until the ``with`` ends, then is stopped with it."""
    log = (folder / "block.log").open("a+b")
    process = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        status = process.wait(timeout=BLOCK_SECONDS)
        log.seek(0)
        assert status == 0, f"{block.splitlines()[0]}:\n{log.read().decode()}"
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait()
        log.close()


def run(block: str, folder: Path, env: Mapping[str, str]) -> None:
    with running(block, folder, env):
        pass


def homes(port: int) -> set[int]:
    answer = call(port, "GET", f"/v1/villages/{VILLAGE}/homes", headers=STAFF)
    assert answer.status == 200, answer.body
    return {home["id"] for home in answer.body["homes"]}


def test_the_settings_block_exports_the_two_variables_the_servers_share() -> None:
    exported = re.findall(r"^export (\w+)=", guide_block(SETTINGS), re.M)
    assert exported == ["SOHOSOLO_DATABASE_URL", "SOHOSOLO_REDIS_URL"]


def test_the_deployment_guide_runs_as_written(tmp_path: Path, redis_url: str) -> None:
    if sys.prefix == sys.base_prefix:
        pytest.skip("the tests run outside a virtual environment: no .venv to run as written")
    if not all(port_is_free(port) for port in PORTS):
        pytest.skip(f"ports {PORTS}, which the guide's servers use, are taken here")
    (tmp_path / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    with postgres_database() as database_url:
        env = os.environ | {
            "PYTHONPATH": str(REPO),
            "SOHOSOLO_DATABASE_URL": database_url,  # in place of the settings block's examples
            "SOHOSOLO_REDIS_URL": redis_url,
            "SOHOSOLO_STAFF_API_KEYS": STAFF_KEY,
        }
        home = {"tenure": "rent", "price_eur": 650, "bedrooms": 2}
        with running(guide_block(SERVERS), tmp_path, env):
            first, second = PORTS
            added = call(first, "POST", f"/v1/villages/{VILLAGE}/homes", home, STAFF)
            assert added.status == 201, added.body
            assert added.body["id"] in homes(second)
            run(guide_block(BACKUP), tmp_path, env)
            assert (tmp_path / "sohosolo.dump").stat().st_size > 0
            path = f"/v1/villages/{VILLAGE}/homes/{added.body['id']}"
            assert call(second, "DELETE", path, headers=STAFF).status == 204
            assert added.body["id"] not in homes(first)
        run(guide_block(RESTORE), tmp_path, env)
        with running(guide_block(SERVERS), tmp_path, env):
            assert added.body["id"] in homes(PORTS[1])
