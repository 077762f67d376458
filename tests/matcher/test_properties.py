"""Properties the issue names, over generated profiles (hypothesis)."""

import dataclasses
from datetime import date

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features.criteria import codes as criterion_codes
from matcher import Recommender
from matcher.weighted import WeightedMatcher
from tests.conftest import realistic_villages
from tests.strategies import needs, profiles

CRITERION_CODES = criterion_codes()

MATCHER = WeightedMatcher.from_profile("default", villages=realistic_villages()).fit()

NEEDY = realistic_villages()
TODAY = date(2026, 12, 7)

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(profile=profiles)
def test_contributions_sum_to_the_score_in_zero_one(profile) -> None:
    scored = MATCHER.evaluate([profile])
    assert ((scored.scores >= 0) & (scored.scores <= 1)).all()
    np.testing.assert_allclose(scored.contributions.sum(axis=2), scored.scores, atol=1e-9)


@SETTINGS
@given(profile=profiles)
def test_same_input_same_output(profile) -> None:
    first, second = MATCHER.decision_function([profile]), MATCHER.decision_function([profile])
    np.testing.assert_array_equal(first, second)


@SETTINGS
@given(profile=profiles, factor=st.floats(1.0, 10.0))
def test_a_larger_budget_never_shrinks_the_feasible_set(profile, factor) -> None:
    if profile["housing"] is None:
        profile = {
            **profile,
            "housing": {"tenure": "buy", "budget_eur": 100000.0, "min_bedrooms": 2},
        }
    richer = {
        **profile,
        "housing": {
            **profile["housing"],
            "budget_eur": min(profile["housing"]["budget_eur"] * factor, 1e8),
        },
    }
    before = MATCHER.evaluate([profile]).eligible
    after = MATCHER.evaluate([richer]).eligible
    assert (after >= before).all()


@SETTINGS
@given(profile=profiles, extra=st.sampled_from(CRITERION_CODES))
def test_adding_a_must_never_adds_a_village(profile, extra) -> None:
    stricter = {**profile, "must": sorted(set(profile["must"]) | {extra})}
    before = MATCHER.evaluate([profile]).eligible
    after = MATCHER.evaluate([stricter]).eligible
    assert (after <= before).all()


@SETTINGS
@given(
    profile=profiles,
    listing=st.fixed_dictionaries(
        {
            "insee": st.sampled_from(["32001", "32002", "32003", "32004", "32005"]),
            "tenure": st.sampled_from(["buy", "rent"]),
            "price_eur": st.floats(100, 500_000),
            "bedrooms": st.integers(0, 6),
        }
    ),
)
def test_a_new_listing_never_makes_a_village_worse_for_housing(profile, listing) -> None:
    import pandas as pd

    from features.criteria import codes as criterion_codes

    CRITERION_CODES = criterion_codes()

    with_listing = WeightedMatcher.from_profile(
        "default", villages=realistic_villages(), homes=pd.DataFrame([listing])
    ).fit()
    h = CRITERION_CODES.index("housing")
    before = MATCHER.evaluate([profile]).pairs
    after = with_listing.evaluate([profile]).pairs
    assert (after.values[:, :, h] >= before.values[:, :, h] - 1e-12).all()
    assert (after.eligible >= before.eligible).all()


def _ranks(recommender: Recommender, profile: dict) -> dict[str, int]:
    (ranking,) = recommender.recommend(profile, len(NEEDY))
    return {r.insee: r.rank for r in ranking.results}


@SETTINGS
@given(profile=profiles, need=needs, village=st.integers(0, 4))
def test_a_need_a_prospect_answers_never_lowers_the_village_for_them(profile, need, village):
    """Issue 20: a village with a need the prospect answers never ranks lower for that
    prospect than without the need; contributions still sum to the score."""
    insee = sorted(NEEDY["insee"])[village]
    need = dataclasses.replace(need, insee=insee)
    profile = {**profile, "must": []}
    without = Recommender(NEEDY, today=TODAY)
    with_need = Recommender(NEEDY, needs=[need], today=TODAY)
    before, after = _ranks(without, profile), _ranks(with_need, profile)
    assert after[insee] <= before[insee]
    (ranking,) = with_need.recommend(profile, len(NEEDY))
    for result in ranking.results:
        assert abs(sum(result.contributions.values()) - result.score) < 1e-9
