"""Crash safety: the server is killed with SIGKILL while outcomes are being written, then
restarted on the same database, on SQLite and on PostgreSQL.

What is checked, and why it is enough:

- every outcome answered 201 is stored under the id it was answered with, with the fields
  that were sent (an acknowledged write is never lost);
- every stored outcome is one that was sent, at most once, whole (every column set, as
  sent; each outcome names a prospect of its own, so that the outcome rules accept every
  one, whichever order they arrive in); those that were not answered were all in flight
  when the server was killed: their transaction committed but the answer was lost with the
  process (the client cannot tell, so it may retry, which is its business). So the rows are
  the answered outcomes plus at most the ones in flight, never fewer and never others;
- an outcome ``settled`` raises the model-inputs revision in the same transaction: the
  revision went up by exactly the number of such rows stored, so no transaction landed in
  part (a row without its raise, or a raise without its row);
- SQLite's file passes ``PRAGMA integrity_check``, and the restarted server answers and
  writes as before.

"In flight" is counted on the client's side: a request is in flight from just before its
first byte is sent until its answer is read. The kill is sent with the lock on that count
held, so the set in flight at that instant is exact, and once at least half the writers are in
flight, so writes are under way in the server when it dies (unless they are all still in the
network stack, which only makes the check easier to pass, never wrong).

SQLite runs in WAL mode with ``synchronous=FULL``: a commit is written (and synced) before the
answer, so killing the process cannot lose it; FULL also covers a power cut, which this test
cannot stage. PostgreSQL's own crash safety (its WAL, fsync) is PostgreSQL's: here its server
stays up and it is the service's process that dies, with transactions open on its connections.
"""

import http.client
import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from service.db.models import MODEL_INPUTS, OutcomeRow, RevisionRow
from service.store import Contact, Store
from tests.conftest import API_EXAMPLE_PROFILE
from tests.service.conftest import STAFF, STAFF_KEY, served

# Each test starts a served process under load and kills it: seconds each.
pytestmark = pytest.mark.slow

