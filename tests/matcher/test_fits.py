"""The model run the other way (issue 20): the prospects a village fits, and the prospects a
change in a village brings it to, from the same scores as the prospects' own rankings."""

from datetime import date

import pytest

from features.needs import Need
from matcher import MatcherError, Recommender
from matcher.fits import newly_fitting, prospects_for
from matcher.simulate import simulate_profiles
from tests.conftest import realistic_villages

TODAY = date(2026, 12, 7)
PROFILES = [p.model_dump(mode="json") for p in simulate_profiles(40, random_state=3)]


@pytest.fixture(scope="module")
def recommender() -> Recommender:
    return Recommender(realistic_villages(), today=TODAY)


def test_a_village_fits_prospects_in_the_order_of_its_score_for_each(recommender) -> None:
    fits = prospects_for(recommender, "32003", PROFILES, k=10)
    assert [f.score for f in fits] == sorted((f.score for f in fits), reverse=True)
    assert len(fits) == 10
    for fit in fits:
        (ranking,) = recommender.recommend(PROFILES[fit.prospect], 5)
        result = next(r for r in ranking.results if r.insee == "32003")
        assert (fit.rank, fit.score, fit.reasons) == (result.rank, result.score, result.reasons)
        assert fit.contributions == result.contributions


def test_a_prospect_whose_musts_exclude_the_village_is_not_a_fit(recommender) -> None:
    strict = {**PROFILES[0], "must": ["schools"]}  # 32004's collège is 25 min away
    families = [{**strict, "household": {"children_ages": [12]}}]
    assert prospects_for(recommender, "32004", families) == []
    assert len(prospects_for(recommender, "32002", families)) == 1


def test_a_new_need_alerts_the_prospects_it_brings_the_village_to(recommender) -> None:
    need = Need("n", "32004", "school_pupils", age_min=3, age_max=17, pupils=2, by=date(2027, 9, 1))
    after = Recommender(realistic_villages(), needs=[need], today=TODAY)
    musts = [{**p, "must": ["village_needs"]} for p in PROFILES]
    alerts = newly_fitting(recommender, after, "32004", musts, k=2)
    with_children = [
        i
        for i, p in enumerate(musts)
        if any(3 <= a + 1 <= 17 for a in p["household"]["children_ages"])
    ]
    assert [a.prospect for a in alerts] == with_children
    assert all(a.must_passes for a in alerts)
    assert all(any("cherche 2 élèves de 3 à 17 ans" in r for r in a.fit.reasons) for a in alerts)
    assert newly_fitting(after, after, "32004", musts, k=2) == []


def test_an_unknown_village_is_named(recommender) -> None:
    with pytest.raises(MatcherError, match="village '31555': expected one of the candidate"):
        prospects_for(recommender, "31555", PROFILES)
