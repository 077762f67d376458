"""Whether ``RankingRoute`` earns its keep: ``POST /v1/recommendations`` through the route
class, and the same endpoint through FastAPI's own request handler, in the same server, loaded
alternately.

    python bench/route_class.py [--rounds 3] [--duration 8] [--connections 16]

Each round loads hello world, the route with its class and the route without it (``served.py``'s
copy at the front of the routes, as the rankings route is), each for ``duration`` seconds; the
order of the two rankings loads alternates from round to round, so that a drift of the machine
falls on both.
"""

import argparse
import statistics
import tempfile
from pathlib import Path

from figures import machine
from served import HELLO_PATH, STANDARD_PATH
from web import PROFILE, RECOMMEND_PATH, Load, check_errors, server, wrk

#: The route class stays if it answers at least this much more than FastAPI's handler.
KEEP_GAIN = 0.20


def measure(rounds: int, duration: float, connections: int) -> dict[str, list[Load]]:
    paths = {"with RankingRoute": RECOMMEND_PATH, "FastAPI's handler": STANDARD_PATH + "?k=10"}
    loads: dict[str, list[Load]] = {"hello world": [], **{name: [] for name in paths}}
    with (
        tempfile.TemporaryDirectory(prefix="sohosolo-route-class-") as folder,
        server("served:app_factory", Path(folder)) as (url, _),
    ):
        wrk(url + RECOMMEND_PATH, min(duration, 2.0), connections, PROFILE)  # warm up
        for n in range(rounds):
            loads["hello world"].append(wrk(url + HELLO_PATH, duration, connections, None))
            order = list(paths) if n % 2 == 0 else list(reversed(paths))
            for name in order:
                loads[name].append(wrk(url + paths[name], duration, connections, PROFILE))
                check_errors({name: loads[name][-1]})
    return loads


def report(loads: dict[str, list[Load]]) -> str:
    lines = []
    for name, runs in loads.items():
        rates = [load.requests_per_second for load in runs]
        shown = ", ".join(f"{rate:,.0f}" for rate in rates)
        lines.append(f"{name:<20} {statistics.fmean(rates):>8,.0f} req/s (runs: {shown})")
    hello = statistics.fmean(load.requests_per_second for load in loads["hello world"])
    fast, standard = (
        statistics.fmean(load.requests_per_second for load in loads[name])
        for name in ("with RankingRoute", "FastAPI's handler")
    )
    gain = fast / standard - 1.0
    lines.append(f"ratio to hello world: {fast / hello:.2f}x with, {standard / hello:.2f}x without")
    verdict = "keep it" if gain >= KEEP_GAIN else "remove it"
    lines.append(f"gain of the route class: {gain:+.1%} (under {KEEP_GAIN:.0%}: remove): {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per load")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(machine())
    print(report(measure(args.rounds, args.duration, args.connections)))


if __name__ == "__main__":
    main()
