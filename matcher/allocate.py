"""Proposals under the committees' capacity: k villages for each prospect, no village given more
prospects than its committee can welcome, the total score as high as it can be.

The exact allocation is a b-matching of prospects and villages (each prospect up to k villages,
each village up to its capacity, each pair at most once), solved as an integer program with
HiGHS through ``scipy.optimize.milp``: scipy is a dependency already, HiGHS is a maintained,
state-of-the-art solver, and it reports the bound it proves, hence the gap. The program's
constraint matrix is that of a bipartite graph, totally unimodular, so the relaxation's optimum
is whole and the solver proves it at the root: the gap is 0 unless a time limit stops it.

The objective is the total score of the proposals: every score is positive, so it also makes
as many proposals as the capacities allow, unless one more would cost the others more. Each
prospect's proposals stay within ``max_loss`` of the score of the k-th village of their
plain ranking (as the exposure-aware re-ranking does, ``matcher.rerank``), and a village a
``must`` excludes is never proposed. Prospects who cannot all get k are named, not dropped.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from matcher.exceptions import MatcherError

#: Seconds the solver may take before it answers its best allocation with its gap.
TIME_LIMIT = 30.0
#: Added to each proposal's score in the objective: a proposal whose score is 0 (or within the
#: solver's tolerance of it) is still made where a place is left, rather than left out.
PLACE_BONUS = 1e-6


@dataclass(frozen=True)
class Allocation:
    """Villages proposed to P prospects among V villages."""

    proposals: list[list[int]]  # per prospect, village positions, best score first
    load: NDArray[np.int64]  # (V,) prospects proposed to each village
    total: float  # the proposals' total score
    bound: float  # the best total possible, as the solver proves it (= total for greedy)
    short: list[int]  # prospects given fewer than k villages
    #: (P,) villages each prospect could be proposed at all (eligible, within the loss bound):
    #: a short prospect with k or more was held back by capacity, not by their must-haves.
    allowed: NDArray[np.int64]
    method: str  # "exact" or "greedy"

    @property
    def gap(self) -> float:
        """How far the total is from the best possible, relative (0 when proven optimal)."""
        # Differences at the last bits of the totals are rounding, not a gap.
        short_of = self.bound - self.total
        return 0.0 if self.bound <= 0 or short_of <= 1e-9 * self.bound else short_of / self.bound


def allowed_pairs(scores: NDArray[np.float64], k: int, max_loss: float) -> NDArray[np.bool_]:
    """(P, V) pairs that may be proposed: eligible (a finite score) and within ``max_loss`` of
    the prospect's plain k-th best score."""
    ranked = np.sort(np.where(np.isfinite(scores), scores, -np.inf), axis=1)[:, ::-1]
    kth = ranked[:, min(k, scores.shape[1]) - 1 : min(k, scores.shape[1])]
    # A prospect with fewer than k eligible villages: every eligible one is allowed.
    floor = np.where(np.isfinite(kth), kth - max_loss, -np.inf)
    return np.isfinite(scores) & (scores >= floor)


def allocate(
    scores: NDArray[np.float64],
    capacity: Sequence[int] | NDArray[np.int64],
    k: int,
    max_loss: float = 0.05,
) -> Allocation:
    """The exact allocation.

    Parameters
    ----------
    scores
        (P, V) each prospect's score of each village, ``-inf`` where a ``must`` excludes it.
    capacity
        (V,) prospects each village's committee can still take.
    k
        Villages proposed to each prospect, at most.
    max_loss
        How far below a prospect's plain k-th best a proposed village's score may be.
    """
    capacity = _checked(scores, capacity, k, max_loss)
    allowed = allowed_pairs(scores, k, max_loss)
    rows, cols = np.nonzero(allowed)
    if not len(rows):
        return _allocation(scores, rows, cols, np.zeros(0, bool), k, 0.0, "exact")
    gains = scores[rows, cols] + PLACE_BONUS
    best = _solve(-gains, _constraints(rows, cols, scores.shape, k, capacity))
    chosen = best.x > 0.5
    bound = -float(best.mip_dual_bound if best.mip_dual_bound is not None else best.fun)
    bound -= PLACE_BONUS * int(chosen.sum())
    return _allocation(scores, rows, cols, chosen, k, bound, "exact")


