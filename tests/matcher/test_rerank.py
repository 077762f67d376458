import numpy as np
import pytest

from matcher.evaluate import exposure_counts, exposure_gini
from matcher.exceptions import MatcherError
from matcher.rerank import exposure_aware, mmr


def test_mmr_with_full_relevance_is_the_plain_top_k() -> None:
    scores = np.array([0.9, 0.85, 0.8, 0.3])
    xy = np.array([[0, 0], [1, 0], [50, 0], [100, 0]], dtype=float)
    assert mmr(scores, xy, 3, relevance=1.0).tolist() == [0, 1, 2]


def test_mmr_skips_a_near_twin_for_a_distant_village() -> None:
    scores = np.array([0.9, 0.89, 0.8])
    xy = np.array([[0, 0], [0.5, 0], [60, 0]], dtype=float)
    assert mmr(scores, xy, 2, relevance=0.5).tolist() == [0, 2]
    with pytest.raises(MatcherError, match="relevance: expected a number from 0 to 1"):
        mmr(scores, xy, 2, relevance=1.5)


def test_exposure_aware_spreads_with_a_bounded_loss() -> None:
    rng = np.random.default_rng(3)
    # Everyone prefers the same few villages a little; the rest are close behind.
    base = np.linspace(0.8, 0.7, 20)
    scores = base[None, :] + 0.01 * rng.random((200, 20))
    scores[:5, 19] = -np.inf  # some prospects may not see the last village
    k, max_loss = 5, 0.1
    plain = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    spread = exposure_aware(scores, k, max_loss=max_loss)
    assert exposure_gini(exposure_counts(spread, 20)) < exposure_gini(exposure_counts(plain, 20))
    assert (exposure_counts(spread, 20) > 0).all()  # no village is never shown
    # With a narrower band, only villages outside every prospect's band stay unshown.
    narrow = exposure_aware(scores, k, max_loss=0.03)
    kth = np.take_along_axis(scores, plain[:, -1:], axis=1)
    reachable = (scores >= kth - 0.03).any(axis=0)
    assert ((exposure_counts(narrow, 20) > 0) == reachable).all()
    kth = np.take_along_axis(scores, plain[:, -1:], axis=1)
    shown = np.take_along_axis(scores, spread, axis=1)
    assert (shown >= kth - max_loss - 1e-12).all()  # the stated bound on each prospect's loss
    # Each row is a ranking: distinct villages, sorted by score.
    assert all(len(set(row)) == k for row in spread)
    assert (np.diff(shown, axis=1) <= 0).all()


def test_exposure_aware_with_no_loss_allowed_keeps_the_plain_rankings() -> None:
    scores = np.random.default_rng(0).random((30, 8))
    plain = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    np.testing.assert_array_equal(exposure_aware(scores, 3, max_loss=0.0), plain)
