"""Ranking metrics, exposure measures and a robustness check.

Rankings follow the matcher's rule: score descending, ties by column order (INSEE order).
Relevance is graded (settled 3, met the committee 2.5, visited 2, visit planned 1.5,
shortlisted 1, nothing 0, left -1); a negative relevance counts as 0 gain.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matcher.exceptions import MatcherError

#: Graded relevance of outcome events; "left" counts against the village. A planned visit and
#: a meeting with the welcome committee are steps between the grades of their neighbours: a
#: family that planned a visit went further than a shortlist, not as far as a visit.
EVENT_RELEVANCE: Mapping[str, float] = {
    "shortlisted": 1.0,
    "visit_planned": 1.5,
    "visited": 2.0,
    "met_committee": 2.5,
    "settled": 3.0,
    "left": -1.0,
}


#: Columns from which ``top_k`` partitions rather than sorts whole rows.
PARTITION_FROM = 512


def top_k(scores: NDArray[np.float64], k: int) -> NDArray[np.intp]:
    """(P, k) column indices of the k best scores per row; ties by lower column index.

    ``-inf`` marks villages that may not be ranked; their slots come last. Wide rows (every
    commune of France) are partitioned around their k-th best score, and only the columns
    at or above it sorted.
    """
    scores = np.atleast_2d(scores)
    n = scores.shape[1]
    k = min(k, n)
    if n < PARTITION_FROM or k == n:
        # A stable sort of the negated scores keeps equal scores in column (INSEE) order.
        return np.argsort(-scores, axis=1, kind="stable")[:, :k]
    negated = -scores
    kth = np.partition(negated, k - 1, axis=1)[:, k - 1 : k]  # (P, 1): minus the k-th best
    order = np.empty((len(scores), k), dtype=np.intp)
    for row in range(len(scores)):
        # Every column at or above the k-th best score, ties included, in column order.
        contenders = np.flatnonzero(negated[row] <= kth[row])
        best = np.argsort(negated[row, contenders], kind="stable")[:k]
        order[row] = contenders[best]
    return order


def _check(relevance: NDArray[np.float64], scores: NDArray[np.float64], k: int) -> None:
    if relevance.shape != scores.shape:
        raise MatcherError(f"relevance: expected shape {scores.shape}, found {relevance.shape}")
    if k < 1:
        raise MatcherError(f"k: expected at least 1, found {k}")


def ndcg_at_k(relevance: NDArray[np.float64], scores: NDArray[np.float64], k: int = 5) -> float:
    """Mean NDCG@k over the prospects with at least one relevant village."""
    relevance, scores = np.atleast_2d(relevance), np.atleast_2d(scores)
    _check(relevance, scores, k)
    gains = 2.0 ** np.clip(relevance, 0, None) - 1.0
    order = top_k(scores, k)
    discount = 1.0 / np.log2(np.arange(2, order.shape[1] + 2))
    dcg = (np.take_along_axis(gains, order, axis=1) * _shown(scores, order) * discount).sum(axis=1)
    ideal = (-np.sort(-gains, axis=1)[:, : order.shape[1]] * discount).sum(axis=1)
    has = ideal > 0
    return float(np.mean(dcg[has] / ideal[has])) if has.any() else 0.0


def recall_at_k(relevance: NDArray[np.float64], scores: NDArray[np.float64], k: int = 5) -> float:
    """Mean share of relevant villages (relevance > 0) that reach the top k."""
    relevance, scores = np.atleast_2d(relevance), np.atleast_2d(scores)
    _check(relevance, scores, k)
    relevant = relevance > 0
    order = top_k(scores, k)
    hits = (np.take_along_axis(relevant, order, axis=1) & _shown(scores, order)).sum(axis=1)
    total = relevant.sum(axis=1)
    has = total > 0
    return float(np.mean(hits[has] / total[has])) if has.any() else 0.0


def _shown(scores: NDArray[np.float64], order: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Which slots of ``order`` hold a village that is shown: a prospect with fewer than k
    villages open to them has empty slots (``-inf``), which must not earn a hit."""
    return np.isfinite(np.take_along_axis(scores, order, axis=1))


def mrr(relevance: NDArray[np.float64], scores: NDArray[np.float64]) -> float:
    """Mean reciprocal rank of the first relevant village."""
    relevance, scores = np.atleast_2d(relevance), np.atleast_2d(scores)
    _check(relevance, scores, 1)
    order = top_k(scores, scores.shape[1])
    ranked = np.take_along_axis(relevance > 0, order, axis=1) & _shown(scores, order)
    has = ranked.any(axis=1)
    first = ranked.argmax(axis=1)
    return float(np.mean(1.0 / (first[has] + 1))) if has.any() else 0.0


def exposure_counts(rankings: NDArray[np.intp], n_villages: int) -> NDArray[np.int64]:
    """How often each village appears in the rankings (``-1`` marks an empty slot)."""
    shown = rankings[rankings >= 0]
    return np.bincount(shown, minlength=n_villages).astype(np.int64)


def catalogue_coverage(rankings: NDArray[np.intp], n_villages: int) -> float:
    """Share of the villages that appear in at least one ranking."""
    return float(np.mean(exposure_counts(rankings, n_villages) > 0))


def exposure_gini(counts: NDArray[np.float64] | NDArray[np.int64]) -> float:
    """Gini index of exposure across villages: 0 all shown equally, towards 1 concentrated."""
    values = np.sort(np.asarray(counts, dtype=np.float64))
    if values.size == 0 or values.sum() == 0:
        return 0.0
    n = values.size
    cumulative = np.cumsum(values)
    return float((n + 1 - 2 * np.sum(cumulative) / cumulative[-1]) / n)


def overlap_at_k(a: NDArray[np.intp], b: NDArray[np.intp]) -> float:
    """Mean share of each row of ``a`` found in the same row of ``b`` (top-k overlap)."""
    if a.shape != b.shape:
        raise MatcherError(f"rankings: expected equal shapes, found {a.shape} and {b.shape}")
    same = [
        len(set(x[x >= 0]) & set(y[y >= 0])) / max(1, (x >= 0).sum())
        for x, y in zip(a, b, strict=True)
    ]
    return float(np.mean(same)) if same else 1.0


def criterion_robustness(estimator: Any, X: object, k: int = 5) -> dict[str, float]:
    """For each weighted criterion, the mean top-k overlap when it is left out (weight 0).

    ``estimator`` is a fitted ``WeightedMatcher``; 1.0 means leaving the criterion out changes
    no top k, 0.0 that it changes all of them.
    """
    from sklearn.base import clone

    full = shown_top_k(estimator.decision_function(X), k)
    overlap = {}
    for criterion, weight in estimator.weights.items():
        if weight == 0 or not any(w for c, w in estimator.weights.items() if c != criterion):
            continue
        without = clone(estimator).set_params(**{criterion: 0.0}).fit()
        overlap[criterion] = overlap_at_k(full, shown_top_k(without.decision_function(X), k))
    return overlap


def shown_top_k(scores: NDArray[np.float64], k: int) -> NDArray[np.intp]:
    """Top k with ``-1`` where a prospect has fewer than k villages it may be shown."""
    ranking = top_k(scores, k)
    return np.where(np.isfinite(np.take_along_axis(scores, ranking, axis=1)), ranking, -1)