def greedy_allocation(
    scores: NDArray[np.float64],
    capacity: Sequence[int] | NDArray[np.int64],
    k: int,
    max_loss: float = 0.05,
) -> Allocation:
    """Prospects in turn, each given their best allowed villages with places left: the usual
    placement by arrival, for comparison."""
    left = _checked(scores, capacity, k, max_loss).copy()
    allowed = allowed_pairs(scores, k, max_loss)
    chosen_pairs: list[tuple[int, int]] = []
    for p in range(len(scores)):
        candidates = np.flatnonzero(allowed[p] & (left > 0))
        best = candidates[np.argsort(-scores[p, candidates], kind="stable")][:k]
        left[best] -= 1
        chosen_pairs += [(p, int(v)) for v in best]
    rows = np.array([p for p, _ in chosen_pairs], dtype=np.intp)
    cols = np.array([v for _, v in chosen_pairs], dtype=np.intp)
    total = float(scores[rows, cols].sum()) if len(rows) else 0.0
    return _allocation(scores, rows, cols, np.ones(len(rows), bool), k, total, "greedy")


def _checked(
    scores: NDArray[np.float64],
    capacity: Sequence[int] | NDArray[np.int64],
    k: int,
    max_loss: float,
) -> NDArray[np.int64]:
    capacity = np.asarray(capacity, dtype=np.int64)
    if scores.ndim != 2 or capacity.shape != (scores.shape[1],):
        raise MatcherError(
            f"capacity: expected one number per village ({scores.shape[1]}), found {capacity.shape}"
        )
    if (capacity < 0).any():
        raise MatcherError(f"capacity: expected numbers >= 0, found {capacity.min()}")
    if isinstance(k, bool) or not 1 <= k <= scores.shape[1]:
        raise MatcherError(f"k: expected a whole number from 1 to {scores.shape[1]}, found {k!r}")
    if not 0 <= max_loss <= 1:
        raise MatcherError(f"max_loss: expected a number from 0 to 1, found {max_loss!r}")
    return capacity


def _constraints(
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
    shape: tuple[int, int],
    k: int,
    capacity: NDArray[np.int64],
) -> list[LinearConstraint]:
    """At most k villages per prospect, at most its capacity per village."""
    pairs = np.arange(len(rows))
    per_prospect = csr_array((np.ones(len(rows)), (rows, pairs)), shape=(shape[0], len(rows)))
    per_village = csr_array((np.ones(len(rows)), (cols, pairs)), shape=(shape[1], len(rows)))
    return [
        LinearConstraint(per_prospect, lb=-np.inf, ub=k),
        LinearConstraint(per_village, lb=-np.inf, ub=capacity),
    ]


def _solve(cost: NDArray[np.float64], constraints: list[LinearConstraint]):  # type: ignore[no-untyped-def]
    found = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(len(cost)),
        bounds=Bounds(0, 1),
        options={"time_limit": TIME_LIMIT},
    )
    if found.x is None:
        raise MatcherError(f"allocation: the solver found no allocation ({found.message})")
    return found


def _allocation(
    scores: NDArray[np.float64],
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
    chosen: NDArray[np.bool_],
    k: int,
    bound: float,
    method: str,
) -> Allocation:
    proposals: list[list[int]] = [[] for _ in range(len(scores))]
    for p, v in zip(rows[chosen].tolist(), cols[chosen].tolist(), strict=True):
        proposals[p].append(v)
    for p, villages in enumerate(proposals):
        villages.sort(key=lambda v: (-scores[p, v], v))
    load = np.bincount(cols[chosen], minlength=scores.shape[1]).astype(np.int64)
    total = float(scores[rows[chosen], cols[chosen]].sum()) if chosen.any() else 0.0
    short = [p for p, villages in enumerate(proposals) if len(villages) < k]
    allowed = np.bincount(rows, minlength=len(scores)).astype(np.int64)
    return Allocation(proposals, load, total, max(bound, total), short, allowed, method)
