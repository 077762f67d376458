"""The benchmark scripts run and report every figure (their values are not asserted: speed is
measured by the scripts, as ratios, never by timed tests)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BENCH = REPO / "bench"
LOAD_ENDPOINTS = (
    "POST /v1/recommendations",
    "GET /v1/villages/{insee}",
    "GET /v1/villages",
    "POST /v1/outcomes",
)
CLUSTER_ENDPOINTS = (
    "POST /v1/recommendations",
    "POST /v1/villages/{insee}/homes",
    "POST /v1/villages/{insee}/needs",
    "GET /v1/prospects/{id}",
)
WRK_REPORT = """\
Running 10s test @ http://127.0.0.1:8000/v1/recommendations?k=10
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.21ms    3.02ms  41.12ms   80.00%
    Req/Sec     1.95k   210.33     2.31k    71.00%
  Latency Distribution
     50%    7.61ms
     75%    9.02ms
     90%   11.50ms
     99%  950.00us
  19463 requests in 10.01s, 95.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1944.58
Transfer/sec:      9.51MB
"""


def test_wrk_reports_are_read_with_their_units_and_errors() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from web import parse_wrk
    finally:
        sys.path.remove(str(BENCH))
    load = parse_wrk(WRK_REPORT)
    assert load.requests_per_second == 1944.58
    assert load.p50 == pytest.approx(7.61e-3)
    assert load.p99 == pytest.approx(950e-6)
    assert load.requests == 19463
    assert load.errors == 7


@pytest.mark.slow  # runs the benchmark scripts
def test_run_prints_every_figure_with_target_and_baseline(tmp_path: Path) -> None:
    sections = "inprocess,scale,allocation,load"
    if shutil.which("wrk"):
        sections += ",web"
    elif os.environ.get("SOHOSOLO_REQUIRE_WRK") == "1":
        pytest.fail("SOHOSOLO_REQUIRE_WRK=1 but wrk is not installed")
    # Two servers over PostgreSQL and Redis: where both are at hand (.ci/run has both).
    if os.environ.get("SOHOSOLO_TEST_POSTGRES_URL") and shutil.which("redis-server"):
        sections += ",cluster"
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--only", sections, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    names = [f["name"] for f in figures]
    expected = ["scores and top 10", "full ranking", "prospects x 52 partners", "35,000"]
    expected += ["allocation of 1,000", "to the solver's bound", "to greedy", "with needs"]
    expected += ["GET /v1/villages/{insee}/prospects", "POST /v1/allocations of 1,000"]
    expected += ["answered 2xx", "achieved rate", "p99 latency, all", "max latency, all"]
    expected += [f"{endpoint} p99" for endpoint in LOAD_ENDPOINTS]
    if "cluster" in sections:
        expected += ["two servers, PostgreSQL and Redis", "one server: 2xx answers"]
        expected += [f"two servers: {endpoint} p99" for endpoint in CLUSTER_ENDPOINTS]
    if "web" in sections:
        expected += ["POST recommendations", "p50", "p99", "without the ranking", "resident memory"]
    for part in expected:
        assert any(part in name for name in names), part
        assert part in done.stdout
    for figure in figures:
        assert figure["value"] > 0
        assert figure["baseline"] > 0
        assert figure["ratio"] == pytest.approx(figure["value"] / figure["baseline"])
        if figure["target"]:
            assert figure["met"] in (True, False)
    assert "targets met" in done.stdout
    # The quick load: every request answered 2xx, at the rate scheduled; its per-endpoint table.
    (answered,) = [f for f in figures if f["name"].endswith("answered 2xx")]
    assert answered["met"] is True
    assert answered["value"] == answered["baseline"]
    for endpoint in LOAD_ENDPOINTS:
        row = next(line for line in done.stdout.splitlines() if line.startswith(endpoint + " "))
        assert row.split()[3] == "0", row  # its errors column
    # Two servers and one, in the same run: every request answered 2xx by both.
    cluster = [f for f in figures if f["name"].endswith("2xx answers")]
    assert len(cluster) == (2 if "cluster" in sections else 0)
    assert all(f["met"] is True and f["value"] == f["baseline"] for f in cluster)


@pytest.mark.slow  # runs the benchmark scripts
def test_run_names_an_unknown_section() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--only", "inprocess,speed"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown section 'speed'" in done.stderr


def test_budget_time_left_is_twice_hello_worlds_time_less_the_unranked_routes() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from budget import predicted_rate, time_left
    finally:
        sys.path.remove(str(BENCH))
    # At 0.5x of 6,406 req/s a request may take 312.2 µs; without the ranking it takes 189.8.
    assert time_left(6406.0, 5270.0) == pytest.approx(122.5e-6, abs=0.1e-6)
    assert time_left(4000.0, 1000.0) < 0  # the route is already too slow without a ranking
    assert predicted_rate(5000.0, 0.0) == pytest.approx(5000.0)
    assert predicted_rate(5000.0, 200e-6) == pytest.approx(2500.0)


@pytest.mark.slow  # runs the benchmark scripts
def test_budget_reports_the_time_left_and_the_routes_own_work() -> None:
    if not shutil.which("wrk"):
        if os.environ.get("SOHOSOLO_REQUIRE_WRK") == "1":
            pytest.fail("SOHOSOLO_REQUIRE_WRK=1 but wrk is not installed")
        pytest.skip("wrk is not installed")
    done = subprocess.run(
        [sys.executable, str(BENCH / "budget.py"), "--duration", "1", "--busy", "40,80"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()

    def microseconds(label: str) -> float:
        (line,) = [line for line in lines if line.lstrip().startswith(label)]
        return float(re.search(r" ([\d,.]+) µs ", line).group(1).replace(",", ""))  # type: ignore[union-attr]

    for label in [
        "without the ranking, + 40 µs (sum: ",
        "without the ranking, + 80 µs (sum: ",
        "POST recommendations (its timed copy)",
    ]:
        assert any(line.startswith(label) for line in lines), label
    assert microseconds("the time a request may add at the target") != 0
    assert microseconds("its own work under that load, mean") > 0
    assert microseconds("the same, median") > 0
