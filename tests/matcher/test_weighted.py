import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from features.criteria import codes as criterion_codes
from features.prospect import profile_table
from matcher.exceptions import MatcherError, WeightProfileError
from matcher.weighted import WeightedMatcher
from tests.conftest import realistic_villages

CRITERION_CODES = criterion_codes()

PROFILES = [
    {
        "profession": "software_developer",
        "connectivity": "video_calls",
        "household": {"children_ages": [12]},
    },
    {"profession": "building_artisan", "connectivity": "basic", "remote_days_per_week": 0},
    {"profession": "translator", "connectivity": "large_uploads", "must": ["health"]},
]


@pytest.fixture
def fitted() -> WeightedMatcher:
    return WeightedMatcher.from_profile("default", villages=realistic_villages()).fit()


def test_large_batches_are_scored_in_chunks_with_the_same_scores(
    fitted, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matcher import scoring

    profiles = PROFILES * 3
    whole = fitted.evaluate(profiles).ranking_scores()
    monkeypatch.setattr(scoring, "CHUNK", 2)
    np.testing.assert_array_equal(fitted.decision_function(profiles), whole)
    table = profile_table(profiles)
    np.testing.assert_array_equal(fitted.decision_function(table), whole)


def test_weights_are_constructor_parameters() -> None:
    matcher = WeightedMatcher(schools=2.0)
    assert matcher.get_params()["schools"] == 2.0
    matcher.set_params(schools=0.5, housing=3.0)
    assert (matcher.schools, matcher.housing) == (0.5, 3.0)
    assert clone(matcher).get_params()["housing"] == 3.0


def test_scores_are_normalised_weighted_sums(fitted) -> None:
    scored = fitted.evaluate(PROFILES)
    assert scored.scores.shape == (3, 5)
    assert ((scored.scores >= 0) & (scored.scores <= 1)).all()
    np.testing.assert_allclose(scored.contributions.sum(axis=2), scored.scores, atol=1e-12)
    # By hand for one pair: sum_c w_c i_c v_c / sum_c w_c i_c.
    w, pairs = fitted.weights_, scored.pairs
    effective = w * pairs.importance[0]
    assert scored.scores[0, 2] == pytest.approx(effective @ pairs.values[0, 2] / effective.sum())


def test_a_must_removes_villages_from_the_ranking(fitted) -> None:
    scores = fitted.decision_function(PROFILES)
    assert np.isneginf(scores[2, 3])  # village 4: doctor 16 min, over the 15 min of the must
    assert np.isfinite(scores[:2]).all()


def test_fit_refuses_bad_weights_and_missing_villages() -> None:
    with pytest.raises(
        WeightProfileError, match=r"weights\.schools: expected a number from 0 to 1000"
    ):
        WeightedMatcher(schools=-1, villages=realistic_villages()).fit()
    with pytest.raises(MatcherError, match="expected at least one candidate village"):
        WeightedMatcher().fit()
    with pytest.raises(MatcherError, match="unique INSEE codes in increasing order"):
        WeightedMatcher(villages=realistic_villages().iloc[::-1]).fit()


def test_score_accepts_chosen_codes_or_relevance(fitted) -> None:
    top = fitted.codes_[np.argmax(fitted.decision_function(PROFILES), axis=1)]
    assert fitted.score(PROFILES, list(top)) == pytest.approx(1.0)
    with pytest.raises(MatcherError, match="village '31555' is not among the candidates"):
        fitted.score(PROFILES, ["31555", "32001", "32002"])
    with pytest.raises(MatcherError, match="expected 3 items"):
        fitted.score(PROFILES, ["32001"])


def test_grid_search_tunes_weights() -> None:
    # Village 32004 has the only collège nearby and is the worst on everything else; every
    # prospect (each with a child of collège age) chose it.
    villages = realistic_villages()
    villages["minutes_to_middle_school"] = [40.0, 40.0, 40.0, 0.0, 40.0]
    rng = np.random.default_rng(0)
    profiles = [
        {"profession": "other", "connectivity": "basic", "household": {"children_ages": [int(a)]}}
        for a in rng.integers(11, 15, size=30)
    ]
    search = GridSearchCV(WeightedMatcher(villages=villages), {"schools": [0.0, 1.0, 20.0]}, cv=3)
    search.fit(profile_table(profiles), ["32004"] * len(profiles))
    assert search.best_params_ == {"schools": 20.0}
    assert search.best_score_ == pytest.approx(1.0)
    assert search.cv_results_["mean_test_score"][0] < 1.0


def test_weights_property_lists_every_criterion() -> None:
    assert list(WeightedMatcher().weights) == list(CRITERION_CODES)
