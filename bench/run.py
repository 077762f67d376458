"""Every speed and memory figure of the matcher and the service, with its target and its ratio
to a baseline measured in the same run (see bench/README.md).

    python bench/run.py [--quick] [--only inprocess,scale,...,cluster] [--json F.json]

``--quick`` runs each figure briefly (a smoke test: the figures are noisier); the README's are
from a full run.
"""

import argparse
import json
import sys
import time
from dataclasses import asdict

import allocation
import cluster
import inprocess
import load
import scale
import web
from figures import Figure, machine, table

SECTIONS = ("inprocess", "scale", "allocation", "web", "load", "cluster")


def measure(section: str, quick: bool) -> list[Figure]:
    if section == "inprocess":
        return inprocess.figures(repeat=300 if quick else 2000, batch=20_000 if quick else 100_000)
    if section == "scale":
        return scale.figures(communes=35_000, repeat=30 if quick else 200)
    if section == "allocation":
        return allocation.figures(prospects=1000, repeat=1 if quick else 3)
    if section == "web":
        return web.figures(
            duration=2.0 if quick else 10.0, connections=16, distinct=200 if quick else 2000
        )
    if section == "cluster":
        return cluster_figures(quick)
    report, hello = load.measure(
        duration=3.0 if quick else 60.0, baseline_duration=2.0 if quick else 10.0
    )
    if report.overall.errors:
        raise RuntimeError(f"the mixed load had errors:\n{load.detail(report)}")
    print(f"load, per endpoint:\n{load.detail(report)}\n")
    return load.figures(report, hello)


def cluster_figures(quick: bool) -> list[Figure]:
    one, two = cluster.measure(duration=3.0 if quick else 30.0)
    if one.overall.errors or two.overall.errors:
        raise RuntimeError(f"the load had errors:\n{load.detail(one)}\n{load.detail(two)}")
    print(f"one server:\n{load.detail(one)}\n\ntwo servers:\n{load.detail(two)}\n")
    return cluster.figures(one, two)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="brief runs (a smoke test)")
    parser.add_argument(
        "--only",
        type=lambda text: text.split(","),
        default=list(SECTIONS),
        help=f"comma-separated sections among {', '.join(SECTIONS)}",
    )
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    unknown = [s for s in args.only if s not in SECTIONS]
    if unknown:
        parser.error(f"--only: unknown section {unknown[0]!r}; expected some of {SECTIONS}")
    started = time.monotonic()
    figures = [f for section in args.only for f in measure(section, args.quick)]
    print(machine())
    print(table(figures))
    targets = [f for f in figures if f.met is not None]
    met = sum(bool(f.met) for f in targets)
    print(f"{met} of {len(targets)} targets met; {time.monotonic() - started:.0f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump([asdict(f) | {"ratio": f.ratio} for f in figures], out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
