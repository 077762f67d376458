"""Mixed traffic at a constant arrival rate: errors and latency percentiles per endpoint.

    python bench/load.py [--rate 100] [--duration 60] [--connections 64] [--seed 7]

One uvicorn worker serves the app as ``sohosolo serve`` does (``web.server``: a fresh SQLite
database, loopback), with a staff key and no rate limit (every request comes from one
address). The traffic is what the prospection site and the staff send, in these shares:

- ``POST /v1/recommendations`` 50 %: the six personas and 200 simulated profiles
  (``matcher.simulate``), k 3, 5 or 10, French or English;
- ``GET /v1/villages/{insee}`` 20 %: a partner village three times in four, else any commune;
- ``GET /v1/villages`` 15 %: the partners four times in five, else all 458 communes;
- ``POST /v1/outcomes`` 15 %: staff recording what one of 30 stored prospects did (shortlisted
  60 %, visited 30 %, settled 7 %, left 3 %; settled and left raise the model revision, so the
  next ranking rebuilds the recommender, as in production). Settlements and departures follow
  the outcome rules: a departure from where the prospect lives (else a settlement), a repeated
  settlement where they live; a repeat of any event answers 200.

Open loop: request i is due at start + i / rate, whatever the server does, and its latency runs
from that due time to the end of its answer. A server that stalls is charged for every request
that waited behind the stall (no coordinated omission), and so is a client that falls behind
(its lag behind the schedule is reported too). The client is asyncio on uvloop with httptools,
the parser uvicorn uses, on up to ``--connections`` keep-alive connections: a few tens of
microseconds a request, so one core keeps up with thousands of requests a second.

Any answer other than 2xx, and any transport error or timeout, is an error; the script exits
with status 1 if there was any. Before the load, FastAPI's hello world in the same server is
sent the same open-loop rate (``served.py``): the latency floor of the framework and the client.
"""

import argparse
import asyncio
import itertools
import json
import random
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httptools
import numpy as np
import uvloop
from figures import Figure, machine, show, table
from served import HELLO_PATH
from web import server

from features.personas import PERSONAS
from matcher.simulate import simulate_profiles

#: The stated rate, all endpoints together: see bench/README.md for why.
RATE = 100.0
STAFF_KEY = "bench-staff-key-0000000000000001"
SERVER_ENV = {"SOHOSOLO_STAFF_API_KEYS": STAFF_KEY, "SOHOSOLO_RATE_LIMIT": "off"}
TIMEOUT_SECONDS = 30.0
ENDPOINTS = (
    "POST /v1/recommendations",
    "GET /v1/villages/{insee}",
    "GET /v1/villages",
    "POST /v1/outcomes",
)
SHARES = (0.50, 0.20, 0.15, 0.15)
EVENTS = (("shortlisted", 0.60), ("visited", 0.30), ("settled", 0.07), ("left", 0.03))
PROSPECTS = 30


@dataclass(frozen=True)
class Call:
    endpoint: str
    message: bytes  # the whole HTTP/1.1 request


@dataclass
class Result:
    """What became of one request: its latency from its due time, or its error."""

    endpoint: str
    latency: float  # seconds, from the due time to the end of the answer (or the error)
    lag: float  # seconds the client sent it after its due time
    error: str | None  # None for a 2xx answer


@dataclass(frozen=True)
class Summary:
    endpoint: str
    count: int
    errors: int
    p50: float
    p90: float
    p99: float
    max: float
    # Answered per second from the first due time to the last answer: the last answer's
    # latency makes it a little under the scheduled rate on short runs even when the server
    # keeps up, and far under it when the server falls behind.
    rate: float


@dataclass(frozen=True)
class Report:
    rate: float  # scheduled, per second
    duration: float  # seconds from the first due time to the last answer
    summaries: list[Summary]  # one per endpoint, then "all"
    lag_p99: float
    lag_max: float
    errors: dict[str, int] = field(default_factory=dict)  # kinds of error, and how many

    @property
    def overall(self) -> Summary:
        return self.summaries[-1]


class _Answer:
    """httptools' callbacks: only the end of the message matters here."""

    def __init__(self) -> None:
        self.complete = False

    def on_message_complete(self) -> None:
        self.complete = True


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.reusable = True

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def exchange(self, message: bytes) -> int:
        """Send one request and read its whole answer; its status code."""
        self.writer.write(message)
        answer = _Answer()
        parser = httptools.HttpResponseParser(answer)
        while not answer.complete:
            data = await self.reader.read(65536)
            if not data:
                raise ConnectionError("the server closed the connection before answering")
            parser.feed_data(data)
        self.reusable = parser.should_keep_alive()
        return int(parser.get_status_code())

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Keep-alive connections, opened as needed up to ``size``; a request that finds none free
    waits for one, and that wait counts in its latency."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host = host
        self.port = port
        self.slots = asyncio.Semaphore(size)
        self.idle: list[Connection] = []

    async def exchange(self, message: bytes) -> int:
        async with self.slots:
            if self.idle:
                connection = self.idle.pop()
            else:
                connection = await Connection.open(self.host, self.port)
            try:
                status = await connection.exchange(message)
            except BaseException:
                connection.close()
                raise
            if connection.reusable:
                self.idle.append(connection)
            else:
                connection.close()
            return status

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()


