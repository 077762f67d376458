"""Synthetic prospects and outcomes, for tests and notebooks only.

Nothing here is data about real people: outcomes come from a hidden utility (a weighted sum of
the criterion values with weights the caller chooses) plus Gumbel noise, and every frame this
module returns says so (a ``synthetic`` column, and ``attrs["synthetic"]``).
"""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from features.profile import Profile
from features.vocab import PROFESSION_CODES
from matcher.weighted import WeightedMatcher
from matcher.weights import check_weights

SYNTHETIC_NOTE = "synthetic: simulated by matcher.simulate, not real outcomes"


def simulate_profiles(n: int, random_state: int | None = None) -> list[Profile]:
    """``n`` plausible prospect profiles, drawn independently."""
    rng = np.random.default_rng(random_state)
    profiles = []
    for _ in range(n):
        children = rng.choice([0, 1, 2, 3], p=[0.45, 0.25, 0.22, 0.08])
        buy = rng.random() < 0.7
        profile: dict[str, object] = {
            "profession": str(rng.choice(PROFESSION_CODES)),
            "remote_days_per_week": int(rng.choice([2, 3, 4, 5], p=[0.1, 0.2, 0.25, 0.45])),
            "connectivity": str(
                rng.choice(["basic", "video_calls", "large_uploads"], p=[0.3, 0.5, 0.2])
            ),
            "household": {
                "adults": int(rng.choice([1, 2], p=[0.35, 0.65])),
                "children_ages": [int(a) for a in rng.integers(0, 18, size=children)],
            },
            "preferences": {
                "max_minutes_to_auch": [None, 30, 45, 60][int(rng.integers(4))],
                "needs_train_station": bool(rng.random() < 0.15),
                "settlement": str(rng.choice(["any", "village", "small_town"], p=[0.6, 0.3, 0.1])),
            },
        }
        if rng.random() < 0.85:
            profile["housing"] = {
                "tenure": "buy" if buy else "rent",
                "budget_eur": float(
                    rng.uniform(100_000, 320_000) if buy else rng.uniform(500, 1200)
                ),
                "min_bedrooms": int(rng.integers(1, 5)),
            }
        profiles.append(Profile.model_validate(profile))
    return profiles


def simulate_outcomes(
    profiles: Sequence[Profile],
    villages: pd.DataFrame,
    hidden_weights: Mapping[str, float],
    noise: float = 0.03,
    shortlist: int = 5,
    visit: int = 2,
    settle_probability: float = 0.6,
    leave_probability: float = 0.05,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Outcome events of the prospects, from a hidden utility plus noise.

    Each prospect's utility for a village is the score under ``hidden_weights`` plus
    ``noise`` x a standard Gumbel draw. Among the villages meeting the prospect's ``must``s, the
    best ``shortlist`` are shortlisted, the best ``visit`` visited; the best is settled in with
    ``settle_probability``, and a settled prospect leaves with ``leave_probability``.

    Returns
    -------
    DataFrame ``prospect, insee, event, synthetic``: one row per event, ``prospect`` the
    position in ``profiles``; ``attrs`` holds the parameters.
    """
    rng = np.random.default_rng(random_state)
    villages = villages.sort_values("insee")
    matcher = WeightedMatcher.from_weights(hidden_weights, villages=villages).fit()
    scored = matcher.evaluate(list(profiles))
    utility = scored.scores + noise * rng.gumbel(size=scored.scores.shape)
    utility = np.where(scored.eligible, utility, -np.inf)
    order = np.argsort(-utility, axis=1, kind="stable")
    rows = []
    for p in range(len(profiles)):
        ranked = [v for v in order[p, :shortlist] if np.isfinite(utility[p, v])]
        for position, v in enumerate(ranked):
            event = "visited" if position < visit else "shortlisted"
            if position == 0 and rng.random() < settle_probability:
                event = "left" if rng.random() < leave_probability else "settled"
            rows.append((p, str(matcher.codes_[v]), event))
    outcomes = pd.DataFrame(rows, columns=["prospect", "insee", "event"])
    outcomes["synthetic"] = True
    outcomes.attrs.update(
        synthetic=SYNTHETIC_NOTE,
        hidden_weights=dict(check_weights(hidden_weights)),
        noise=noise,
        random_state=random_state,
    )
    return outcomes
