"""The numpy core of the weighted score, with no scikit-learn: what the service runs.

``WeightedMatcher`` (a scikit-learn estimator, for analysts and learning) and ``Recommender``
both delegate to a ``Scorer``: the villages' side of every criterion, prepared once, and the
analysts' weights. See ``matcher.weighted`` for the formula.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from features.columns import (
    PROFILE_COLUMNS,
    Homes,
    profile_matrix,
    profile_row,
    prospect_derived,
    prospect_derived_row,
    village_derived,
)
from features.numeric import Columns
from features.pairs import PairValues, VillageCriteria, one_pair_values, pair_values
from features.profile import Profile
from matcher.exceptions import MatcherError

#: Prospects scored at once: bounds memory (P x V x C values) on large batches.
CHUNK = 1024


@dataclass(frozen=True)
class Scored:
    """Scores of P prospects against the matcher's V villages."""

    pairs: PairValues
    share: NDArray[np.float64]  # (P, C): each criterion's share of the score, summing to 1
    scores: NDArray[np.float64]  # (P, V), in [0, 1]

    @cached_property
    def contributions(self) -> NDArray[np.float64]:
        """(P, V, C) additive contributions, summing to ``scores`` over C (made on demand:
        rankings need them for their k results only, see ``contributions_of``)."""
        return self.pairs.values * self.share[:, None, :]

    def contributions_of(
        self, rows: "int | NDArray[np.intp]", villages: NDArray[np.intp]
    ) -> NDArray[np.float64]:
        """(N, C) contributions of the pairs (rows[i], villages[i]); ``rows`` may be one row
        for every village."""
        return self.pairs.values[rows, villages] * self.share[rows]

    @property
    def eligible(self) -> NDArray[np.bool_]:
        return self.pairs.eligible

    def ranking_scores(self) -> NDArray[np.float64]:
        """Scores with ``-inf`` where a ``must`` fails: what rankings sort."""
        return np.where(self.eligible, self.scores, -np.inf)


def score_pairs(pairs: PairValues, weights: NDArray[np.float64]) -> Scored:
    """Normalised weighted sum of the criterion values, with its additive contributions."""
    effective = weights[None, :] * pairs.importance  # (P, C)
    # Added criterion by criterion: numpy sums a row in another order when it is one of
    # many than when it is alone, and a prospect must get the same bits in a batch as alone.
    if len(effective) == 1:
        total = np.array([[_sum_in_order(effective[0].tolist())]])
    else:
        total = effective[:, :1].copy()
        for c in range(1, effective.shape[1]):
            total += effective[:, c : c + 1]
    share = np.divide(effective, total, out=np.zeros_like(effective), where=total > 0)
    # The score is the sum of its parts (rounding can carry it a hair past 1: clamp); one
    # matrix product per prospect, without the (P, V, C) contributions.
    scores = np.minimum(np.matmul(pairs.values, share[:, :, None])[:, :, 0], 1.0)
    return Scored(pairs=pairs, share=share, scores=scores)


def _sum_in_order(values: list[float]) -> float:
    """Left to right, as the batch's column-by-column sum (``sum`` may compensate)."""
    total = values[0]
    for value in values[1:]:
        total += value
    return total


class Scorer:
    """Weights and villages prepared once, for scoring any number of prospects.

    Parameters
    ----------
    weights
        (C,) checked weights, in the order of ``CRITERION_CODES``.
    inputs
        The villages' ``VILLAGE_COLUMNS`` (``features.columns.village_inputs``), each (V,).
    codes
        The villages' INSEE codes, unique and in increasing order.
    homes
        Listings on offer in those villages.
    """

    def __init__(
        self,
        weights: NDArray[np.float64],
        inputs: Columns,
        codes: Sequence[str],
        homes: Homes | None = None,
    ) -> None:
        if len(codes) == 0:
            raise MatcherError("villages: expected at least one candidate village, found none")
        if any(a >= b for a, b in pairwise(codes)):
            raise MatcherError("villages: expected unique INSEE codes in increasing order")
        self.weights = weights
        self.codes = list(codes)
        self.homes = homes or Homes.empty()
        self.village_columns: dict[str, NDArray[np.float64]] = dict(inputs) | village_derived(
            inputs
        )
        self.criteria = VillageCriteria.from_columns(self.village_columns, self.homes)

    def prospect_columns(
        self, profiles: Sequence[Profile | Mapping[str, Any]]
    ) -> dict[str, NDArray[np.float64]]:
        """The prospect columns of validated profiles (or dicts of their shape)."""
        profiles = list(profiles)
        if len(profiles) == 1:
            row = self.prospect_row(profiles[0])
            return dict(zip(row, np.array(list(row.values()))[:, None], strict=True))
        rows = profile_matrix(profiles)  # type: ignore[arg-type]
        columns = dict(zip(PROFILE_COLUMNS, rows.T, strict=True))
        return columns | prospect_derived(columns)

    def prospect_row(self, profile: Profile | Mapping[str, Any]) -> dict[str, float]:
        """One prospect's columns as Python floats (each API request ranks one prospect:
        numpy calls on one-value columns would cost ten times more)."""
        profile = profile if isinstance(profile, Profile) else Profile.model_validate(profile)
        row = dict(zip(PROFILE_COLUMNS, profile_row(profile), strict=True))
        return row | prospect_derived_row(row)

    def evaluate_row(self, row: Mapping[str, float]) -> Scored:
        """``evaluate`` of one prospect's ``prospect_row``: the same numbers."""
        return score_pairs(one_pair_values(row, self.criteria), self.weights)

    def evaluate(self, prospects: Columns) -> Scored:
        """Criterion values, contributions and scores of every prospect against every village."""
        return score_pairs(pair_values(prospects, self.criteria), self.weights)

    def decision_function(self, prospects: Columns) -> NDArray[np.float64]:
        """(P, V) scores, ``-inf`` where a ``must`` criterion fails.

        Scored ``CHUNK`` prospects at a time: the criterion values of 100,000 prospects
        against 52 villages would take half a gigabyte at once.
        """
        n = len(prospects["remote_days"])
        if n <= CHUNK:
            return self.evaluate(prospects).ranking_scores()
        scores = np.empty((n, len(self.codes)))
        for start in range(0, n, CHUNK):
            chunk = {name: column[start : start + CHUNK] for name, column in prospects.items()}
            scores[start : start + CHUNK] = self.evaluate(chunk).ranking_scores()
        return scores
