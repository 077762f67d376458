"""The time the HTTP throughput target leaves the engine, against the time it takes.

    python bench/budget.py [--duration 8] [--connections 16] [--busy 60,90,120,150]

``web.py``'s target is a ratio to hello world: ``POST /v1/recommendations`` at half its
throughput or more. What that leaves the engine is a time per request, which this measures.
One uvicorn worker has one thread, busy all the time under wrk's load: at half hello world's
rate a request may hold it ``2 / hello`` seconds, of which the route without its ranking
(``served.py``'s copy, which parses, validates and answers the same bytes) takes
``1 / unranked``; the rest is the time left. The same copy is then made to hold the thread N
µs more per request (a busy wait, as a ranking holds it), for each N, to show that time is
spent as the sum says. Beside it, in the same server under the same load, the rankings
route's own work (the ranking, the exposure count, the JSON answer), timed inside the server
by a copy of the route.
"""

import argparse
import json
import tempfile
import urllib.request
from pathlib import Path

from figures import Figure, machine, table
from served import BUSY_QUERY, HELLO_PATH, TIMED_PATH, UNRANKED_PATH
from web import PROFILE, THROUGHPUT_RATIO, Load, server, wrk

BUSY_MICROSECONDS = (60, 90, 120)


def figures(
    duration: float = 8.0, connections: int = 16, busy: tuple[int, ...] = BUSY_MICROSECONDS
) -> list[Figure]:
    folder = tempfile.TemporaryDirectory(prefix="sohosolo-budget-")
    with folder, server("served:app_factory", Path(folder.name)) as (url, _):
        hello = wrk(url + HELLO_PATH, duration, connections, None)
        unranked = wrk(url + UNRANKED_PATH + "?k=10", duration, connections, PROFILE)
        waits: dict[int, Load] = {}
        for microseconds in busy:
            query = f"?k=10&{BUSY_QUERY}={microseconds}"
            waits[microseconds] = wrk(url + UNRANKED_PATH + query, duration, connections, PROFILE)
        with urllib.request.urlopen(url + TIMED_PATH) as earlier:
            earlier.read()  # forgets the timings of requests made before this load
        ranked = wrk(url + TIMED_PATH + "?k=10", duration, connections, PROFILE)
        with urllib.request.urlopen(url + TIMED_PATH) as answer:
            work = json.load(answer)
    loads = [("hello world", hello), ("unranked", unranked), ("timed route", ranked)]
    for name, load in loads + [(f"busy {n} µs", load) for n, load in waits.items()]:
        if load.errors:
            raise RuntimeError(f"{name}: {load.errors} of {load.requests} requests failed")
    if work["requests"] < ranked.requests:
        raise RuntimeError(
            f"the timed route recorded {work['requests']} of {ranked.requests} requests"
        )
    at_target = 1.0 / (THROUGHPUT_RATIO * hello.requests_per_second)
    left = at_target - 1.0 / unranked.requests_per_second
    found = [
        Figure(
            "without the ranking",
            unranked.requests_per_second,
            "req/s",
            "",
            None,
            "hello world",
            hello.requests_per_second,
        ),
        Figure(
            "  the time a request may add at the target",
            left,
            "s",
            "",
            None,
            "a request at the target",
            at_target,
        ),
    ]
    found += [
        Figure(
            f"without the ranking, + {n} µs a request",
            load.requests_per_second,
            "req/s",
            f">= {THROUGHPUT_RATIO} x baseline",
            _meets(load, hello),
            "hello world",
            hello.requests_per_second,
        )
        for n, load in waits.items()
    ]
    found.append(
        Figure(
            "POST recommendations (its timed copy)",
            ranked.requests_per_second,
            "req/s",
            f">= {THROUGHPUT_RATIO} x baseline",
            _meets(ranked, hello),
            "hello world",
            hello.requests_per_second,
        )
    )
    found.append(
        Figure(
            "  its own work under that load, median",
            work["median_seconds"],
            "s",
            f"<= {max(left, 0.0) * 1e6:.0f} µs",
            work["median_seconds"] <= left,
            "time left at the target",
            left,
        )
    )
    return found


def _meets(load: Load, hello: Load) -> bool:
    return load.requests_per_second >= THROUGHPUT_RATIO * hello.requests_per_second


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per load")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--busy",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=BUSY_MICROSECONDS,
        help="comma-separated microseconds of busy wait to try",
    )
    args = parser.parse_args()
    print(machine())
    print(table(figures(args.duration, args.connections, args.busy)))


if __name__ == "__main__":
    main()