def http_message(
    method: str, path: str, body: object = None, headers: dict[str, str] | None = None
) -> bytes:
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json"]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def request_json(url: str, body: object = None) -> object:
    """One request outside the load (setting up): its JSON answer; raises on any error."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "X-API-Key": STAFF_KEY}
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return json.load(response)


def mixed_calls(url: str, count: int, seed: int) -> list[Call]:
    """``count`` requests in the shares of the module's docstring, drawn with ``seed``; the
    prospects the outcomes name are stored first."""
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
    villages = request_json(f"{url}/v1/villages")
    assert isinstance(villages, list)
    communes = [str(v["insee"]) for v in villages]
    partners = [str(v["insee"]) for v in villages if v["partner"]]
    staff = {"X-API-Key": STAFF_KEY}
    events, event_shares = zip(*EVENTS, strict=True)

    def recommendation() -> bytes:
        k = rng.choice((3, 5, 10))
        lang = rng.choice(("fr", "en"))
        path = f"/v1/recommendations?k={k}&lang={lang}"
        return http_message("POST", path, rng.choice(profiles))

    def village() -> bytes:
        insee = rng.choice(partners) if rng.random() < 0.75 else rng.choice(communes)
        return http_message("GET", f"/v1/villages/{insee}")

    def village_list() -> bytes:
        partners_only = rng.random() < 0.8
        return http_message("GET", "/v1/villages?partner=true" if partners_only else "/v1/villages")

    homes: dict[str, str] = {}  # where each prospect lives, as the outcomes sent say
    movers = itertools.cycle(prospects)

    def outcome() -> bytes:
        event = rng.choices(events, event_shares)[0]
        if event in ("settled", "left"):
            body = move(next(movers), event)
        else:  # a repeat of one of these answers 200 with the first
            body = {"prospect_id": rng.choice(prospects), "insee": rng.choice(partners)}
            body["event"] = event
        return http_message("POST", "/v1/outcomes", body, staff)

    def move(prospect_id: str, event: str) -> dict[str, str]:
        """A settlement or departure the outcome rules accept in the order sent: the movers
        take turns, so a prospect's two moves are seconds apart and cannot overtake each
        other; a departure is from where the prospect lives, and a settlement is a new home
        only for a prospect who lives nowhere (else a repeat)."""
        if event == "left" and prospect_id in homes:
            return {"prospect_id": prospect_id, "insee": homes.pop(prospect_id), "event": "left"}
        home = homes.setdefault(prospect_id, rng.choice(partners))
        return {"prospect_id": prospect_id, "insee": home, "event": "settled"}

    makers: dict[str, Callable[[], bytes]] = dict(
        zip(ENDPOINTS, (recommendation, village, village_list, outcome), strict=True)
    )
    return [
        Call(endpoint, makers[endpoint]()) for endpoint in rng.choices(ENDPOINTS, SHARES, k=count)
    ]


async def open_loop(
    host: str, ports: Sequence[int], calls: Sequence[Call], rate: float, connections: int
) -> tuple[list[Result], float]:
    """Send ``calls[i]`` at ``i / rate`` seconds from the start, to the servers of ``ports``
    in turn (as a round-robin proxy would; ``connections`` each); the results, and the time
    from the first due time to the last answer."""
    # Not loop.time(): uvloop's clock counts whole milliseconds.
    clock = time.perf_counter
    pools = [Pool(host, port, connections) for port in ports]
    results: list[Result] = []

    async def one(call: Call, due: float, pool: Pool) -> None:
        lag = clock() - due
        error: str | None = None
        try:
            status = await asyncio.wait_for(pool.exchange(call.message), TIMEOUT_SECONDS)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except TimeoutError:
            error = f"no answer within {TIMEOUT_SECONDS:.0f} s"
        except (OSError, httptools.HttpParserError) as exc:
            error = type(exc).__name__
        results.append(Result(call.endpoint, clock() - due, lag, error))

    start = clock() + 0.05
    tasks = []
    try:
        for i, call in enumerate(calls):
            due = start + i / rate
            # The loop's timers round to the millisecond: never send before the due time,
            # which would hide part of the latency.
            while (delay := due - clock()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(call, due, pools[i % len(pools)])))
        await asyncio.gather(*tasks)
    finally:
        for pool in pools:
            pool.close()
    return results, clock() - start


def run_load(
    host: str, ports: Sequence[int], calls: Sequence[Call], rate: float, connections: int
) -> Report:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        results, duration = runner.run(open_loop(host, ports, calls, rate, connections))
    return summarise(results, duration, rate)


def summarise(results: Sequence[Result], duration: float, rate: float) -> Report:
    def summary(endpoint: str, chosen: Sequence[Result]) -> Summary:
        latency = np.array([o.latency for o in chosen]) if chosen else np.zeros(1)
        p50, p90, p99 = (float(v) for v in np.percentile(latency, [50, 90, 99]))
        errors = sum(o.error is not None for o in chosen)
        return Summary(
            endpoint,
            len(chosen),
            errors,
            p50,
            p90,
            p99,
            float(latency.max()),
            len(chosen) / duration,
        )

    present = dict.fromkeys(o.endpoint for o in results)
    order = [e for e in ENDPOINTS if e in present] + [e for e in present if e not in ENDPOINTS]
    summaries = [summary(e, [o for o in results if o.endpoint == e]) for e in order]
    summaries.append(summary("all", results))
    lag = np.array([o.lag for o in results]) if results else np.zeros(1)
    errors: dict[str, int] = {}
    for o in results:
        if o.error is not None:
            kind = f"{o.endpoint}: {o.error}"
            errors[kind] = errors.get(kind, 0) + 1
    return Report(
        rate, duration, summaries, float(np.percentile(lag, 99)), float(lag.max()), errors
    )


def hello_calls(count: int) -> list[Call]:
    return [Call("GET hello world", http_message("GET", HELLO_PATH))] * count


def measure(
    duration: float = 60.0,
    rate: float = RATE,
    connections: int = 64,
    seed: int = 7,
    baseline_duration: float = 10.0,
) -> tuple[Report, Report]:
    """The mixed load, and hello world at the same rate before it, on one fresh server."""
    with (
        tempfile.TemporaryDirectory(prefix="sohosolo-load-") as folder,
        server("served:app_factory", Path(folder), SERVER_ENV) as (url, _pid),
    ):
        ports = [int(url.rsplit(":", 1)[1])]
        calls = mixed_calls(url, round(duration * rate), seed)
        # Warm-up, untimed: the first request of each kind pays for lazy imports.
        run_load("127.0.0.1", ports, mixed_calls(url, 100, seed + 1), rate, connections)
        hello_count = round(baseline_duration * rate)
        hello = run_load("127.0.0.1", ports, hello_calls(hello_count), rate, connections)
        mixed = run_load("127.0.0.1", ports, calls, rate, connections)
    return mixed, hello


def figures(report: Report, hello: Report) -> list[Figure]:
    overall = report.overall
    floor = hello.overall
    answered = overall.count - overall.errors
    at = f"mixed load at {report.rate:,.0f} req/s"
    out = [
        Figure(
            f"{at}: answered 2xx",
            answered,
            "requests",
            "all",
            overall.errors == 0,
            "sent",
            overall.count,
        ),
        Figure(
            "  achieved rate",
            overall.rate,
            "req/s",
            ">= 0.95 x scheduled",
            overall.rate >= 0.95 * report.rate,
            "scheduled",
            report.rate,
        ),
    ]
    for name in ("p50", "p90", "p99", "max"):
        value, base = getattr(overall, name), getattr(floor, name)
        out.append(Figure(f"  {name} latency, all", value, "s", "", None, "hello world", base))
    for summary in report.summaries[:-1]:
        for name in ("p50", "p99"):
            value, base = getattr(summary, name), getattr(floor, name)
            label = f"  {summary.endpoint} {name}"
            out.append(Figure(label, value, "s", "", None, "hello world", base))
    return out


def detail(report: Report) -> str:
    """Every endpoint's count, errors, percentiles and rate, as a plain-text table."""
    columns = " ".join(f"{name:>10}" for name in ("p50", "p90", "p99", "max"))
    header = f"{'endpoint':<26} {'count':>7} {'errors':>6} {columns} {'rate':>11}"
    lines = [header, "-" * len(header)]
    for s in report.summaries:
        latencies = " ".join(f"{show(v, 's'):>10}" for v in (s.p50, s.p90, s.p99, s.max))
        rate = show(s.rate, "req/s")
        lines.append(f"{s.endpoint:<26} {s.count:>7,} {s.errors:>6,} {latencies} {rate:>11}")
    lines.append(
        f"scheduled {report.rate:,.0f} req/s for {report.duration:.1f} s; the client sent "
        f"{show(report.lag_p99, 's')} behind schedule at p99, {show(report.lag_max, 's')} at most"
    )
    lines += [f"error: {kind} x {n}" for kind, n in report.errors.items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of mixed load")
    parser.add_argument("--rate", type=float, default=RATE, help="requests a second, all endpoints")
    parser.add_argument("--connections", type=int, default=64, help="most connections at once")
    parser.add_argument("--seed", type=int, default=7, help="draws the requests")
    args = parser.parse_args()
    started = time.monotonic()
    report, hello = measure(args.duration, args.rate, args.connections, args.seed)
    print(machine())
    print(detail(report))
    print(f"hello world at the same rate, before:\n{detail(hello)}")
    print(table(figures(report, hello)))
    print(f"{time.monotonic() - started:.0f} s")
    return 1 if report.overall.errors else 0


if __name__ == "__main__":
    sys.exit(main())
