"""How well LearnedMatcher recovers hidden weights from simulated outcomes (synthetic data).

    python bench/learning.py [--train 2000] [--test 1000] [--candidates all|partners]

Prints the Spearman correlation between learned and hidden weights, and NDCG@5 on held-out
simulated prospects for the learned, uniform and default weights. The hidden weights are far
from the default profile on purpose. With only the 52 partners as candidates, criteria that
do not vary among them (every partner has a welcome committee) cannot be learned: compare.
"""

import argparse
import time

from scipy.stats import spearmanr

import geodata
from features import criteria
from features.prospect import profile_table
from matcher import WeightedMatcher
from matcher.learned import LearnedMatcher, relevance_from_outcomes
from matcher.simulate import simulate_outcomes, simulate_profiles

HIDDEN = {
    "connectivity": 4.0, "housing": 1.0, "schools": 3.0, "childcare": 0.5, "health": 2.0,
    "shops": 0.2, "access_auch": 2.5, "access_toulouse": 0.8, "settlement": 1.5,
    "ecosystem": 3.5, "community": 0.1,
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--candidates", choices=["all", "partners"], default="all")
    args = parser.parse_args()

    villages = geodata.read_villages().sort_values("insee")
    if args.candidates == "partners":
        villages = villages[villages["partner"]]
    profiles = simulate_profiles(args.train + args.test, random_state=1)
    outcomes = simulate_outcomes(profiles, villages, HIDDEN, random_state=2)
    relevance = relevance_from_outcomes(outcomes, len(profiles), villages["insee"])
    X = profile_table(profiles)
    train, test = slice(0, args.train), slice(args.train, args.train + args.test)
    start = time.perf_counter()
    learned = LearnedMatcher(villages=villages).fit(X.iloc[train], relevance[train])
    seconds = time.perf_counter() - start
    order = spearmanr(
        [learned.weights_[c] for c in criteria.codes()], [HIDDEN[c] for c in criteria.codes()]
    )
    print(f"synthetic outcomes ({outcomes.attrs['synthetic']}); {len(villages)} candidate villages")
    print(f"fit on {args.train} prospects, {learned.n_pairs_} pairs, in {seconds:.1f} s")
    print(f"Spearman(learned, hidden weights) = {order.statistic:.2f}")
    for name, model in (
        ("learned", learned),
        ("uniform", WeightedMatcher(villages=villages).fit()),
        ("default", WeightedMatcher.from_profile("default", villages=villages).fit()),
    ):
        ndcg = model.score(X.iloc[test], relevance[test])
        print(f"NDCG@5 on {args.test} held-out prospects, {name} weights: {ndcg:.3f}")
    for code in criteria.codes():
        print(f"  {code:<16} hidden {HIDDEN[code]:>4.1f}  learned {learned.weights_[code]:>5.2f}")


if __name__ == "__main__":
    main()
