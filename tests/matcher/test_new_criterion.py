"""Adding a criterion is one object in one file: registered in a fixture, it is ranked,
explained, usable as a must, weighed and reported in contributions, with no other module
edited (the registry is what every part reads)."""

from collections.abc import Iterator
from typing import ClassVar

import numpy as np
import pytest

from features import criteria
from features.criteria import Criterion, Evaluation
from features.i18n import minutes
from features.profile import Profile
from matcher import Recommender, WeightedMatcher, load_weight_profile
from tests.conftest import API_EXAMPLE_PROFILE, realistic_villages


class BakeryHere(Criterion):
    """A toy criterion: a bakery in the commune itself, counting more for families."""

    code = "bakery_here"
    texts: ClassVar = {
        "fr": {
            "label": "Boulangerie sur place",
            "must": "une boulangerie dans la commune",
            "here": "Boulangerie dans la commune",
            "away": "Boulangerie à {minutes}",
        },
        "en": {
            "label": "Bakery on site",
            "must": "a bakery in the commune",
            "here": "Bakery in the commune",
            "away": "Bakery {minutes} away",
        },
    }
    importance_inputs = ("adults",)
    village_columns = ("minutes_to_bakery",)

    def importance(self, p):  # type: ignore[no-untyped-def]
        return 0.5 + 0.5 * (p["adults"] > 1)

    def evaluate(self, p, villages):  # type: ignore[no-untyped-def]
        here = villages.columns["minutes_to_bakery"][None, :] == 0
        return Evaluation(here.astype(np.float64), here)

    def reason(self, village, p, details, lang):  # type: ignore[no-untyped-def]
        away = village["minutes_to_bakery"]
        return (
            self.say(lang, "here")
            if away == 0
            else self.say(lang, "away", minutes=minutes(away, lang))
        )

    def failure(self, village, p, details, lang):  # type: ignore[no-untyped-def]
        return self.reason(village, p, details, lang)


@pytest.fixture
def bakery() -> Iterator[Criterion]:
    with criteria.registered(BakeryHere()) as criterion:
        yield criterion


def weights(bakery_weight: float) -> dict[str, float]:
    """The default weights, and the new criterion's (a profile names every criterion)."""
    with_default = dict.fromkeys(criteria.codes(), 1.0)
    return with_default | DEFAULT | {"bakery_here": bakery_weight}


DEFAULT = dict(load_weight_profile("default").weights)


def villages_with_bakeries():  # type: ignore[no-untyped-def]
    villages = realistic_villages()
    villages["minutes_to_bakery"] = [0.0, 6.0, 0.0, 12.0, 3.0]
    return villages


def test_a_new_criterion_is_ranked_with_its_contribution(bakery) -> None:
    recommender = Recommender(villages_with_bakeries(), weights(100.0))
    (ranking,) = recommender.recommend({**API_EXAMPLE_PROFILE, "must": []}, 5, lang="en")
    assert {r.insee for r in ranking.results[:2]} == {"32001", "32003"}  # the two bakeries
    for result in ranking.results:
        assert list(result.contributions)[-1] == "bakery_here"
        assert sum(result.contributions.values()) == pytest.approx(result.score, abs=1e-9)
    assert "Bakery in the commune" in ranking.results[0].reasons


def test_a_new_criterion_is_a_must_with_its_reasons(bakery) -> None:
    profile = Profile.model_validate({**API_EXAMPLE_PROFILE, "must": ["bakery_here"]})
    (ranking,) = Recommender(villages_with_bakeries(), weights(1.0)).recommend(profile, 5)
    assert {r.insee for r in ranking.results} == {"32001", "32003"}
    excluded = {e.insee: e.reasons for e in ranking.excluded}
    assert excluded["32004"] == ("Boulangerie à 12 min",)
    assert ranking.suggestions[-1].change == "must"
    assert ranking.suggestions[-1].to == []


def test_a_new_criterion_is_in_the_vocabulary_and_the_weights(bakery) -> None:
    schema = Profile.model_json_schema()
    assert schema["$defs"]["CriterionCode"]["enum"][-1] == "bakery_here"
    matcher = WeightedMatcher(villages=villages_with_bakeries(), bakery_here=0.0)
    assert matcher.get_params()["bakery_here"] == 0.0
    assert matcher.fit().weights_[-1] == 0.0


def test_without_it_registered_it_is_unknown() -> None:
    with pytest.raises(ValueError, match="Input should be 'connectivity'"):
        Profile.model_validate({**API_EXAMPLE_PROFILE, "must": ["bakery_here"]})
