"""HTTP throughput, latency and memory of the service, against a hello-world endpoint.

    python bench/web.py [--duration 10] [--connections 16]

One uvicorn worker serves the app as ``sohosolo serve`` does (``served.py`` adds FastAPI's
hello world to it), on a fresh SQLite database; wrk (``apt install wrk``) loads it from its
own process over loopback, with one thread, so that on a small machine the load generator
takes one core and the server another. Each endpoint is loaded in turn for the same time at
the same number of connections: first the hello world (the framework's floor), then
``POST /v1/recommendations?k=10`` with a realistic profile, then the same request to a route
that parses and validates it as the rankings route does and answers the same bytes without
ranking (``served.py``): what a request costs but for the engine. The server's resident
memory is read after that load and after rankings of 2,000 distinct simulated profiles (so
that anything kept per request would show), and compared with a bare FastAPI hello-world
process.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from figures import Figure, machine, table
from served import HELLO_PATH, UNRANKED_PATH

from features.personas import PERSONAS
from matcher.simulate import simulate_profiles

BENCH = Path(__file__).resolve().parent
RECOMMEND_PATH = "/v1/recommendations?k=10"
JSON_HEADERS = {"Content-Type": "application/json"}
PROFILE = PERSONAS["developer_family"].model_dump(mode="json", exclude_defaults=True)
#: Targets of issue 6.
THROUGHPUT_RATIO = 0.5
P99_SECONDS = 10e-3
RSS_MB = 200.0


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50: float  # seconds
    p99: float
    requests: int
    errors: int  # non-2xx answers, and connect, read, write and timeout errors


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(
    factory: str, data_dir: Path, env: Mapping[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """A uvicorn process serving ``factory`` (of ``served.py``), with ``env`` added to its
    environment; yields its URL and pid."""
    port = free_port()
    # No rate limit: it would answer the benchmarks' load, all from one address, with 429s.
    env = (
        os.environ
        | {"SOHOSOLO_DATA_DIR": str(data_dir), "SOHOSOLO_RATE_LIMIT": "off"}
        | dict(env or {})
    )
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(BENCH), factory,
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    # The access log stays on, as in production; it goes nowhere.
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + HELLO_PATH, process)
        yield url, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"the server exited with status {process.returncode}:\n{error}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url} within {timeout:.0f} s")


def resident_mb(pid: int) -> float:
    """Resident set size of a process (VmRSS), in MB of 10^6 bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))  # type: ignore[union-attr]
    return kib * 1024 / 1e6


def wrk(url: str, duration: float, connections: int, body: dict[str, object] | None) -> Load:
    """Load ``url`` with wrk (a POST of ``body`` as JSON if given) and parse its report."""
    executable = shutil.which("wrk")
    if executable is None:
        raise RuntimeError("wrk not found: install it (apt install wrk) to measure HTTP figures")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body is not None:
            script.write(
                'wrk.method = "POST"\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(json.dumps(body))}\n"
            )
    command = [executable, "--threads", "1", "--connections", str(connections)]
    command += ["--duration", f"{duration:.0f}s", "--latency", "--script", script.name, url]
    try:
        report = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    return parse_wrk(report)


def parse_wrk(report: str) -> Load:
    def seconds(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]

    def percentile(p: int) -> float:
        found = re.search(rf"^\s+{p}%\s+(\S+)", report, re.MULTILINE)
        return seconds(found.group(1))  # type: ignore[union-attr]

    requests = int(re.search(r"(\d+) requests in", report).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", report)) + sum(
        int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", report)
    )
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))  # type: ignore[union-attr]
    return Load(rate, percentile(50), percentile(99), requests, errors)


def rank_distinct_profiles(url: str, count: int, seed: int = 11) -> None:
    """Rankings of ``count`` distinct simulated profiles, each with its own limit to Auch,
    k and language, one at a time on one connection."""
    rng = random.Random(seed)
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        for profile in simulate_profiles(count, random_state=seed):
            body = profile.model_dump(mode="json", exclude_defaults=True)
            body["preferences"] = body.get("preferences", {}) | {
                "max_minutes_to_auch": rng.randint(1, 240)
            }
            query = f"?k={rng.choice([3, 5, 10])}&lang={rng.choice(['fr', 'en'])}"
            connection.request(
                "POST", RECOMMEND_PATH.split("?")[0] + query, json.dumps(body), JSON_HEADERS
            )
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"a distinct profile got {answer.status}: {body}")
    finally:
        connection.close()


def figures(duration: float = 10.0, connections: int = 16, distinct: int = 2000) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="sohosolo-bench-") as folder:
        with server("served:hello_only", Path(folder) / "bare") as (url, pid):
            wrk(url + HELLO_PATH, min(duration, 3.0), connections, None)
            bare_mb = resident_mb(pid)
        with server("served:app_factory", Path(folder) / "app") as (url, pid):
            hello = wrk(url + HELLO_PATH, duration, connections, None)
            recommend = wrk(url + RECOMMEND_PATH, duration, connections, PROFILE)
            unranked = wrk(url + UNRANKED_PATH + "?k=10", duration, connections, PROFILE)
            rank_distinct_profiles(url, distinct)
            service_mb = resident_mb(pid)
    check_errors({"hello world": hello, "recommendations": recommend, "unranked": unranked})
    at = f"{connections} connections"
    return [
        Figure(
            f"POST recommendations k=10, {at}",
            recommend.requests_per_second,
            "req/s",
            f">= {THROUGHPUT_RATIO} x baseline",
            meets_throughput(recommend, hello),
            "hello world",
            hello.requests_per_second,
        ),
        Figure(
            "  its p50 latency",
            recommend.p50,
            "s",
            "",
            None,
            "hello world",
            hello.p50,
        ),
        Figure(
            "  its p99 latency",
            recommend.p99,
            "s",
            f"< {P99_SECONDS * 1e3:.0f} ms",
            recommend.p99 < P99_SECONDS,
            "hello world",
            hello.p99,
        ),
        Figure(
            "POST recommendations without the ranking",
            unranked.requests_per_second,
            "req/s",
            "",
            None,
            "hello world",
            hello.requests_per_second,
        ),
        Figure(
            "service resident memory after load, varied profiles",
            service_mb,
            "MB",
            f"< {RSS_MB:.0f} MB",
            service_mb < RSS_MB,
            "bare FastAPI",
            bare_mb,
        ),
    ]


def check_errors(loads: Mapping[str, Load]) -> None:
    for name, load in loads.items():
        if load.errors:
            raise RuntimeError(f"{name}: {load.errors} of {load.requests} requests failed")


def meets_throughput(load: Load, hello: Load) -> bool:
    return load.requests_per_second >= THROUGHPUT_RATIO * hello.requests_per_second


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--distinct", type=int, default=2000, help="distinct profiles ranked before the memory"
    )
    args = parser.parse_args()
    print(machine())
    print(table(figures(args.duration, args.connections, args.distinct)))


if __name__ == "__main__":
    main()
