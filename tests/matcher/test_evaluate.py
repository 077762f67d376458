import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matcher.evaluate import (
    PARTITION_FROM,
    catalogue_coverage,
    criterion_robustness,
    exposure_counts,
    exposure_gini,
    mrr,
    ndcg_at_k,
    overlap_at_k,
    recall_at_k,
    top_k,
)
from matcher.exceptions import MatcherError
from matcher.weighted import WeightedMatcher
from tests.conftest import realistic_villages


def test_top_k_breaks_ties_by_column() -> None:
    scores = np.array([[0.5, 0.9, 0.5, -np.inf, 0.9]])
    assert top_k(scores, 4).tolist() == [[1, 4, 0, 2]]


@given(
    scores=arrays(
        np.float64,
        st.tuples(st.integers(1, 3), st.integers(PARTITION_FROM, PARTITION_FROM + 40)),
        elements=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, -np.inf]),  # many ties
    ),
    k=st.integers(1, 30),
)
@settings(max_examples=60, deadline=None)
def test_wide_rows_are_partitioned_to_the_same_top_k(scores, k) -> None:
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(top_k(scores, k), expected)


def test_ndcg_perfect_and_known_values() -> None:
    relevance = np.array([[3.0, 0.0, 1.0]])
    assert ndcg_at_k(relevance, np.array([[0.9, 0.1, 0.5]]), k=3) == pytest.approx(1.0)
    # Ranking 1, 2, 0: gains 0, 1, 7 at positions 1..3; ideal 7, 1, 0.
    dcg = 0 + 1 / np.log2(3) + 7 / np.log2(4)
    ideal = 7 + 1 / np.log2(3)
    assert ndcg_at_k(relevance, np.array([[0.1, 0.9, 0.5]]), k=3) == pytest.approx(dcg / ideal)
    # "left" (negative) counts as no gain; prospects with nothing relevant are skipped.
    assert (
        ndcg_at_k(np.array([[-1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), 1) == 1.0
    )


def test_recall_and_mrr() -> None:
    relevance = np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    scores = np.array([[0.9, 0.8, 0.1, 0.0], [0.9, 0.8, 0.7, 0.6]])
    assert recall_at_k(relevance, scores, 2) == pytest.approx((0.5 + 0.0) / 2)
    assert mrr(relevance, scores) == pytest.approx((1 + 1 / 4) / 2)
    with pytest.raises(MatcherError, match=r"relevance: expected shape \(2, 4\), found \(1, 4\)"):
        mrr(relevance[:1], scores)


def test_villages_not_shown_earn_nothing_in_the_empty_slots() -> None:
    # One village open to the prospect; the settled one (column 0) is ruled out (-inf), and
    # must not count though it would fill an empty slot of the top 5.
    relevance = np.array([[3.0, 0.0, 0.0]])
    scores = np.array([[-np.inf, 0.7, -np.inf]])
    assert ndcg_at_k(relevance, scores, 5) == 0.0
    assert recall_at_k(relevance, scores, 5) == 0.0
    assert mrr(relevance, scores) == 0.0
    shown = np.array([[0.1, 0.7, -np.inf]])
    assert recall_at_k(relevance, shown, 5) == 1.0
    assert ndcg_at_k(relevance, shown, 5) == pytest.approx(1 / np.log2(3))


def test_gini_coverage_and_overlap() -> None:
    assert exposure_gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert exposure_gini(np.array([0, 0, 0, 12])) == pytest.approx(0.75)  # (n - 1) / n
    rankings = np.array([[0, 1], [1, -1]])
    assert exposure_counts(rankings, 4).tolist() == [1, 2, 0, 0]
    assert catalogue_coverage(rankings, 4) == 0.5
    assert overlap_at_k(np.array([[0, 1, 2]]), np.array([[2, 1, 3]])) == pytest.approx(2 / 3)


def test_criterion_robustness_reports_every_weighted_criterion() -> None:
    matcher = WeightedMatcher.from_profile("default", villages=realistic_villages()).fit()
    profiles = [
        {"profession": "other", "connectivity": c}
        for c in ("basic", "video_calls", "large_uploads")
    ]
    overlap = criterion_robustness(matcher, profiles, k=3)
    assert set(overlap) == set(matcher.weights)
    assert all(0.0 <= v <= 1.0 for v in overlap.values())
    # Settlement is off for "any": leaving it out changes nothing.
    assert overlap["settlement"] == 1.0
