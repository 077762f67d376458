"""``LearnedMatcher``: criterion weights fitted to outcome events.

The model is the ``WeightedMatcher`` score. Within one prospect, its ranking depends only on
``sum_c w_c x_pvc`` with ``x_pvc = importance_pc * value_pvc``, so for two villages where the
prospect went further with the first (settled > met the committee > visited > visit planned >
shortlisted > nothing > left), the
model should give ``w . (x_first - x_second) > 0``. The weights minimise the summed logistic
loss of those pairs plus ``shrinkage * |w - w_prior|²`` (the analysts' profile rescaled to a
mean of 1), under ``w >= 0``: the prior counts as ``shrinkage`` pairs of evidence, so it rules a
short outcome history and fades as outcomes accumulate. The weights are exported as a TOML
weight profile the service loads.
"""

import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from features import criteria
from matcher.evaluate import EVENT_RELEVANCE
from matcher.exceptions import MatcherError
from matcher.weighted import WeightedMatcher, relevance_matrix
from matcher.weights import WeightProfile, load_weight_profile


class LearnedMatcher(BaseEstimator):
    """Learn criterion weights from outcomes with a pairwise logistic model.

    Parameters
    ----------
    prior : str or WeightProfile
        The weight profile to shrink toward (a packaged name or a profile).
    shrinkage : float
        Weight of the prior, in preference pairs; 0 ignores it.
    villages, homes, solos_settled
        As for ``WeightedMatcher``.
    max_pairs : int
        Most preference pairs drawn per prospect.
    random_state : int
        Seed of the pair sampling.
    k : int
        Cut-off of the NDCG that ``score`` reports.
    """

    def __init__(
        self,
        prior: str | WeightProfile = "default",
        shrinkage: float = 100.0,
        villages: pd.DataFrame | None = None,
        homes: pd.DataFrame | None = None,
        solos_settled: pd.Series | None = None,
        max_pairs: int = 100,
        random_state: int | None = 0,
        k: int = 5,
    ) -> None:
        self.prior = prior
        self.shrinkage = shrinkage
        self.villages = villages
        self.homes = homes
        self.solos_settled = solos_settled
        self.max_pairs = max_pairs
        self.random_state = random_state
        self.k = k

    def _matcher(self, weights: dict[str, float]) -> WeightedMatcher:
        return WeightedMatcher.from_weights(
            weights,
            villages=self.villages,
            homes=self.homes,
            solos_settled=self.solos_settled,
            k=self.k,
        ).fit()

    def fit(self, X: object, y: object) -> "LearnedMatcher":
        """Fit the weights to ``y``: a (P, V) graded relevance matrix, one settled INSEE code
        per prospect, or one {INSEE code: event} mapping per prospect."""
        if self.shrinkage < 0 or not np.isfinite(self.shrinkage):
            raise MatcherError(
                f"shrinkage: expected a finite number >= 0, found {self.shrinkage!r}"
            )
        prior = load_weight_profile(self.prior) if isinstance(self.prior, str) else self.prior
        w0 = np.array(list(prior.weights.values()))
        w0 = w0 * len(w0) / w0.sum()
        base = self._matcher(dict(prior.weights))
        pairs = base.evaluate(X).pairs
        features = pairs.importance[:, None, :] * pairs.values  # (P, V, C)
        relevance = relevance_matrix(y, base.codes_, len(features))
        diffs = self._preference_pairs(features, relevance, pairs.eligible)
        if len(diffs) == 0:
            raise MatcherError(
                "y: expected outcomes that prefer some villages to others, found none"
            )

        def loss(w: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            margin = diffs @ w
            # The summed loss, divided by the number of pairs to keep the optimiser well
            # scaled; d/dm log(1 + exp(-m)) = -sigmoid(-m).
            pull = self.shrinkage / len(diffs)
            value = np.logaddexp(0.0, -margin).mean() + pull * np.sum((w - w0) ** 2)
            grad = -(diffs * _sigmoid(-margin)[:, None]).mean(axis=0) + 2 * pull * (w - w0)
            return float(value), grad

        result = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * len(w0))
        weights = np.maximum(result.x, 0.0)
        if not weights.any():
            raise MatcherError("fit: every learned weight is 0; the outcomes carry no signal")
        self.weights_ = dict(
            zip(criteria.codes(), (weights * len(weights) / weights.sum()).tolist(), strict=True)
        )
        self.prior_ = prior
        self.n_pairs_ = len(diffs)
        self.loss_ = float(result.fun)
        self.matcher_ = self._matcher(self.weights_)
        return self

    def _preference_pairs(
        self,
        features: NDArray[np.float64],
        relevance: NDArray[np.float64],
        eligible: NDArray[np.bool_],
    ) -> NDArray[np.float64]:
        rng = np.random.default_rng(self.random_state)
        diffs = []
        for p in range(len(features)):
            shown = np.flatnonzero(eligible[p])
            levels = relevance[p, shown]
            better, worse = np.nonzero(levels[:, None] > levels[None, :])
            if len(better) == 0:
                continue
            if len(better) > self.max_pairs:
                keep = rng.choice(len(better), size=self.max_pairs, replace=False)
                better, worse = better[keep], worse[keep]
            diffs.append(features[p, shown[better]] - features[p, shown[worse]])
        return np.concatenate(diffs) if diffs else np.zeros((0, features.shape[2]))

    def decision_function(self, X: object) -> NDArray[np.float64]:
        check_is_fitted(self)
        return self.matcher_.decision_function(X)

    def score(self, X: object, y: object) -> float:
        check_is_fitted(self)
        return self.matcher_.score(X, y)

    def to_weight_profile(self, name: str, version: str, description: str = "") -> WeightProfile:
        """The learned weights as a profile for ``matcher.weights.save_weight_profile``."""
        check_is_fitted(self)
        note = description or (
            f"Learned from {self.n_pairs_} preference pairs, shrunk toward "
            f"{self.prior_.name} {self.prior_.version} (shrinkage {self.shrinkage:g})."
        )
        return WeightProfile(name=name, version=version, weights=self.weights_, description=note)


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.exp(-np.logaddexp(0.0, -x))


def relevance_from_outcomes(
    outcomes: pd.DataFrame, n_prospects: int, codes: Any
) -> NDArray[np.float64]:
    """(P, V) graded relevance from events ``prospect, insee, event``; "left" wins over the
    other events of the same prospect and village, else the furthest step counts."""
    events = [dict[str, str]() for _ in range(n_prospects)]
    # "left" outranks every step; the steps rank by their relevance.
    rank = {event: math.inf if grade < 0 else grade for event, grade in EVENT_RELEVANCE.items()}
    for prospect, insee, event in outcomes[["prospect", "insee", "event"]].itertuples(index=False):
        if not 0 <= int(prospect) < n_prospects:
            raise MatcherError(
                f"outcomes: prospect expected from 0 to {n_prospects - 1}, found {prospect!r}"
            )
        if event not in rank:
            raise MatcherError(f"outcomes: event expected one of {list(rank)}, found {event!r}")
        current = events[int(prospect)].get(str(insee))
        if current is None or rank[event] > rank[current]:
            events[int(prospect)][str(insee)] = event
    return relevance_matrix(events, pd.Index(codes), n_prospects)
