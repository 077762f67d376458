import math

import pytest
from pydantic import ValidationError

from features.profile import Profile
from tests.conftest import API_EXAMPLE_PROFILE

API_EXAMPLE = API_EXAMPLE_PROFILE


def test_the_api_example_is_a_valid_profile() -> None:
    profile = Profile.model_validate(API_EXAMPLE)
    assert profile.household.children_ages == [4, 12]
    assert list(profile.must) == ["connectivity", "housing"]
    assert profile.model_dump(mode="json") == API_EXAMPLE


def test_defaults_follow_the_contract() -> None:
    profile = Profile.model_validate({"profession": "other", "connectivity": "basic"})
    assert profile.remote_days_per_week == 5
    assert profile.household.adults == 1
    assert profile.housing is None
    assert profile.preferences.settlement == "any"
    assert profile.max_minutes_to_auch == 45
    assert profile.must == []


def _with(path: str, value: object) -> dict[str, object]:
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in API_EXAMPLE.items()}
    *parents, leaf = path.split(".")
    target = data
    for key in parents:
        target = target[key]  # type: ignore[assignment]
    target[leaf] = value  # type: ignore[index]
    return data


@pytest.mark.parametrize(
    ("path", "value", "loc", "message"),
    [
        ("profession", "plumber", ("profession",), "Input should be 'software_developer'"),
        ("housing.budget_eur", -1, ("housing", "budget_eur"), "greater than 0"),
        ("housing.budget_eur", math.nan, ("housing", "budget_eur"), "finite number"),
        ("housing.budget_eur", math.inf, ("housing", "budget_eur"), "finite number"),
        ("housing.budget_eur", 1e300, ("housing", "budget_eur"), "less than or equal to"),
        ("housing.tenure", "squat", ("housing", "tenure"), "'buy' or 'rent'"),
        ("housing.min_bedrooms", 11, ("housing", "min_bedrooms"), "less than or equal to 10"),
        ("household.children_ages", list(range(40)), ("household", "children_ages"), "at most 12"),
        (
            "household.children_ages",
            [4, 26],
            ("household", "children_ages", 1),
            "less than or equal to 25",
        ),
        ("household.adults", 0, ("household", "adults"), "greater than or equal to 1"),
        ("remote_days_per_week", 8, ("remote_days_per_week",), "less than or equal to 7"),
        ("remote_days_per_week", math.nan, ("remote_days_per_week",), "finite number"),
        # JSON's own types: no lax conversions of strings, fractions or yes/no values.
        ("remote_days_per_week", "5", ("remote_days_per_week",), "JSON number, not a string"),
        ("remote_days_per_week", 4.5, ("remote_days_per_week",), "fractional part"),
        ("remote_days_per_week", True, ("remote_days_per_week",), "not a boolean"),
        ("housing.budget_eur", "220000", ("housing", "budget_eur"), "not a string"),
        ("housing.budget_eur", True, ("housing", "budget_eur"), "not a boolean"),
        (
            "preferences.needs_train_station",
            0,
            ("preferences", "needs_train_station"),
            "valid boolean",
        ),
        (
            "preferences.needs_train_station",
            "yes",
            ("preferences", "needs_train_station"),
            "valid boolean",
        ),
        ("connectivity", "5g", ("connectivity",), "Input should be 'basic'"),
        (
            "preferences.settlement",
            "city",
            ("preferences", "settlement"),
            "'village', 'small_town' or 'any'",
        ),
        (
            "preferences.max_minutes_to_auch",
            0,
            ("preferences", "max_minutes_to_auch"),
            "greater than 0",
        ),
        ("must", ["schools", "schools"], ("must",), "criterion 'schools' is listed twice"),
        ("must", ["beach"], ("must", 0), "Input should be 'connectivity'"),
        ("colour", "blue", ("colour",), "Extra inputs are not permitted"),
        ("household.pets", 2, ("household", "pets"), "Extra inputs are not permitted"),
    ],
)
def test_bad_profiles_name_the_field(path: str, value: object, loc: tuple, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Profile.model_validate(_with(path, value))
    errors = info.value.errors()
    assert errors[0]["loc"] == loc
    assert message in errors[0]["msg"]


def test_profession_and_connectivity_are_required() -> None:
    with pytest.raises(ValidationError) as info:
        Profile.model_validate({})
    assert {e["loc"] for e in info.value.errors()} == {("profession",), ("connectivity",)}
