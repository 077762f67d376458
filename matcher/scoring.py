"""The numpy core of the weighted score, with no scikit-learn: what the service runs.

``WeightedMatcher`` (a scikit-learn estimator, for analysts and learning) and ``Recommender``
both delegate to a ``Scorer``: the criteria prepared for the villages once, and the analysts'
weights. See ``matcher.weighted`` for the formula.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from features.columns import ProspectTable, prospect_columns
from features.homes import Homes
from features.needs import VillageNeeds
from features.numeric import Columns
from features.pairs import PairEvaluator, PairValues
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
        self, rows: NDArray[np.intp], villages: NDArray[np.intp]
    ) -> NDArray[np.float64]:
        """(N, C) contributions of the pairs (rows[i], villages[i])."""
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
    # A running sum, criterion by criterion: numpy's sum adds a row in another order when it
    # is one of many than when it is alone, and a prospect gets the same bits in any batch.
    total = np.cumsum(effective, axis=1)[:, -1:]
    share = np.divide(effective, total, out=np.zeros_like(effective), where=total > 0)
    # The score is the sum of its parts (rounding can carry it a hair past 1: clamp); one
    # matrix product per prospect, without the (P, V, C) contributions.
    scores = np.minimum(np.matmul(pairs.values, share[:, :, None])[:, :, 0], 1.0)
    return Scored(pairs=pairs, share=share, scores=scores)


class Scorer:
    """Weights and villages prepared once, for scoring any number of prospects.

    Parameters
    ----------
    weights
        (C,) checked weights, in the order of the registered criteria.
    inputs
        The villages' columns (``features.columns.village_inputs``), each (V,).
    codes
        The villages' INSEE codes, unique and in increasing order.
    homes
        Listings on offer in those villages.
    needs
        What those villages need.
    """

    def __init__(
        self,
        weights: NDArray[np.float64],
        inputs: Columns,
        codes: Sequence[str],
        homes: Homes | None = None,
        needs: VillageNeeds | None = None,
    ) -> None:
        if len(codes) == 0:
            raise MatcherError("villages: expected at least one candidate village, found none")
        if any(a >= b for a, b in pairwise(codes)):
            raise MatcherError("villages: expected unique INSEE codes in increasing order")
        self.weights = weights
        self.codes = list(codes)
        self.evaluator = PairEvaluator(inputs, homes, needs)
        if len(weights) != len(self.evaluator.criteria):
            raise MatcherError(
                f"weights: expected {len(self.evaluator.criteria)}, one per criterion, "
                f"found {len(weights)}"
            )

    @property
    def homes(self) -> Homes:
        return self.evaluator.villages.homes

    @property
    def village_columns(self) -> dict[str, NDArray[np.float64]]:
        """The villages' columns, with every criterion's features."""
        return self.evaluator.features

    def prospect_columns(self, profiles: Sequence[Profile | Mapping[str, Any]]) -> ProspectTable:
        """The prospect columns of validated profiles (or dicts of their shape)."""
        return prospect_columns(profiles)

    def evaluate(self, prospects: Columns) -> Scored:
        """Criterion values, contributions and scores of every prospect against every village."""
        return score_pairs(self.evaluator.evaluate(prospects), self.weights)

    def decision_function(self, prospects: Columns) -> NDArray[np.float64]:
        """(P, V) scores, ``-inf`` where a ``must`` criterion fails.

        Scored ``CHUNK`` prospects at a time: the criterion values of 100,000 prospects
        against 52 villages would take half a gigabyte at once.
        """
        table = ProspectTable.from_columns(prospects)
        if table.n <= CHUNK:
            return self.evaluate(table).ranking_scores()
        scores = np.empty((table.n, len(self.codes)))
        for start in range(0, table.n, CHUNK):
            chunk = table.sliced(start, start + CHUNK)
            scores[start : start + CHUNK] = self.evaluate(chunk).ranking_scores()
        return scores
