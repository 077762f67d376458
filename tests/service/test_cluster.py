"""Several servers over one PostgreSQL database and one Redis, as README's "Deploying on
several servers" runs them: two ``sohosolo serve`` processes on two ports, behind what would
be a reverse proxy on the same machine (the client's address in ``X-Forwarded-For``, trusted
from 127.0.0.1 with ``--forwarded-allow-ips``).

What one server does, the other knows: an address gets the rate limit across both, not twice;
failed sign-ins count across both; a session opened on one works on the other; a home or a
weight profile changed through one is in the other's next ranking; the villages shown are
counted once each in the database. Killing a server loses no write it acknowledged, and the
others go on answering. With Redis stopped, both go on answering rankings (each counts in its
own memory), and count in Redis again once it is back, without a restart.
"""

import http.client
import itertools
import json
import os
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from service.accounts.signin import Accounts
from service.config import Settings
from service.counters import RETRY_SECONDS
from service.store import Store
from tests.service.conftest import (
    ANALYST_KEY,
    STAFF,
    STAFF_KEY,
    RedisServer,
    postgres_database,
    served,
)

# Each test talks to real server processes, and one kills a server.
pytestmark = [pytest.mark.slow, pytest.mark.postgres]

LIMIT = 5
ACCOUNT_LIMIT = 4
PROFILE = {
    "profession": "translator",
    "connectivity": "basic",
    "housing": {"tenure": "rent", "budget_eur": 700, "min_bedrooms": 2},
    "must": ["housing"],
}
#: A partner village whose estimated rent is over PROFILE's budget (the README's example).
DEAR = "32210"
_addresses = itertools.count(1)


def new_address() -> str:
    """A client address of a test's own (TEST-NET-2): no other test counts under it."""
    n = next(_addresses)
    return f"198.51.{n // 250}.{n % 250 + 1}"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: Any


