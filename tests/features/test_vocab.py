import re

import pytest

from features import vocab

REQUIRED = {
    "software_developer",
    "web_designer",
    "translator",
    "consultant",
    "journalist_writer",
    "photographer_video",
    "architect",
    "accountant",
    "trainer_coach",
    "therapist",
    "building_artisan",
    "craft_maker",
    "ecommerce_seller",
    "agricultural_project",
    "salaried_teleworker",
    "other",
}


def test_the_profession_vocabulary_covers_the_issue_list() -> None:
    assert set(vocab.PROFESSION_CODES) == REQUIRED


@pytest.mark.parametrize("profession", vocab.PROFESSIONS)
def test_each_profession_has_labels_and_bounded_attributes(profession: vocab.Profession) -> None:
    assert profession.label("fr")
    assert profession.label("en")
    assert 0 <= profession.local_clients <= 1
    assert 0 <= profession.travel <= 1


def test_each_criterion_states_its_must_threshold_in_both_languages() -> None:
    for criterion in vocab.CRITERIA:
        assert criterion.must_fr
        assert criterion.must_en
        assert criterion.label("fr")
        assert criterion.label("en")


@pytest.mark.parametrize(
    ("age", "level"),
    [
        (0, "creche"),
        (2, "creche"),
        (3, "ecole"),
        (10, "ecole"),
        (11, "college"),
        (14, "college"),
        (15, "lycee"),
        (17, "lycee"),
        (18, None),
        (25, None),
    ],
)
def test_school_level_follows_age(age: int, level: str | None) -> None:
    assert vocab.school_level(age) == level


def test_french_must_texts_follow_french_typography() -> None:
    for criterion in vocab.CRITERIA:
        text = criterion.must_fr
        assert not re.search(r"\d\.\d", text), f"{criterion.code}: decimal point in {text!r}"
        assert not re.search(r"\d ?%", text), f"{criterion.code}: % without a narrow space"
        assert not re.search(r"\d[ ,]\d{3}\b", text), f"{criterion.code}: thousands in {text!r}"
    assert "17,5 min" in vocab.CRITERIA_BY_CODE["ecosystem"].must_fr
