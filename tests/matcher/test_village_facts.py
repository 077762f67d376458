"""Rankings on the packaged data tell village facts as they are in 2026: fibre 2025 first,
road times, doctors' access, rents of ANIL, prices that say how many sales they rest on."""

import numpy as np
import pandas as pd
import pytest

import geodata
from features import criteria
from features.criteria.housing import FEW_SALES
from matcher import Recommender

FAMILY = {
    "profession": "software_developer",
    "connectivity": "video_calls",
    "household": {"adults": 2, "children_ages": [4, 12]},
    "housing": {"tenure": "buy", "budget_eur": 220000, "min_bedrooms": 3},
}


#: Weights that make housing the one criterion, and so each result's one reason.
ONLY_HOUSING = dict.fromkeys(criteria.codes(), 0.0) | {"housing": 1.0}


@pytest.fixture(scope="module")
def villages() -> pd.DataFrame:
    return geodata.read_villages()


@pytest.fixture(scope="module")
def partners(villages) -> pd.DataFrame:
    return villages[villages["partner"]]


def test_large_uploads_get_villages_with_more_fibre_than_the_partners_average(partners) -> None:
    profile = {**FAMILY, "profession": "photographer_video", "connectivity": "large_uploads"}
    (ranking,) = Recommender(partners).recommend(profile, 10)
    shown = partners.loc[[r.insee for r in ranking.results], "ftth_share"]
    assert shown.mean() > partners["ftth_share"].mean()
    assert shown.min() >= 0.8  # what a must would ask, though none was set


def test_no_partner_most_of_whose_premises_have_fibre_is_excluded_for_mail(partners) -> None:
    profile = {"profession": "translator", "connectivity": "basic", "must": ["connectivity"]}
    (ranking,) = Recommender(partners).recommend(profile, 10)
    excluded = partners.loc[[e.insee for e in ranking.excluded], "ftth_share"]
    assert (excluded < 0.5).all()
    assert partners["ftth_share"].min() >= 0.5
    assert not ranking.excluded


def test_a_village_with_more_access_to_doctors_is_healthier(partners) -> None:
    def health(villages: pd.DataFrame) -> np.ndarray:
        scorer = Recommender(villages).scorer
        values = scorer.evaluate(scorer.prospect_columns([FAMILY])).pairs.values
        return values[0, :, criteria.codes().index("health")]

    before = health(partners)
    after = health(partners.assign(apl_doctors=partners["apl_doctors"] + 1.0))
    assert (after >= before).all()
    assert (after > before).any()


def test_every_estimated_house_price_says_how_many_sales_it_rests_on(villages) -> None:
    """Over every commune of the Gers: an estimate resting on under 10 sales says so."""
    buyer = {**FAMILY, "housing": {"tenure": "buy", "budget_eur": 60000, "min_bedrooms": 1}}
    recommender = Recommender(villages.assign(partner=True), ONLY_HOUSING)
    (ranking,) = recommender.recommend(buyer, len(villages), lang="en")
    for result in ranking.results:
        sentence = result.reasons[0]
        sales = int(villages.at[result.insee, "house_price_sales"])
        assert result.facts["house_price_sales"] == sales
        if sales == 0:
            assert "no sale in the commune: the intercommunality's price" in sentence
        elif sales < FEW_SALES:
            assert f"few sales in the commune ({sales})" in sentence
        else:
            assert f"{sales} sales in the commune" in sentence


def test_montesquiou_reads_sensibly(villages) -> None:
    """Six sales at 408 €/m² once made a 1-bedroom house "estimated at 25,000 €"."""
    one = villages[villages["name"] == "Montesquiou"].assign(partner=True)
    buyer = {**FAMILY, "housing": {"tenure": "buy", "budget_eur": 300000, "min_bedrooms": 1}}
    (ranking,) = Recommender(one, ONLY_HOUSING).recommend(buyer, 1)
    (result,) = ranking.results
    assert result.facts["estimated_housing_cost_eur"] == 50_000
    assert result.reasons[0] == (
        "Maison de 1 chambre estimée à 50\u202f000\u202f€ (837\u202f€/m² ; DVF 2024, peu de ventes "
        "dans la commune (6) : prix rapproché de celui de l'intercommunalité)"
    )


def test_rents_are_the_villages_rent_per_m2_times_the_surface(partners) -> None:
    renter = {**FAMILY, "housing": {"tenure": "rent", "budget_eur": 900, "min_bedrooms": 2}}
    recommender = Recommender(partners)
    scored = recommender.scorer.evaluate(recommender.scorer.prospect_columns([renter]))
    cost = scored.pairs.details["housing_cost"][0]
    rent = np.array([f["rent_m2_house"] for f in recommender.facts])
    np.testing.assert_allclose(cost, rent * 80.0)  # 2 bedrooms: 80 m², a house
