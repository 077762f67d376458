"""Faults of a served SQLite database, as ``sohosolo serve`` meets them with its default
settings: another process holds the write lock for 15 s while 60 writes arrive at once, and a
database file that is read-only.

Health, staff reads and public rankings are asked all along on connections of their own, and
timed from the client (loopback, keep-alive): 95 % of the answers of each within 100 ms, and
every one within 1 s (one that waited behind the writes would take the 2 s of the write
timeout; the margin is for a machine that other jobs share, where a few answers among hundreds
wait for a CPU whatever the server does); every write is answered, 503 with a JSON problem and
``Retry-After`` (or 201 once the lock is let go), none 500. The measured figures are printed
(``pytest -s``).
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import STAFF, STAFF_KEY, served

# A served process, an outside lock of 15 s: too long for the fast loop.
pytestmark = pytest.mark.slow

LOCK_SECONDS = 15.0
WRITES = 60
ENV = {"SOHOSOLO_STAFF_API_KEYS": STAFF_KEY, "SOHOSOLO_RATE_LIMIT": "off"}


def database_of(folder: Path) -> Path:
    return folder / "var" / "sohosolo.sqlite3"


def env_for(folder: Path) -> dict[str, str]:
    """``ENV`` with the server's database in ``folder``, where the test reaches its file."""
    database_of(folder).parent.mkdir(parents=True, exist_ok=True)
    return ENV | {"SOHOSOLO_DATABASE_URL": f"sqlite:///{database_of(folder)}"}


PROSPECT = {"profile": API_EXAMPLE_PROFILE, "contact": {"name": "C"}, "consent": True}
#: Holds SQLite's write lock on the file ``argv[1]`` for ``argv[2]`` seconds, as another
#: process would (a backup, a script, a stuck job).
LOCKER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
print("released", flush=True)
"""

#: Sends ``argv[2]`` writes at once to the port ``argv[1]``, from a process of its own (so that
#: its threads do not slow the timed clients); prints [status, Retry-After, body, seconds] each.
WRITERS = """
import http.client, json, sys, threading, time
port, count, headers, body = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
answers = []
def write():
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
    start = time.perf_counter()
    connection.request("POST", "/v1/prospects", body, headers)
    response = connection.getresponse()
    data = json.loads(response.read())
    took = time.perf_counter() - start
    answers.append([response.status, response.getheader("Retry-After"), data, took])
    connection.close()