def call(
    port: int,
    method: str,
    path: str,
    body: object = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = None if body is None else json.dumps(body)
        sent = {"Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, payload, sent)
        response = connection.getresponse()
        raw = response.read()
        headers_in = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers_in, json.loads(raw or b"null"))
    finally:
        connection.close()


def rank(port: int, headers: Mapping[str, str]) -> Answer:
    return call(port, "POST", "/v1/recommendations?k=52&lang=en", PROFILE, headers)


@dataclass
class Cluster:
    database_url: str
    redis: RedisServer
    folder: Path
    ports: list[int]

    @property
    def env(self) -> dict[str, str]:
        return {
            "SOHOSOLO_DATABASE_URL": self.database_url,
            "SOHOSOLO_REDIS_URL": self.redis.url,
            "SOHOSOLO_STAFF_API_KEYS": STAFF_KEY,
            "SOHOSOLO_ANALYST_API_KEYS": ANALYST_KEY,
            "SOHOSOLO_RATE_LIMIT": f"{LIMIT}/minute",
            "SOHOSOLO_SIGNIN_ACCOUNT_LIMIT": f"{ACCOUNT_LIMIT}/15 minutes",
            "SOHOSOLO_SIGNIN_MAX_DELAY_SECONDS": "0.01",
        }

    def log(self, port: int) -> str:
        return (self.folder / f"server-{port}.log").read_text()


#: What the README's guide gives each server: trust the proxy in front (here, this machine).
SERVE_ARGS = ("--forwarded-allow-ips", "127.0.0.1")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("cluster")
    redis = RedisServer(folder)
    redis.start()
    with ExitStack() as stack:
        stack.callback(redis.stop)
        database_url = stack.enter_context(postgres_database())
        found = Cluster(database_url, redis, folder, [])
        for _ in range(2):
            port, _process = stack.enter_context(served(folder, found.env, SERVE_ARGS))
            found.ports.append(port)
        yield found


def test_an_address_gets_the_limit_across_both_servers_not_twice(cluster: Cluster) -> None:
    address = {"X-Forwarded-For": new_address()}
    answers = [rank(port, address).status for port in cluster.ports * LIMIT]
    assert answers.count(200) == LIMIT
    assert answers[LIMIT:] == [429] * LIMIT
    # Counted per address, as the proxy names it: another one is not held back.
    assert rank(cluster.ports[1], {"X-Forwarded-For": new_address()}).status == 200


def test_a_client_cannot_choose_its_address_by_sending_the_header(cluster: Cluster) -> None:
    """A proxy appends the address it saw to what the client sent; uvicorn takes the last
    one it does not trust, so that addresses made up in front of it change nothing."""
    address = new_address()
    answers = [
        rank(port, {"X-Forwarded-For": f"{new_address()}, {address}"}).status
        for port in cluster.ports * LIMIT
    ]
    assert answers.count(200) == LIMIT


def test_failed_sign_ins_are_counted_across_both_servers(cluster: Cluster) -> None:
    attempt = {"email": f"nobody-{time.time_ns()}@example.org", "password": "not the password"}
    address = {"X-Forwarded-For": new_address()}
    statuses = [
        call(port, "POST", "/v1/session", attempt, address).status
        for port in cluster.ports * (ACCOUNT_LIMIT // 2)
    ]
    assert statuses == [401] * ACCOUNT_LIMIT
    for port in cluster.ports:
        refused = call(port, "POST", "/v1/session", attempt, {"X-Forwarded-For": new_address()})
        assert refused.status == 429, refused.body
        assert int(refused.headers["retry-after"]) > 0


def test_a_session_opened_on_one_server_works_on_the_other(cluster: Cluster) -> None:
    store = Store(cluster.database_url)
    try:
        accounts = Accounts(store, Settings(database_url=cluster.database_url))
        email = f"marie-{time.time_ns()}@example.org"
        invitation = accounts.invite(email, "Marie", "staff", [], "test", "http://proxy")
    finally:
        store.dispose()
    first, second = cluster.ports
    token = invitation.url.rsplit("/", 1)[1]
    password = {"password": "a long passphrase of my own 7"}
    assert call(first, "POST", f"/v1/invitations/{token}", password).status == 201
    signed = call(first, "POST", "/v1/session", {"email": email, **password})
    assert signed.status == 200, signed.body
    cookie = {"Cookie": signed.headers["set-cookie"].split(";", 1)[0]}
    mine = call(second, "GET", "/v1/session", headers=cookie)
    assert mine.status == 200
    assert mine.body["account_id"] == invitation.account.id
    csrf = {**cookie, "X-CSRF-Token": signed.body["csrf_token"]}
    assert call(second, "DELETE", "/v1/session", headers=csrf).status == 204
    assert call(first, "GET", "/v1/session", headers=cookie).status == 401


def test_a_home_added_through_one_server_is_in_the_next_ranking_of_the_other(
    cluster: Cluster,
) -> None:
    first, second = cluster.ports
    before = rank(second, STAFF).body
    assert DEAR in {v["insee"] for v in before["excluded"]}
    home = {"tenure": "rent", "price_eur": 600, "bedrooms": 3}
    assert call(first, "POST", f"/v1/villages/{DEAR}/homes", home, STAFF).status == 201
    after = rank(second, STAFF).body
    (result,) = [r for r in after["results"] if r["insee"] == DEAR]
    assert any("1 home on offer within your budget" in reason for reason in result["reasons"])


def test_weights_changed_through_one_server_rank_from_the_next_request_of_the_other(
    cluster: Cluster,
) -> None:
    first, second = cluster.ports
    analyst = {"X-API-Key": ANALYST_KEY}
    current = call(second, "GET", "/v1/weights", headers=analyst).body
    changed = {"name": f"tuned-{time.time_ns()}", "weights": current["weights"] | {"health": 3}}
    stored = call(first, "PUT", "/v1/weights", changed, analyst)
    assert stored.status == 200, stored.body
    assert rank(second, STAFF).body["model"]["name"] == changed["name"]
    assert call(second, "GET", "/v1/health").body["model"]["version"] == stored.body["version"]


def test_villages_shown_are_counted_once_across_both_servers(cluster: Cluster) -> None:
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    time.sleep(2.5)  # past ``since``: only this test's rankings count from there
    for port in cluster.ports * 3:
        assert rank(port, STAFF).status == 200
    time.sleep(2.5)  # each server writes its counts once a second
    exposure = call(cluster.ports[0], "GET", f"/v1/exposure?since={since}", headers=STAFF)
    assert exposure.status == 200, exposure.body
    assert exposure.body["rankings"] == 6


def test_killing_one_server_loses_no_acknowledged_write(cluster: Cluster) -> None:
    """A third server joins, takes writes from four clients and is killed (SIGKILL) among
    them; every listing it acknowledged is in the database the others read."""
    survivor = cluster.ports[0]
    with served(cluster.folder, cluster.env, SERVE_ARGS) as (port, process):
        acknowledged: list[int] = []
        lock = threading.Lock()

        def write() -> None:
            home = {"tenure": "buy", "price_eur": 150000, "bedrooms": 2}
            while True:
                try:
                    answer = call(port, "POST", f"/v1/villages/{DEAR}/homes", home, STAFF)
                except OSError:
                    return  # the server is gone
                assert answer.status == 201, answer.body
                with lock:
                    acknowledged.append(answer.body["id"])

        writers = [threading.Thread(target=write) for _ in range(4)]
        for writer in writers:
            writer.start()
        while len(acknowledged) < 30:
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)
        for writer in writers:
            writer.join(timeout=60)
        process.wait()
    listed = call(survivor, "GET", f"/v1/villages/{DEAR}/homes", headers=STAFF)
    assert listed.status == 200
    assert set(acknowledged) <= {home["id"] for home in listed.body["homes"]}
    assert rank(survivor, {"X-Forwarded-For": new_address()}).status == 200


def test_with_redis_down_both_servers_answer_then_count_in_redis_again(cluster: Cluster) -> None:
    cluster.redis.stop()
    try:
        address = {"X-Forwarded-For": new_address()}
        # Each server counts alone meanwhile: the limit holds per server, rankings go on.
        for port in cluster.ports:
            answers = [rank(port, address).status for _ in range(LIMIT + 1)]
            assert answers == [200] * LIMIT + [429]
            assert call(port, "GET", "/v1/health").status == 200
            assert f"Redis at {cluster.redis.url} does not answer" in cluster.log(port)
    finally:
        cluster.redis.start()
    time.sleep(RETRY_SECONDS + 0.5)
    test_an_address_gets_the_limit_across_both_servers_not_twice(cluster)
    for port in cluster.ports:
        log = cluster.log(port)
        assert log.count("does not answer") == 1
        assert "answers again" in log
