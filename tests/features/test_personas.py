import geodata
from features.personas import PERSONAS
from features.profile import Profile
from matcher import Recommender


def test_personas_are_valid_distinct_profiles() -> None:
    assert len(PERSONAS) == 6
    assert all(isinstance(p, Profile) for p in PERSONAS.values())
    assert len({p.model_dump_json() for p in PERSONAS.values()}) == len(PERSONAS)


def test_every_persona_has_villages_to_compare_on_the_real_partners() -> None:
    villages = geodata.read_villages()
    recommender = Recommender(villages[villages["partner"]])
    rankings = recommender.recommend(list(PERSONAS.values()), 5)
    for name, ranking in zip(PERSONAS, rankings, strict=True):
        assert len(ranking.results) == 5, name
