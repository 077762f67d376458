"""The time the HTTP throughput target leaves the engine, against the time it takes.

    python bench/budget.py [--duration 8] [--connections 16] [--busy 60,90,120]

``web.py``'s target is a ratio to hello world: ``POST /v1/recommendations`` at half its
throughput or more. What that leaves the engine is a time per request, which this measures.
One uvicorn worker has one thread, busy all the time under wrk's load: at half hello world's
rate a request may hold it ``2 / hello`` seconds, of which the rankings route without its
ranking (``served.py``'s copy: the same parsing, validation and answer bytes)
takes ``1 / unranked``; the rest is the time left. The same copy is then made to hold the
thread N µs more per request (a busy wait, as a ranking holds it), for each N, beside the
rate that sum predicts for it. Last, in the same server under the same load, the rankings
route's own work (the ranking, the exposure count, the JSON answer), timed inside the server
by a copy of the route: its mean is what the time left must cover.
"""

import argparse
import json
import tempfile
import urllib.request
from pathlib import Path

from figures import Figure, machine, table
from served import BUSY_QUERY, HELLO_PATH, TIMED_PATH, UNRANKED_PATH
from web import PROFILE, THROUGHPUT_RATIO, Load, check_errors, meets_throughput, server, wrk

BUSY_MICROSECONDS = (60, 90, 120)


def time_left(hello_per_second: float, unranked_per_second: float) -> float:
    """Seconds a request may add to the route without its ranking, at the target's rate."""
    return 1.0 / (THROUGHPUT_RATIO * hello_per_second) - 1.0 / unranked_per_second


def predicted_rate(unranked_per_second: float, added_seconds: float) -> float:
    """The rate of the route without its ranking if each request held the thread longer."""
    return 1.0 / (1.0 / unranked_per_second + added_seconds)


def figures(
    duration: float = 8.0, connections: int = 16, busy: tuple[int, ...] = BUSY_MICROSECONDS
) -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="sohosolo-budget-") as folder,
        server("served:app_factory", Path(folder)) as (url, _),
    ):
        hello = wrk(url + HELLO_PATH, duration, connections, None)
        unranked = wrk(url + UNRANKED_PATH + "?k=10", duration, connections, PROFILE)
        waits: dict[int, Load] = {}
        for n in busy:
            path = f"{UNRANKED_PATH}?k=10&{BUSY_QUERY}={n}"
            waits[n] = wrk(url + path, duration, connections, PROFILE)
        ranked = wrk(url + TIMED_PATH + "?k=10", duration, connections, PROFILE)
        with urllib.request.urlopen(url + TIMED_PATH) as answer:
            work = json.load(answer)
    check_errors(
        {"hello world": hello, "unranked": unranked, "timed route": ranked}
        | {f"busy {n} µs": load for n, load in waits.items()}
    )
    # wrk counts the answers it read; the server may have timed a few more, still in flight.
    if work["requests"] < ranked.requests:
        raise RuntimeError(
            f"the timed route recorded {work['requests']} of {ranked.requests} requests"
        )
    hello_rate, unranked_rate = hello.requests_per_second, unranked.requests_per_second
    left = time_left(hello_rate, unranked_rate)
    found = [
        Figure("without the ranking", unranked_rate, "req/s", "", None, "hello world", hello_rate),
        Figure(
            "  the time a request may add at the target",
            left,
            "s",
            "",
            None,
            "a request at the target",
            1.0 / (THROUGHPUT_RATIO * hello_rate),
        ),
    ]
    for n, load in waits.items():
        predicted = predicted_rate(unranked_rate, n * 1e-6) / hello_rate
        found.append(
            Figure(
                f"without the ranking, + {n} µs (sum: {predicted:.2f}x)",
                load.requests_per_second,
                "req/s",
                f">= {THROUGHPUT_RATIO} x baseline",
                meets_throughput(load, hello),
                "hello world",
                hello_rate,
            )
        )
    found += [
        Figure(
            "POST recommendations (its timed copy)",
            ranked.requests_per_second,
            "req/s",
            f">= {THROUGHPUT_RATIO} x baseline",
            meets_throughput(ranked, hello),
            "hello world",
            hello_rate,
        ),
        Figure(
            "  its own work under that load, mean",
            work["mean_seconds"],
            "s",
            f"<= {max(left, 0.0) * 1e6:.0f} µs",
            work["mean_seconds"] <= left,
            "time left at the target",
            left,
        ),
        Figure(
            "  the same, median",
            work["median_seconds"],
            "s",
            "",
            None,
            "time left at the target",
            left,
        ),
    ]
    return found


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
