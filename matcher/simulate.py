"""Synthetic prospects, outcomes, village needs and committee capacities, for tests and
notebooks only.

Nothing here is data about real people: outcomes come from a hidden utility (a weighted sum of
the criterion values with weights the caller chooses) plus Gumbel noise, and every frame this
module returns says so (a ``synthetic`` column, and ``attrs["synthetic"]``).
"""

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from features.needs import Need
from features.profile import Profile
from features.vocab import PREMISES_USES, PROFESSION_CODES, SERVICES
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


#: The shares of partner villages that state each kind of need in a simulation, and the
#: trades they ask for: a plausible programme, not a survey (every need says it is simulated).
NEED_SHARES = {"school_pupils": 0.35, "trade": 0.25, "premises": 0.2}
SIMULATED_NEED = "simulé : besoin synthétique (matcher.simulate), pas un besoin réel"


def simulate_needs(
    codes: Sequence[str], today: date, random_state: int | None = None
) -> list[Need]:
    """Needs for the villages of ``codes``, each kind with its share of the villages; every
    need's note says it is synthetic."""
    rng = np.random.default_rng(random_state)
    needs: list[Need] = []
    for code in codes:
        for kind, share in NEED_SHARES.items():
            if rng.random() < share:
                needs.append(_simulated_need(f"sim-{code}-{kind}", code, kind, today, rng))
    return needs


def _simulated_need(
    need_id: str, code: str, kind: str, today: date, rng: np.random.Generator
) -> Need:
    if kind == "school_pupils":
        low = int(rng.integers(3, 11))
        return Need(
            need_id, code, "school_pupils", SIMULATED_NEED, school="", age_min=low,
            age_max=min(low + int(rng.integers(2, 6)), 17), pupils=int(rng.integers(1, 5)),
            by=date(today.year + 1, 9, 1),
        )  # fmt: skip
    if kind == "trade":
        service = str(rng.choice([s.code for s in SERVICES]))
        return Need(need_id, code, "trade", SIMULATED_NEED, service=service)
    use = str(rng.choice(list(PREMISES_USES)))
    surface = float(rng.integers(3, 20) * 10)
    return Need(
        need_id, code, "premises", SIMULATED_NEED, use=use, surface_m2=surface,
        rent_eur=float(round(surface * rng.uniform(5, 10), -1)),
    )  # fmt: skip


def simulate_capacities(
    populations: Sequence[float], total: int, random_state: int | None = None
) -> NDArray[np.int64]:
    """Committees' capacities that sum to about ``total``, larger where more people live (a
    larger village has more volunteers), each at least 1; synthetic."""
    rng = np.random.default_rng(random_state)
    weight = np.sqrt(np.asarray(populations, dtype=np.float64)) * rng.uniform(
        0.5, 1.5, len(populations)
    )
    capacity: NDArray[np.int64] = np.maximum(1, np.round(total * weight / weight.sum()))
    return capacity.astype(np.int64)
