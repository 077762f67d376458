"""Speed of the matcher in-process, against a bare numpy baseline run alongside.

    python bench/recommend.py [--repeat 2000] [--batch 10000]

Figures (issue 3 targets):
- one prospect over the 52 partners: scoring and ranking (median), and the full response with
  reasons, exclusions and suggestions (median), for one persona repeated and for varied
  simulated prospects; target under 0.5 ms;
- a batch of 10,000 prospects in one call: scoring and ranking, and full responses; target
  under 2 s.
Each is also given as a ratio to a bare numpy matrix product of the same shape
((prospects x criteria) @ (criteria x villages)), timed in the same run: the floor no scorer
of that shape can beat.
"""

import argparse
import gc
import itertools
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

import geodata
from features.personas import PERSONAS
from matcher import Recommender
from matcher.evaluate import top_k
from matcher.simulate import simulate_profiles

PERSONA = PERSONAS["developer_family"]


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up: caches, lazy imports
    times = []
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return statistics.median(times)


def matrix_product(n_prospects: int, n_villages: int, n_criteria: int) -> Callable[[], object]:
    rng = np.random.default_rng(0)
    a, b = rng.random((n_prospects, n_criteria)), rng.random((n_criteria, n_villages))
    return lambda: a @ b


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeat", type=int, default=2000, help="runs of each single-prospect figure"
    )
    parser.add_argument("--batch", type=int, default=10_000, help="prospects in the batch")
    args = parser.parse_args()

    villages = geodata.read_villages()
    partners = villages[villages["partner"]]
    recommender = Recommender(partners)
    matcher = recommender.matcher
    n_v, n_c = len(partners), len(matcher.weights_)
    batch = simulate_profiles(args.batch, random_state=0)

    # The same persona again and again reuses its cached sentences; varied prospects show the
    # cost when new sentences are written too.
    varied = itertools.cycle(batch)

    def score_one() -> object:
        return top_k(matcher.evaluate([PERSONA]).ranking_scores(), 10)

    def score_batch() -> object:
        return top_k(matcher.evaluate(batch).ranking_scores(), 10)

    one, many = matrix_product(1, n_v, n_c), matrix_product(args.batch, n_v, n_c)
    rows = [
        ("one prospect, scores and top 10", median_seconds(score_one, args.repeat), 0.5e-3, one),
        (
            "one prospect, full response",
            median_seconds(lambda: recommender.recommend([PERSONA]), args.repeat),
            0.5e-3,
            one,
        ),
        (
            "one prospect, full response, varied",
            median_seconds(lambda: recommender.recommend([next(varied)]), args.repeat),
            0.5e-3,
            one,
        ),
        (f"{args.batch:,} prospects, scores and top 10", median_seconds(score_batch, 3), 2.0, many),
        (
            f"{args.batch:,} prospects, full responses",
            median_seconds(lambda: recommender.recommend(batch), 3),
            2.0,
            many,
        ),
    ]
    machine = platform.processor() or platform.machine()
    print(
        f"matcher over {n_v} partner villages, {n_c} criteria; {machine}, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"{'figure':<38} {'median':>11} {'target':>9} {'ok':>3} {'x numpy baseline':>17}")
    for name, seconds, target, product in rows:
        baseline = median_seconds(product, args.repeat if product is one else 3)
        ok = "yes" if seconds < target else "NO"
        print(
            f"{name:<38} {_fmt(seconds):>11} {_fmt(target):>9} {ok:>3} {seconds / baseline:>16.0f}x"
        )


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
