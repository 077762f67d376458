"""Mixed traffic across two server processes over one PostgreSQL and one Redis, beside the same
traffic to one such process in the same run: errors, and p99 per endpoint against one process.

    SOHOSOLO_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python bench/cluster.py [--rate 100] [--duration 30] [--connections 32] [--seed 7]

The PostgreSQL server is one where the script may create and drop databases (each run gets a
fresh one); Redis is a ``redis-server`` of the script's own, on loopback. Each server is one
uvicorn worker as ``web.server`` starts it, with the rate limit on (counted in Redis, set far
above the load so that it refuses nothing) and a staff and a committee key. The traffic, in
these shares, sent open loop (``load.open_loop``) to the servers in turn, as a round-robin
proxy would:

- ``POST /v1/recommendations`` 50 %, public (each counted in Redis): personas and simulated
  profiles, k 3, 5 or 10, French or English;
- ``GET /v1/villages/{insee}`` 15 %, public;
- ``POST /v1/villages/{insee}/homes`` 5 %, the committee key: a listing added to one of its
  four villages (each raises the model revision: the next request of every server rebuilds
  its model);
- ``POST /v1/villages/{insee}/needs`` 5 %, the committee key: a trade the village needs (the
  same);
- ``GET /v1/villages/{insee}/homes`` 10 %, staff: a village's listings;
- ``GET /v1/prospects/{id}`` 10 %, staff: one of 30 stored prospects;
- ``GET /v1/exposure`` 5 %, staff: the villages shown (each server writes its counts first).
"""

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from figures import Figure, machine, table
from load import STAFF_KEY, Call, Report, detail, http_message, request_json, run_load
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from web import server

from features.personas import PERSONAS
from matcher.simulate import simulate_profiles

RATE = 100.0
COMMITTEE_KEY = "bench-committee-key-000000000001"
#: The committee key's villages: partners of the packaged list.
COMMITTEE_VILLAGES = ("32436", "32242", "32426", "32210")
ENDPOINTS = (
    "POST /v1/recommendations",
    "GET /v1/villages/{insee}",
    "POST /v1/villages/{insee}/homes",
    "POST /v1/villages/{insee}/needs",
    "GET /v1/villages/{insee}/homes",
    "GET /v1/prospects/{id}",
    "GET /v1/exposure",
)
SHARES = (0.50, 0.15, 0.05, 0.05, 0.10, 0.10, 0.05)
PROSPECTS = 30


def admin_url() -> str:
    url = os.environ.get("SOHOSOLO_TEST_POSTGRES_URL")
    if not url:
        raise RuntimeError(
            "set SOHOSOLO_TEST_POSTGRES_URL to a PostgreSQL server where the benchmark may "
            "create databases (.ci/run starts one)"
        )
    return url


