import numpy as np
import pytest
from scipy.stats import spearmanr

import geodata
from features.criteria import codes as criterion_codes
from features.prospect import profile_table
from matcher.exceptions import MatcherError
from matcher.learned import LearnedMatcher, relevance_from_outcomes
from matcher.simulate import SYNTHETIC_NOTE, simulate_outcomes, simulate_profiles
from matcher.weighted import WeightedMatcher
from matcher.weights import load_weight_profile, save_weight_profile

CRITERION_CODES = criterion_codes()

# Far from the default profile, so that learning has to move away from its prior.
HIDDEN = {
    "connectivity": 4.0, "housing": 1.0, "schools": 3.0, "childcare": 0.5, "health": 2.0,
    "shops": 0.2, "access_auch": 2.5, "access_toulouse": 0.8, "settlement": 1.5,
    "ecosystem": 3.5, "community": 0.1, "village_needs": 1.0,
}  # fmt: skip


@pytest.fixture(scope="module")
def experiment():
    # Every Gers commune as a candidate: among the 52 partners alone some criteria barely
    # vary (all have a welcome committee), and a weight nothing varies cannot be learned.
    villages = geodata.read_villages().sort_values("insee")
    profiles = simulate_profiles(3000, random_state=1)
    outcomes = simulate_outcomes(profiles, villages, HIDDEN, random_state=2)
    relevance = relevance_from_outcomes(outcomes, len(profiles), villages["insee"])
    return villages, profile_table(profiles), relevance, outcomes


def test_simulated_outcomes_are_labelled_synthetic(experiment) -> None:
    _, _, _, outcomes = experiment
    assert outcomes["synthetic"].all()
    assert outcomes.attrs["synthetic"] == SYNTHETIC_NOTE
    assert outcomes.attrs["hidden_weights"]["ecosystem"] == 3.5
    assert set(outcomes["event"]) == {"shortlisted", "visited", "settled", "left"}


def test_learned_weights_recover_the_hidden_order_and_beat_uniform(experiment, tmp_path) -> None:
    villages, X, relevance, _ = experiment
    train, test = slice(0, 2000), slice(2000, 3000)
    learned = LearnedMatcher(villages=villages).fit(X.iloc[train], relevance[train])
    order = spearmanr(
        [learned.weights_[c] for c in CRITERION_CODES], [HIDDEN[c] for c in CRITERION_CODES]
    )
    assert order.statistic >= 0.8
    uniform = WeightedMatcher(villages=villages).fit()
    assert learned.score(X.iloc[test], relevance[test]) > uniform.score(
        X.iloc[test], relevance[test]
    )
    # Exported as a profile the service can load.
    path = save_weight_profile(
        learned.to_weight_profile("learned", "2026-11-22"), tmp_path / "learned.toml"
    )
    loaded = load_weight_profile(path)
    assert loaded.weights == pytest.approx(learned.weights_)
    assert "preference pairs" in loaded.description


def test_a_strong_prior_keeps_the_analysts_weights(experiment) -> None:
    villages, X, relevance, _ = experiment
    learned = LearnedMatcher(villages=villages, shrinkage=1e9).fit(X.iloc[:300], relevance[:300])
    prior = np.array(list(load_weight_profile("default").weights.values()))
    got = np.array([learned.weights_[c] for c in CRITERION_CODES])
    np.testing.assert_allclose(got, prior * len(prior) / prior.sum(), rtol=1e-3)


def test_outcomes_without_preferences_are_refused(experiment) -> None:
    villages, X, _, _ = experiment
    with pytest.raises(MatcherError, match="expected outcomes that prefer some villages"):
        LearnedMatcher(villages=villages).fit(X.iloc[:10], np.zeros((10, len(villages))))


def test_relevance_from_outcomes_lets_left_count_against() -> None:
    import pandas as pd

    outcomes = pd.DataFrame(
        {
            "prospect": [0, 0, 0, 1],
            "insee": ["32001", "32001", "32002", "32002"],
            "event": ["settled", "left", "visited", "shortlisted"],
        }
    )
    relevance = relevance_from_outcomes(outcomes, 2, ["32001", "32002"])
    assert relevance.tolist() == [[-1.0, 2.0], [0.0, 1.0]]
    with pytest.raises(MatcherError, match="event expected one of"):
        relevance_from_outcomes(outcomes.assign(event="liked"), 2, ["32001", "32002"])


def test_a_planned_visit_and_a_met_committee_grade_between_their_neighbours() -> None:
    import pandas as pd

    outcomes = pd.DataFrame(
        {
            "prospect": [0, 0, 0, 1, 1, 1],
            "insee": ["32001", "32001", "32002", "32001", "32001", "32002"],
            "event": [
                "shortlisted",
                "visit_planned",
                "visited",
                "met_committee",
                "visited",
                "settled",
            ],
        }
    )
    relevance = relevance_from_outcomes(outcomes, 2, ["32001", "32002"])
    assert relevance.tolist() == [[1.5, 2.0], [2.5, 3.0]]
