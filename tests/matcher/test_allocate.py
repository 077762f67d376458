"""Proposals under the committees' capacity (issue 20): exact, never over capacity, never a
village a must excludes, at least as good as greedy placement, the brute-force optimum on small
cases."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matcher.allocate import allocate, allowed_pairs, greedy_allocation
from matcher.exceptions import MatcherError

SCORES = st.integers(2, 6).flatmap(
    lambda v: st.tuples(
        arrays(
            np.float64,
            st.tuples(st.integers(1, 6), st.just(v)),
            elements=st.one_of(st.floats(0, 1), st.just(-np.inf)),
        ),
        arrays(np.int64, st.just(v), elements=st.integers(0, 4)),
    )
)


@settings(max_examples=150, deadline=None)
@given(case=SCORES, k=st.integers(1, 3), max_loss=st.sampled_from([0.0, 0.05, 1.0]))
def test_an_allocation_keeps_every_rule_and_beats_greedy(case, k, max_loss) -> None:
    scores, capacity = case
    k = min(k, scores.shape[1])
    exact = allocate(scores, capacity, k, max_loss)
    allowed = allowed_pairs(scores, k, max_loss)
    for p, villages in enumerate(exact.proposals):
        assert len(villages) == len(set(villages)) <= k
        assert all(allowed[p, v] and np.isfinite(scores[p, v]) for v in villages)
    assert (exact.load <= capacity).all()
    # Within the solver's tolerance, and the bonus that makes it propose 0-score villages.
    assert exact.total >= greedy_allocation(scores, capacity, k, max_loss).total - 1e-5
    assert exact.gap == 0.0
    assert exact.short == [p for p, v in enumerate(exact.proposals) if len(v) < k]


@settings(max_examples=60, deadline=None)
@given(case=SCORES, k=st.integers(1, 2))
def test_on_small_cases_the_allocation_is_the_brute_force_optimum(case, k) -> None:
    scores, capacity = case
    scores, k = scores[:4, :4], min(k, 4, scores.shape[1])
    capacity = capacity[: scores.shape[1]]
    allowed = allowed_pairs(scores, k, 1.0)
    assert allocate(scores, capacity, k, max_loss=1.0).total == pytest.approx(
        _brute_force(scores, capacity, k, allowed), abs=1e-9
    )


def _brute_force(scores, capacity, k, allowed) -> float:
    """The best total over every choice of at most k allowed villages per prospect."""
    choices = [
        [combo for n in range(k + 1) for combo in itertools.combinations(np.flatnonzero(row), n)]
        for row in allowed
    ]
    best = 0.0
    for pick in itertools.product(*choices):
        load = np.bincount([v for villages in pick for v in villages], minlength=len(capacity))
        if (load <= capacity).all():
            best = max(best, sum(scores[p, v] for p, vs in enumerate(pick) for v in vs))
    return best


def test_prospects_a_full_committee_leaves_short_are_named() -> None:
    scores = np.array([[0.9, 0.8], [0.9, 0.8], [0.9, -np.inf]])
    found = allocate(scores, [1, 1], k=1, max_loss=1.0)
    assert found.load.tolist() == [1, 1]
    assert found.short == [2] or found.short == [0] or found.short == [1]
    assert found.allowed.tolist() == [2, 2, 1]
    assert found.total == pytest.approx(0.9 + 0.8)


def test_the_loss_bound_keeps_proposals_near_the_plain_ranking() -> None:
    scores = np.array([[0.9, 0.6, 0.5]])
    assert allocate(scores, [0, 1, 1], k=1, max_loss=0.05).proposals == [[]]
    assert allocate(scores, [0, 1, 1], k=1, max_loss=0.35).proposals == [[1]]


@pytest.mark.parametrize(
    ("capacity", "k", "message"),
    [
        ([1], 1, r"capacity: expected one number per village \(2\)"),
        ([1, -1], 1, "capacity: expected numbers >= 0, found -1"),
        ([1, 1], 3, "k: expected a whole number from 1 to 2, found 3"),
    ],
)
def test_bad_arguments_are_named(capacity, k, message) -> None:
    with pytest.raises(MatcherError, match=message):
        allocate(np.zeros((1, 2)), capacity, k)