threads = [threading.Thread(target=write) for _ in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(answers))
"""


def ask(
    connection: http.client.HTTPConnection, method: str, path: str, body: object = None
) -> tuple[int, dict[str, str], Any, float]:
    """(status, headers, JSON body, seconds) of one request on a kept-alive connection."""
    payload = None if body is None else json.dumps(body)
    start = time.perf_counter()
    connection.request(method, path, payload, {**STAFF, "Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    took = time.perf_counter() - start
    headers = {name.lower(): value for name, value in response.getheaders()}
    return response.status, headers, json.loads(data or b"null"), took


@dataclass
class Poller:
    """Asks one request again and again until stopped: its answers and their times."""

    port: int
    method: str
    path: str
    body: object = None
    every: float = 0.05
    answers: list[tuple[float, int, Any, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.wait(self.every):
            status, _, body, took = ask(connection, self.method, self.path, self.body)
            self.answers.append((time.monotonic(), status, body, took))
        connection.close()

    def slowest(self) -> float:
        return max(took for *_, took in self.answers)

    def percentile(self, share: float) -> float:
        """The time within which ``share`` of the answers came."""
        times = sorted(took for *_, took in self.answers)
        return times[min(len(times) - 1, int(share * len(times)))]


@contextmanager
def polling(*pollers: Poller) -> Iterator[None]:
    threads = [threading.Thread(target=poller.run) for poller in pollers]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        for poller in pollers:
            poller.stop.set()
        for thread in threads:
            thread.join()


def write(port: int) -> tuple[int, dict[str, str], Any, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        return ask(connection, "POST", "/v1/prospects", PROSPECT)
    finally:
        connection.close()


def concurrent_writes(port: int) -> list[tuple[int, str | None, Any, float]]:
    headers = json.dumps({**STAFF, "Content-Type": "application/json"})
    command = [sys.executable, "-c", WRITERS, str(port), str(WRITES), headers, json.dumps(PROSPECT)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    return [tuple(answer) for answer in json.loads(done.stdout)]


def test_a_lock_held_from_outside_for_15_s_stalls_nothing_but_the_writes(tmp_path: Path) -> None:
    with served(tmp_path, env_for(tmp_path)) as (port, _):
        prospect = write(port)[2]["id"]
        health = Poller(port, "GET", "/v1/health")
        staff = Poller(port, "GET", f"/v1/prospects/{prospect}", every=0.1)
        rankings = Poller(port, "POST", "/v1/recommendations?k=3", API_EXAMPLE_PROFILE, every=0.1)
        with polling(health, staff, rankings):
            locker = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    LOCKER,
                    str(database_of(tmp_path)),
                    str(LOCK_SECONDS),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert locker.stdout is not None
            assert locker.stdout.readline().strip() == "locked"
            locked_at = time.monotonic()
            time.sleep(0.5)
            answers = concurrent_writes(port)
            assert locker.stdout.readline().strip() == "released"
            released_at = time.monotonic()
            locker.wait(timeout=30)
            locker.stdout.close()
            time.sleep(3)  # health sees the database writable again
        after = write(port)
    report(health, staff, rankings, answers)
    assert len(answers) == WRITES
    assert {status for status, *_ in answers} <= {201, 503}
    for status, retry_after, body, _ in answers:
        if status == 503:
            assert int(retry_after) >= 1
            assert body["detail"].startswith("the database cannot be written now: ")
    assert max(took for *_, took in answers) < 5.0
    assert after[0] == 201
    for poller in (health, staff, rankings):
        assert poller.percentile(0.95) < 0.1, f"{poller.path}: {poller.percentile(0.95):.3f} s"
        assert poller.slowest() < 1.0, f"{poller.path} took up to {poller.slowest():.3f} s"
    assert all(
        status == 200 for _, status, _, _ in health.answers + staff.answers + rankings.answers
    )
    # Health probes once a second: from 2 s after the lock, to just before its release.
    during = [body for at, _, body, _ in health.answers if locked_at + 2 < at < released_at - 0.2]
    assert during
    assert all(body["database"]["writable"] is False for body in during)
    assert all(body["status"] == "ok" for _, _, body, _ in health.answers)
    assert "write lock" in during[-1]["database"]["detail"]
    assert health.answers[-1][2]["database"] == {"writable": True}


def report(health: Poller, staff: Poller, rankings: Poller, answers: list[Any]) -> None:
    statuses = sorted({status for status, *_ in answers})
    for name, poller in [("health", health), ("staff reads", staff), ("rankings", rankings)]:
        print(
            f"\n{name}: {len(poller.answers)} answers, median {poller.percentile(0.5) * 1000:.1f}"
            f" ms, 95 % within {poller.percentile(0.95) * 1000:.1f} ms, slowest "
            f"{poller.slowest() * 1000:.1f} ms",
            end="",
        )
    print(
        f"\nwrites: {statuses}, answered in {min(a[3] for a in answers):.2f} to "
        f"{max(a[3] for a in answers):.2f} s"
    )


def without_file_permissions_bypass() -> list[str]:
    """What runs the server so that file permissions bind it: nothing for a user, ``setpriv``
    without the capabilities that let root ignore them."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root ignores file permissions, and setpriv (util-linux) is not installed")
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_a_read_only_database_file_refuses_writes_and_serves_reads(tmp_path: Path) -> None:
    with served(tmp_path, env_for(tmp_path)) as (port, _):
        prospect = write(port)[2]["id"]
    database = database_of(tmp_path)
    database.chmod(0o444)
    try:
        with served(tmp_path, env_for(tmp_path), prefix=without_file_permissions_bypass()) as (
            port,
            _,
        ):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, headers, body, _ = ask(connection, "POST", "/v1/prospects", PROSPECT)
            assert status == 503
            assert "read-only" in body["detail"]
            assert int(headers["retry-after"]) >= 1
            assert ask(connection, "GET", f"/v1/prospects/{prospect}")[0] == 200
            ranking = ask(connection, "POST", "/v1/recommendations?k=3", API_EXAMPLE_PROFILE)
            assert ranking[0] == 200
            health = ask(connection, "GET", "/v1/health")[2]
            assert health["database"]["writable"] is False
            assert "read-only" in health["database"]["detail"]
            connection.close()
    finally:
        database.chmod(0o644)
