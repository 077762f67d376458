"""The village_needs criterion: how well a prospect answers what a village asks for."""

from datetime import date

import numpy as np
import pytest

from features import criteria
from features.exceptions import FeaturesError
from features.needs import Need
from matcher import Recommender
from tests.conftest import realistic_villages

TODAY = date(2026, 12, 7)
FAMILY = {
    "profession": "translator",
    "connectivity": "basic",
    "household": {"adults": 2, "children_ages": [7, 9]},
}
NEEDS_AT = criteria.codes().index("village_needs")


def villages():  # type: ignore[no-untyped-def]
    table = realistic_villages()
    table["name"] = ["Sarrant", "Aubiet", "Monfort", "Lias", "Ordan-Larroque"]
    return table


def ranking(profile, needs, lang="fr"):  # type: ignore[no-untyped-def]
    recommender = Recommender(villages(), needs=needs, today=TODAY)
    (found,) = recommender.recommend({**profile, "must": ["village_needs"]}, 5, lang=lang)
    return found


SCHOOL = Need("1", "32001", "school_pupils", age_min=6, age_max=10, pupils=3, by=date(2027, 9, 1))


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "L'école de Sarrant cherche 3 élèves de 6 à 10 ans pour la rentrée 2027 : vos 2 "
         "enfants comptent"),
        ("en", "Sarrant's school needs 3 pupils aged 6 to 10 for the 2027 school year: your 2 "
         "children count"),
    ],
)  # fmt: skip
def test_a_school_need_names_the_need_and_the_prospects_part(lang, said) -> None:
    (result,) = ranking(FAMILY, [SCHOOL], lang).results
    assert result.insee == "32001"
    assert said in result.reasons


def test_children_count_at_the_age_they_will_have_when_the_school_counts() -> None:
    """Schools take children by the year they were born: a child of 4 in December 2026 is
    among the 6-year-olds of September 2028, one of 6 among the 8-year-olds."""
    later = Need("1", "32001", "school_pupils", age_min=6, age_max=6, pupils=1, by=date(2028, 9, 1))
    aged = {**FAMILY, "household": {"children_ages": [4]}}
    assert [r.insee for r in ranking(aged, [later]).results] == ["32001"]
    assert ranking({**FAMILY, "household": {"children_ages": [6]}}, [later]).results == []


def test_a_partial_answer_counts_half_and_more_with_each_pupil() -> None:
    recommender = Recommender(villages(), needs=[SCHOOL], today=TODAY)
    one = {**FAMILY, "household": {"children_ages": [7]}}
    three = {**FAMILY, "household": {"children_ages": [6, 7, 8]}}
    values = recommender.scorer.evaluate(recommender.scorer.prospect_columns([one, three]))
    np.testing.assert_allclose(values.pairs.values[:, 0, NEEDS_AT], [0.5 + 0.5 / 3, 1.0])


@pytest.mark.parametrize(
    ("need", "profession", "said"),
    [
        (Need("2", "32002", "trade", service="bakery"), "food_trade",
         "Le village cherche : boulangerie ; votre métier y répond"),
        (Need("2", "32002", "trade", professions=("general_practitioner",)),
         "general_practitioner",
         "Le village cherche : médecin généraliste ; votre métier y répond"),
        (Need("2", "32002", "premises", use="workshop", surface_m2=80, rent_eur=300),
         "building_artisan",
         "Local à louer pour votre activité : atelier de 80 m², 300\u202f€ par mois"),
    ],
)  # fmt: skip
def test_a_trade_or_premises_need_is_answered_by_the_professions_it_names(
    need, profession, said
) -> None:
    (result,) = ranking({**FAMILY, "profession": profession}, [need]).results
    assert result.insee == "32002"
    assert said in result.reasons
    assert ranking({**FAMILY, "household": {}}, [need]).results == []  # a translator


def test_premises_count_more_for_a_trade_that_receives_its_clients() -> None:
    office = Need("3", "32003", "premises", use="office")
    recommender = Recommender(villages(), needs=[office], today=TODAY)
    scored = recommender.scorer.evaluate(
        recommender.scorer.prospect_columns(
            [{**FAMILY, "profession": "software_developer"}, {**FAMILY, "profession": "therapist"}]
        )
    )
    remote, practice = scored.pairs.values[:, 2, NEEDS_AT]
    assert 0.5 <= remote < practice


def test_a_prospect_who_can_answer_no_need_keeps_the_scores_he_had() -> None:
    """Importance 0 for a prospect without school-age children nor a trade villages ask for."""
    alone = {"profession": "salaried_teleworker", "connectivity": "basic"}
    with_needs = Recommender(villages(), needs=[SCHOOL], today=TODAY).recommend(alone, 5)[0]
    without = Recommender(villages(), today=TODAY).recommend(alone, 5)[0]
    assert [r.score for r in with_needs.results] == [r.score for r in without.results]


def test_a_need_is_checked_when_it_is_made() -> None:
    with pytest.raises(FeaturesError, match="expected ages from 3 to 17"):
        Need("1", "32001", "school_pupils", age_min=1, age_max=10, pupils=2)
    with pytest.raises(FeaturesError, match="unknown profession or service 'baker'"):
        Need("1", "32001", "trade", service="baker")


def test_a_suggestion_says_which_opened_village_needs_the_prospect() -> None:
    """A village a must excludes, where the prospect answers a need: the suggestion that would
    open it says so."""
    profile = {**FAMILY, "must": ["access_auch"], "preferences": {"max_minutes_to_auch": 30}}
    lias = Need("4", "32004", "school_pupils", age_min=6, age_max=10, pupils=2, by=date(2027, 9, 1))
    (found,) = Recommender(villages(), needs=[lias], today=TODAY).recommend(profile, 5)
    (dropped,) = [s for s in found.suggestions if s.change == "must"]
    assert "32004" in dropped.opens
    assert dropped.highlights["32004"] == [
        "L'école de Lias cherche 2 élèves de 6 à 10 ans pour la rentrée 2027 : vos 2 enfants "
        "comptent"
    ]
    assert list(dropped.highlights) == ["32004"]
