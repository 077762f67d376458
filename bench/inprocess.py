"""Speed of the matcher in-process, against a bare numpy baseline run alongside.

    python bench/inprocess.py [--repeat 2000] [--batch 100000]

- One prospect (the developer_family persona, a validated profile) over the 52 partners:
  its criterion values, scores, eligibility and top 10 (median of ``--repeat`` runs); target
  under 100 µs. Also the full ranking with reasons, exclusions and suggestions, as the API
  answers it (no target: the HTTP figures of ``web.py`` hold it to account).
- A batch of ``--batch`` prospects given as a profile table (``features.prospect.profile_table``,
  one row per prospect): scores and top 10 of every one; target under 2 s.

Each is also given as a ratio to a bare numpy matrix product of the same shape,
(prospects x criteria) @ (criteria x villages), timed in the same run: the floor no scorer of
that shape can beat.
"""

import argparse
from collections.abc import Callable

import numpy as np
from figures import Figure, machine, median_seconds, table

import geodata
from features.personas import PERSONAS
from features.prospect import profile_table
from matcher import Recommender
from matcher.evaluate import top_k
from matcher.simulate import simulate_profiles

PERSONA = PERSONAS["developer_family"]
ONE_TARGET = 100e-6
BATCH_TARGET = 2.0


def matrix_product(n_prospects: int, n_villages: int, n_criteria: int) -> Callable[[], object]:
    rng = np.random.default_rng(0)
    a, b = rng.random((n_prospects, n_criteria)), rng.random((n_criteria, n_villages))
    return lambda: a @ b


def figures(repeat: int = 2000, batch: int = 100_000) -> list[Figure]:
    villages = geodata.read_villages()
    recommender = Recommender(villages[villages["partner"]])
    matcher = recommender.matcher
    n_v, n_c = len(matcher.codes_), len(matcher.weights_)
    prospects = profile_table(simulate_profiles(min(batch, 5000), random_state=0))
    # Simulating 100,000 profiles one by one would take longer than the benchmark: the table
    # repeats 5,000 simulated ones (the cost does not depend on their variety).
    prospects = prospects.iloc[np.arange(batch) % len(prospects)].reset_index(drop=True)

    def one() -> object:
        return top_k(matcher.decision_function([PERSONA]), 10)

    def many() -> object:
        return top_k(matcher.decision_function(prospects), 10)

    one_seconds = median_seconds(one, repeat)
    one_baseline = median_seconds(matrix_product(1, n_v, n_c), repeat)
    full_seconds = median_seconds(lambda: recommender.recommend(PERSONA, 10)[0].to_dict(), repeat)
    batch_seconds = median_seconds(many, 3, warmup=1)
    # The product takes milliseconds and varies with the machine's load: more runs.
    batch_baseline = median_seconds(matrix_product(batch, n_v, n_c), 30)
    return [
        Figure(
            f"one prospect x {n_v} partners, scores and top 10",
            one_seconds,
            "s",
            "< 100 µs",
            one_seconds < ONE_TARGET,
            "numpy (1 x 11) @ (11 x 52)",
            one_baseline,
        ),
        Figure(
            "  the same, full ranking with reasons",
            full_seconds,
            "s",
            "",
            None,
            "numpy (1 x 11) @ (11 x 52)",
            one_baseline,
        ),
        Figure(
            f"{batch:,} prospects x {n_v} partners, top 10 each",
            batch_seconds,
            "s",
            "< 2 s",
            batch_seconds < BATCH_TARGET,
            f"numpy ({batch:,} x 11) @ (11 x 52)",
            batch_baseline,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=2000, help="runs of the one-prospect figures")
    parser.add_argument("--batch", type=int, default=100_000, help="prospects in the batch")
    args = parser.parse_args()
    print(machine())
    print(table(figures(args.repeat, args.batch)))


if __name__ == "__main__":
    main()
