"""A committee's list of prospects (issue 20): no contact, no free text, an opaque id per
village, and no combination of profession and children's ages shared by fewer than 3."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.profile import Profile
from service.anonymise import ALIKE, anonymised, opaque_id
from tests.strategies import profiles

SECRET = b"a secret of the deployment"


def profile(profession: str, ages: list[int], budget: float = 180_000) -> Profile:
    return Profile.model_validate(
        {
            "profession": profession,
            "connectivity": "basic",
            "household": {"adults": 2, "children_ages": ages},
            "housing": {"tenure": "buy", "budget_eur": budget},
        }
    )


def test_a_rare_combination_is_told_less_precisely() -> None:
    many = [(f"p{i}", profile("translator", [4, 12])) for i in range(3)]
    rare = ("rare", profile("architect", [7]))
    listed = anonymised([*many, rare], "32416", SECRET, "fr")
    assert [p.household for p in listed[:3]] == ["2 adultes, 2 enfants (4 et 12 ans)"] * 3
    assert listed[0].profession == "Traducteur·rice"
    # One architect with a child of 7: neither the profession nor the age is told.
    assert (listed[3].profession, listed[3].household) == ("Autre métier", "2 adultes, 1 enfant")
    assert listed[3].housing == "Achat, budget de 150\u202f000\u202f€ à 200\u202f000\u202f€"


def test_school_levels_stand_for_ages_where_that_is_enough() -> None:
    alike = [(f"p{i}", profile("translator", [age])) for i, age in enumerate([4, 6, 9])]
    listed = anonymised(alike, "32416", SECRET, "en")
    assert {p.household for p in listed} == {"2 adults, 1 child (primary school)"}


def test_ids_differ_between_villages_and_hold_nothing_of_the_prospect() -> None:
    one, other = opaque_id("p1", "32416", SECRET), opaque_id("p1", "32249", SECRET)
    assert one != other
    assert "p1" not in one
    assert len(one) == 12


@settings(max_examples=60, deadline=None)
@given(st.lists(profiles, min_size=1, max_size=30))
def test_no_description_fits_fewer_than_three_unless_all_are_generalised(drawn) -> None:
    listed = anonymised(
        [(str(i), Profile.model_validate(p)) for i, p in enumerate(drawn)], "32416", SECRET, "fr"
    )
    alike = Counter((p.profession, p.household) for p in listed)
    for p in listed:
        if alike[(p.profession, p.household)] < ALIKE:
            # Only the least precise description may remain rare (a short list says little).
            assert p.profession == "Autre métier"
            assert "(" not in p.household


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_rents_are_told_as_monthly_bands(lang) -> None:
    renter = Profile.model_validate(
        {"profession": "other", "connectivity": "basic",
         "housing": {"tenure": "rent", "budget_eur": 650}}
    )  # fmt: skip
    (listed,) = anonymised([("r", renter)], "32416", SECRET, lang)
    assert (
        listed.housing
        == {
            "fr": "Location, loyer de 500\u202f€ à 700\u202f€ par mois",
            "en": "Rent, €500 to €700 a month",
        }[lang]
    )
