"""The matcher over every commune of France: 35,000 synthetic villages, one prospect.

    python bench/scale.py [--communes 35000] [--repeat 200]

The villages are synthetic, made here with the schema of the real ones: each is a real Gers
commune's row (drawn at random) with its numeric facts jittered by up to 10 % and a code and
name of its own, one in twenty a partner. They exist to time the engine at the size of France,
not to be ranked for anybody. The figure is the median time of one ranking (criterion values,
scores, eligibility, top 10, found by partition rather than by sorting 35,000 scores) of the
developer_family persona; target under 5 ms. A published peer scores 35,000 communes in 50 to
100 ms. The baseline is a bare numpy (1 x 11) @ (11 x 35,000) product, timed alongside.

The full ranking with reasons is not timed at this scale: it lists every excluded commune with
its reasons, tens of thousands of sentences no reader wants; a national deployment would cap it.
"""

import argparse

import numpy as np
import pandas as pd
from figures import Figure, machine, median_seconds, table
from inprocess import PERSONA, matrix_product

import geodata
from features.village import village_columns
from matcher import Recommender
from matcher.evaluate import top_k

TARGET = 5e-3
JITTER = 0.10
PARTNER_SHARE = 0.05


def synthetic_communes(n: int, random_state: int = 0) -> pd.DataFrame:
    """``n`` communes with the columns of ``geodata.read_villages()`` (see the module doc)."""
    rng = np.random.default_rng(random_state)
    real = pd.DataFrame(geodata.read_villages().drop(columns="geometry"))
    rows = real.iloc[rng.integers(0, len(real), n)].reset_index(drop=True)
    numeric = [c for c in village_columns() if c in rows.columns and c != "partner"]
    jitter = rng.uniform(1 - JITTER, 1 + JITTER, (n, len(numeric)))
    rows[numeric] = rows[numeric].to_numpy(np.float64) * jitter
    rows["ftth_share"] = rows["ftth_share"].clip(0.0, 1.0)
    rows["insee"] = [f"{i:05d}" for i in range(n)]
    rows["name"] = [f"Commune {i}" for i in range(n)]
    rows["partner"] = rng.random(n) < PARTNER_SHARE
    return rows.set_index(pd.Index(rows["insee"], name="code"))


def figures(communes: int = 35_000, repeat: int = 200) -> list[Figure]:
    villages = synthetic_communes(communes)
    matcher = Recommender(villages).matcher
    n_c = len(matcher.weights_)

    def one() -> object:
        return top_k(matcher.decision_function([PERSONA]), 10)

    seconds = median_seconds(one, repeat)
    baseline = median_seconds(matrix_product(1, communes, n_c), repeat)
    return [
        Figure(
            f"one prospect x {communes:,} synthetic communes, top 10",
            seconds,
            "s",
            "< 5 ms",
            seconds < TARGET,
            f"numpy (1 x 11) @ (11 x {communes:,})",
            baseline,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--communes", type=int, default=35_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(machine())
    print(table(figures(args.communes, args.repeat)))


if __name__ == "__main__":
    main()
