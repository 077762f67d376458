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


#: The trades villages ask for (issue 20): a need's service is answered by one of them.
VILLAGE_TRADES = {"food_trade", "general_practitioner", "pharmacist", "childcare_worker"}


def test_the_profession_vocabulary_covers_the_issue_list() -> None:
    assert set(vocab.PROFESSION_CODES) == REQUIRED | VILLAGE_TRADES
    assert vocab.PROFESSION_CODES[-1] == "other"


#: Services a village may lack that no profession of the vocabulary provides.
UNANSWERED = {"post_office", "hairdresser", "garage"}


def test_every_service_and_premises_use_has_professions_that_answer_it() -> None:
    for service in vocab.SERVICES:
        assert bool(service.providers) == (service.code not in UNANSWERED), service.code
        assert set(service.providers) <= set(vocab.PROFESSION_CODES)
    for _, _, users in vocab.PREMISES_USES.values():
        assert set(users) <= set(vocab.PROFESSION_CODES)
    assert {p for s in vocab.SERVICES for p in s.providers} >= VILLAGE_TRADES


@pytest.mark.parametrize("profession", vocab.PROFESSIONS)
def test_each_profession_has_labels_and_bounded_attributes(profession: vocab.Profession) -> None:
    assert profession.label("fr")
    assert profession.label("en")
    assert 0 <= profession.local_clients <= 1
    assert 0 <= profession.travel <= 1


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