WRITERS = 8
#: Outcomes answered before the kill: enough for a stream, few enough for a quick test.
KILL_AFTER = 100
VILLAGES = ("32249", "32242", "32200", "32001")
#: A first event of a prospect: the outcome rules accept each, in any order.
EVENTS = ("shortlisted", "visited", "settled")
#: Prospects made for the outcomes, one each: more than are sent before the kill.
PROSPECTS = 3 * KILL_AFTER
#: Each outcome's ``at`` is START plus its index in seconds: a stored row tells which it was.
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def outcome(index: int, prospect_ids: Sequence[str]) -> dict[str, str]:
    return {
        "prospect_id": prospect_ids[index],
        "insee": VILLAGES[index // len(EVENTS) % len(VILLAGES)],
        "event": EVENTS[index % len(EVENTS)],
        "at": (START + timedelta(seconds=index)).isoformat(),
    }


def request(port: int, method: str, path: str, body: object = None) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = None if body is None else json.dumps(body)
        headers = {**STAFF, "Content-Type": "application/json"}
        connection.request(method, path, payload, headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


@dataclass
class Server:
    port: int
    process: "subprocess.Popen[bytes]"


@contextmanager
def serve(database_url: str, folder: Path) -> Iterator[Server]:
    """``sohosolo serve`` on ``database_url``, in a process group of its own."""
    env = {
        "SOHOSOLO_DATABASE_URL": database_url,
        "SOHOSOLO_STAFF_API_KEYS": STAFF_KEY,
        "SOHOSOLO_RATE_LIMIT": "off",  # every request here comes from one address
    }
    with served(folder, env) as (port, process):
        yield Server(port, process)


@dataclass
class Stream:
    """What the writers sent and what they were answered, under one lock."""

    prospect_ids: Sequence[str]
    port: int
    condition: threading.Condition = field(default_factory=threading.Condition)
    sent: int = 0  # outcomes 0 .. sent - 1 were started
    in_flight: set[int] = field(default_factory=set)
    answered: dict[int, dict[str, Any]] = field(default_factory=dict)  # 201s: their bodies
    refused: dict[int, tuple[int, bytes]] = field(default_factory=dict)  # any other answer
    unanswered: set[int] = field(default_factory=set)  # no answer: the connection broke
    failed_before_kill: list[str] = field(default_factory=list)
    killed: bool = False
    in_flight_at_kill: frozenset[int] = frozenset()

    def write(self) -> None:
        """One writer: outcome after outcome on a keep-alive connection, until it breaks."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {**STAFF, "Content-Type": "application/json"}
        try:
            while True:
                with self.condition:
                    if self.killed:
                        return
                    index = self.sent
                    assert index < len(self.prospect_ids), "more outcomes than prospects"
                    self.sent += 1
                    self.in_flight.add(index)
                try:
                    body = json.dumps(outcome(index, self.prospect_ids))
                    connection.request("POST", "/v1/outcomes", body, headers)
                    response = connection.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as error:
                    with self.condition:
                        self.in_flight.discard(index)
                        self.unanswered.add(index)
                        if not self.killed:
                            self.failed_before_kill.append(repr(error))
                        self.condition.notify_all()
                    return
                with self.condition:
                    self.in_flight.discard(index)
                    if response.status == 201:
                        self.answered[index] = json.loads(answer)
                    else:
                        self.refused[index] = (response.status, answer)
                    self.condition.notify_all()
        finally:
            connection.close()

    def kill_midway(self, process: "subprocess.Popen[bytes]") -> None:
        """SIGKILL the server once KILL_AFTER outcomes are answered, with writes in flight."""
        with self.condition:
            ready = self.condition.wait_for(
                lambda: (
                    self.failed_before_kill
                    or (len(self.answered) >= KILL_AFTER and len(self.in_flight) >= WRITERS // 2)
                ),
                timeout=120,
            )
            assert not self.failed_before_kill, self.failed_before_kill
            assert ready, f"{len(self.answered)} outcomes answered in 120 s"
            os.killpg(process.pid, signal.SIGKILL)
            self.killed = True
            self.in_flight_at_kill = frozenset(self.in_flight)
        process.wait()


def revision(store: Store) -> int:
    with store.sessions() as session:
        value = session.scalar(select(RevisionRow.value).where(RevisionRow.name == MODEL_INPUTS))
    return int(value or 0)


def test_outcomes_answered_before_a_kill_are_stored_whole(
    database_url: str, tmp_path: Path
) -> None:
    store = Store(database_url)
    store.upgrade()
    prospect_ids = [
        store.add_prospect(API_EXAMPLE_PROFILE, Contact(), consent=True).id
        for _ in range(PROSPECTS)
    ]
    try:
        with serve(database_url, tmp_path) as server:
            revision_before = revision(store)
            stream = Stream(prospect_ids, server.port)
            writers = [threading.Thread(target=stream.write) for _ in range(WRITERS)]
            for writer in writers:
                writer.start()
            try:
                stream.kill_midway(server.process)
            finally:
                with stream.condition:
                    stream.killed = True  # writers stop even if the kill did not happen
                for writer in writers:
                    writer.join(timeout=60)
        assert not any(writer.is_alive() for writer in writers)
        assert stream.refused == {}
        assert stream.in_flight_at_kill

        with serve(database_url, tmp_path) as server:
            with store.sessions() as session:
                rows = {row.id: row for row in session.scalars(select(OutcomeRow))}
            revision_after = revision(store)

            # Every row is one outcome that was sent, once, whole and as sent.
            index_of: dict[int, int] = {}
            for row in rows.values():
                index = int((row.at - START).total_seconds())
                assert 0 <= index < stream.sent, row.at
                index_of[row.id] = index
                sent = outcome(index, prospect_ids)
                assert (row.prospect_id, row.insee, row.event) == (
                    sent["prospect_id"],
                    sent["insee"],
                    sent["event"],
                )
                assert row.at == datetime.fromisoformat(sent["at"])
                assert row.recorded_at is not None
            stored = set(index_of.values())
            assert len(stored) == len(rows), "an outcome was stored twice"

            # Every answered outcome is stored under the id it was answered with.
            for index, answer in stream.answered.items():
                assert answer["id"] in rows, f"outcome {index} answered {answer} is not stored"
                assert index_of[answer["id"]] == index
                sent = outcome(index, prospect_ids)
                assert {k: answer[k] for k in ("prospect_id", "insee", "event")} == {
                    k: sent[k] for k in ("prospect_id", "insee", "event")
                }
                assert datetime.fromisoformat(answer["at"]) == datetime.fromisoformat(sent["at"])

            # The rows beyond the answered ones were in flight when the server died.
            committed_unanswered = stored - set(stream.answered)
            assert committed_unanswered <= stream.in_flight_at_kill
            assert committed_unanswered <= stream.unanswered
            assert len(rows) == len(stream.answered) + len(committed_unanswered)

            # No transaction landed in part: one revision raise per settled row.
            moving = sum(row.event == "settled" for row in rows.values())
            assert revision_after - revision_before == moving

            if store.is_sqlite:
                with store.engine.connect() as connection:
                    assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"

            # The restarted server reads and writes as before.
            status, prospect = request(server.port, "GET", f"/v1/prospects/{prospect_ids[0]}")
            assert status == 200, prospect
            status, answer = request(
                server.port, "POST", "/v1/outcomes", outcome(stream.sent, prospect_ids)
            )
            assert status == 201, answer
            with store.sessions() as session:
                row = session.get(OutcomeRow, answer["id"])
                assert row is not None
                assert row.at == START + timedelta(seconds=stream.sent)
    finally:
        store.dispose()
