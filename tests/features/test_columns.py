import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.columns import (
    PROFILE_COLUMNS,
    Homes,
    profile_matrix,
    profile_row,
    prospect_derived,
    prospect_derived_row,
    village_derived,
    village_inputs,
)
from features.exceptions import FeaturesError
from features.profile import Profile
from features.prospect import ProspectVectorizer, profile_table
from features.village import VillageVectorizer, village_frame
from tests.conftest import API_EXAMPLE_PROFILE, realistic_villages
from tests.strategies import profiles as valid_profiles

HOMES = pd.DataFrame(
    {
        "insee": ["32003", "32001", "32001", "31555"],
        "tenure": ["buy", "rent", "buy", "buy"],
        "price_eur": [180_000.0, 650.0, 95_000.0, 200_000.0],
        "bedrooms": [3, 2, 4, 3],
    }
)
PROFILES = [
    API_EXAMPLE_PROFILE,
    {"profession": "craft_maker", "connectivity": "basic", "remote_days_per_week": 1},
]


def test_prospect_derivation_is_the_vectorizers() -> None:
    table = profile_table(PROFILES)
    vectorizer = ProspectVectorizer().fit(table)
    names, matrix = vectorizer.get_feature_names_out(), vectorizer.transform(table)
    expected = dict(zip(names, matrix.T, strict=True))
    columns = dict(zip(PROFILE_COLUMNS, profile_matrix(PROFILES).T, strict=True))
    derived = columns | prospect_derived(columns)
    assert list(derived) == list(expected)
    for name, values in expected.items():
        np.testing.assert_array_equal(derived[name], values, err_msg=name)


@settings(max_examples=150, deadline=None)
@given(st.lists(valid_profiles, min_size=1, max_size=4))
def test_one_prospects_derivation_in_floats_is_the_arrays(profiles) -> None:
    matrix = profile_matrix(profiles)
    columns = dict(zip(PROFILE_COLUMNS, matrix.T, strict=True))
    derived = prospect_derived(columns)
    for row, profile in enumerate(profiles):
        values = profile_row(Profile.model_validate(profile))
        assert values == tuple(matrix[row].tolist())
        one = prospect_derived_row(dict(zip(PROFILE_COLUMNS, values, strict=True)))
        assert list(one) == list(derived)
        assert all(type(x) is float for x in one.values())
        assert one == {name: column[row] for name, column in derived.items()}


def test_village_inputs_and_derivation_are_the_vectorizers() -> None:
    villages = realistic_villages()
    solos = pd.Series({"32002": 2.0, "32005": 1.0})
    frame = village_frame(villages, HOMES, solos)
    vectorizer = VillageVectorizer().fit(frame)
    names, matrix = vectorizer.get_feature_names_out(), vectorizer.transform(frame)
    expected = dict(zip(names, matrix.T, strict=True))
    inputs = village_inputs(
        {c: villages[c].tolist() for c in villages.columns if c != "geometry"},
        villages["insee"].tolist(),
        HOMES["insee"].tolist(),
        {"32002": 2.0, "32005": 1.0},
    )
    derived = inputs | village_derived(inputs)
    assert list(derived) == list(expected)
    assert derived["homes_listed"].tolist() == [2.0, 0.0, 1.0, 0.0, 0.0]
    for name, values in expected.items():
        np.testing.assert_array_equal(derived[name], values, err_msg=name)


def test_village_inputs_name_a_missing_or_empty_column() -> None:
    columns = {c: [1.0] for c in village_frame(realistic_villages()).columns}
    without = {c: v for c, v in columns.items() if c != "population"}
    with pytest.raises(FeaturesError, match=r"expected columns \['population'\], not found"):
        village_inputs(without, ["32001"])
    with pytest.raises(FeaturesError, match="column 'solos_settled' expected finite numbers"):
        village_inputs(columns, ["32001"], solos_settled={"32001": float("nan")})


def test_listings_as_rows_are_the_listings_of_a_frame() -> None:
    codes = ["32001", "32002", "32003"]
    from_frame = Homes.from_frame(HOMES, codes)
    from_rows = Homes.from_rows(list(HOMES.itertuples(index=False, name=None)), codes)
    for field in ("village", "buy", "price_eur", "bedrooms"):
        np.testing.assert_array_equal(getattr(from_rows, field), getattr(from_frame, field))
    assert from_rows.village.tolist() == [2, 0, 0]  # the listing outside the villages is left
    assert len(Homes.from_rows([], codes).village) == 0


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        (("32001", "lease", 1.0, 1), "tenure expected 'buy' or 'rent', found 'lease'"),
        (("32001", "buy", "cheap", 1), "price_eur expected .*found 'cheap' \\(listing of 32001\\)"),
        (("32001", "buy", 1.0, -1), "bedrooms expected a finite number >= 0, found -1"),
    ],
)
def test_listings_as_rows_are_checked(listing, message) -> None:
    with pytest.raises(FeaturesError, match=message):
        Homes.from_rows([listing], ["32001"])