@contextmanager
def database() -> Iterator[str]:
    """A new PostgreSQL database, dropped on the way out."""
    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    name = f"sohosolo_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def redis(folder: Path) -> Iterator[str]:
    """A ``redis-server`` on loopback and a free port, keeping nothing on disk."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError("redis-server not found: apt-get install redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    process = subprocess.Popen(
        [*command, "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not answer") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


def cluster_calls(url: str, count: int, seed: int) -> list[Call]:
    """``count`` requests in the shares of the module's docstring, drawn with ``seed``; the
    prospects the staff read are stored first."""
    rng = random.Random(seed)
    profiles = [p.model_dump(mode="json", exclude_defaults=True) for p in PERSONAS.values()]
    profiles += [
        p.model_dump(mode="json", exclude_defaults=True)
        for p in simulate_profiles(200, random_state=seed)
    ]
    prospects = [
        str(request_json(f"{url}/v1/prospects", {"profile": profile, "consent": True})["id"])  # type: ignore[index]
        for profile in rng.choices(profiles, k=PROSPECTS)
    ]
    villages = request_json(f"{url}/v1/villages?partner=true")
    assert isinstance(villages, list)
    partners = [str(v["insee"]) for v in villages]
    staff = {"X-API-Key": STAFF_KEY}
    committee = {"X-API-Key": COMMITTEE_KEY}

    def ranking() -> bytes:
        path = f"/v1/recommendations?k={rng.choice((3, 5, 10))}&lang={rng.choice(('fr', 'en'))}"
        return http_message("POST", path, rng.choice(profiles))

    def village() -> bytes:
        return http_message("GET", f"/v1/villages/{rng.choice(partners)}")

    def new_home() -> bytes:
        home = {"tenure": rng.choice(("buy", "rent")), "bedrooms": rng.randint(1, 5)}
        home["price_eur"] = rng.randint(100, 300) * 1000 if home["tenure"] == "buy" else 600
        path = f"/v1/villages/{rng.choice(COMMITTEE_VILLAGES)}/homes"
        return http_message("POST", path, home, committee)

    def new_need() -> bytes:
        need = {"kind": "trade", "professions": [rng.choice(("architect", "accountant"))]}
        path = f"/v1/villages/{rng.choice(COMMITTEE_VILLAGES)}/needs"
        return http_message("POST", path, need, committee)

    def homes() -> bytes:
        return http_message("GET", f"/v1/villages/{rng.choice(partners)}/homes", None, staff)

    def prospect() -> bytes:
        return http_message("GET", f"/v1/prospects/{rng.choice(prospects)}", None, staff)

    def exposure() -> bytes:
        return http_message("GET", "/v1/exposure", None, staff)

    kinds = (ranking, village, new_home, new_need, homes, prospect, exposure)
    makers: dict[str, Callable[[], bytes]] = dict(zip(ENDPOINTS, kinds, strict=True))
    return [
        Call(endpoint, makers[endpoint]()) for endpoint in rng.choices(ENDPOINTS, SHARES, k=count)
    ]


def run(
    processes: int, duration: float, rate: float, connections: int, seed: int, folder: Path
) -> Report:
    """The load on ``processes`` servers over a fresh database and one Redis."""
    with ExitStack() as stack:
        env = {
            "SOHOSOLO_DATABASE_URL": stack.enter_context(database()),
            "SOHOSOLO_REDIS_URL": stack.enter_context(redis(folder)),
            "SOHOSOLO_RATE_LIMIT": "100000000/minute",  # counted in Redis, never reached
            "SOHOSOLO_STAFF_API_KEYS": STAFF_KEY,
            "SOHOSOLO_COMMITTEE_API_KEYS": f"{COMMITTEE_KEY}@{'+'.join(COMMITTEE_VILLAGES)}",
        }
        urls = [
            stack.enter_context(server("served:app_factory", folder, env))[0]
            for _ in range(processes)
        ]
        ports = [int(url.rsplit(":", 1)[1]) for url in urls]
        calls = cluster_calls(urls[0], round(duration * rate), seed)
        # Warm-up, untimed: the first request of each kind pays for lazy imports.
        run_load("127.0.0.1", ports, cluster_calls(urls[0], 100, seed + 1), rate, connections)
        return run_load("127.0.0.1", ports, calls, rate, connections)


def measure(
    duration: float = 30.0, rate: float = RATE, connections: int = 32, seed: int = 7
) -> tuple[Report, Report]:
    """The same load on one process, then on two: their reports."""
    with tempfile.TemporaryDirectory(prefix="sohosolo-cluster-") as folder:
        one = run(1, duration, rate, connections, seed, Path(folder))
        two = run(2, duration, rate, connections, seed, Path(folder))
    return one, two


def figures(one: Report, two: Report) -> list[Figure]:
    at = f"two servers, PostgreSQL and Redis, {two.rate:,.0f} req/s"
    out = [
        Figure(
            label,
            report.overall.count - report.overall.errors,
            "requests",
            "all",
            report.overall.errors == 0,
            "sent",
            report.overall.count,
        )
        for label, report in ((f"{at}: 2xx answers", two), ("  one server: 2xx answers", one))
    ]
    single = {s.endpoint: s for s in one.summaries}
    for summary in two.summaries:
        base = single[summary.endpoint].p99 if summary.endpoint in single else float("nan")
        label = f"  two servers: {summary.endpoint} p99"
        out.append(Figure(label, summary.p99, "s", "", None, "one server", base))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load, each run")
    parser.add_argument("--rate", type=float, default=RATE, help="requests a second, all endpoints")
    parser.add_argument("--connections", type=int, default=32, help="most connections a server")
    parser.add_argument("--seed", type=int, default=7, help="draws the requests")
    args = parser.parse_args()
    started = time.monotonic()
    one, two = measure(args.duration, args.rate, args.connections, args.seed)
    print(machine())
    print(f"one server:\n{detail(one)}\n\ntwo servers:\n{detail(two)}")
    print(table(figures(one, two)))
    print(f"{time.monotonic() - started:.0f} s")
    return 1 if one.overall.errors or two.overall.errors else 0


if __name__ == "__main__":
    sys.exit(main())
