import re

import numpy as np
import pytest

from features import criteria
from features.criteria import Criterion, Evaluation
from features.exceptions import FeaturesError
from features.i18n import CATALOGUE, text


@pytest.mark.parametrize("criterion", criteria.all_criteria(), ids=lambda c: c.code)
def test_each_criterion_states_its_label_and_must_in_both_languages(criterion) -> None:
    for lang in ("fr", "en"):
        assert criterion.label(lang)
        assert criterion.must_text(lang)


@pytest.mark.parametrize("criterion", criteria.all_criteria(), ids=lambda c: c.code)
def test_french_must_texts_follow_french_typography(criterion) -> None:
    said = criterion.must_text("fr")
    assert not re.search(r"\d\.\d", said), f"decimal point in {said!r}"
    assert not re.search(r"\d ?%", said), f"% without a narrow space in {said!r}"
    assert not re.search(r"\d[ ,]\d{3}\b", said), f"thousands in {said!r}"


def test_thresholds_are_said_as_the_criteria_compute_them() -> None:
    assert "17,5 min" in criteria.get("ecosystem").must_text("fr")
    assert "45 min by default" in criteria.get("access_auch").must_text("en")


def test_the_registry_keeps_the_order_of_the_criteria() -> None:
    assert criteria.codes()[:3] == ("connectivity", "housing", "schools")
    assert [c.code for c in criteria.all_criteria()] == list(criteria.codes())
    assert criteria.REGISTRY.widened_by("housing.budget_eur") is criteria.get("housing")
    assert criteria.REGISTRY.widened_by("must") is None


class Quiet(Criterion):
    code = "quiet"
    texts = {  # noqa: RUF012
        "fr": {"label": "Calme", "must": "un village calme"},
        "en": {"label": "Quiet", "must": "a quiet village"},
    }

    def evaluate(self, p, villages) -> Evaluation:
        ones = np.ones((1, villages.n))
        return Evaluation(ones, ones > 0)


def test_a_criterion_registers_its_texts_and_leaves_with_them() -> None:
    with criteria.registered(Quiet()):
        assert criteria.codes()[-1] == "quiet"
        assert text("en", "criterion.quiet.label") == "Quiet"
        with pytest.raises(FeaturesError, match="'quiet': already registered"):
            criteria.REGISTRY.register(Quiet())
    assert "quiet" not in criteria.codes()
    with pytest.raises(KeyError, match=r"criterion\.quiet\.label"):
        text("en", "criterion.quiet.label")


def test_a_criterion_code_and_its_texts_are_checked() -> None:
    class Bad(Quiet):
        code = "Bad code"

    with pytest.raises(FeaturesError, match="expected snake_case, found 'Bad code'"):
        criteria.REGISTRY.register(Bad())

    class Untranslated(Quiet):
        code = "untranslated"
        texts = {"fr": {"label": "X", "must": "x"}, "en": {"label": "X"}}  # noqa: RUF012

    with pytest.raises(ValueError, match=r"keys differ between languages: \['must'\]"):
        criteria.REGISTRY.register(Untranslated())
    assert "untranslated" not in criteria.codes()
    with pytest.raises(KeyError):
        CATALOGUE.section("fr", "criterion.untranslated")


def test_an_unknown_criterion_is_named() -> None:
    with pytest.raises(FeaturesError, match=r"expected one of \['connectivity'.*found 'wifi'"):
        criteria.get("wifi")
