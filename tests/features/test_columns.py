import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.columns import (
    ProspectTable,
    profile_columns,
    profile_matrix,
    profile_row,
    prospect_columns,
    village_inputs,
)
from features.exceptions import FeaturesError
from features.pairs import village_features
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


def test_prospect_columns_are_the_vectorizers() -> None:
    table = profile_table(PROFILES)
    vectorizer = ProspectVectorizer().fit(table)
    names, matrix = vectorizer.get_feature_names_out(), vectorizer.transform(table)
    expected = dict(zip(names, matrix.T, strict=True))
    columns = prospect_columns(PROFILES)
    assert list(columns) == list(names[: len(columns)])
    for name, values in columns.items():
        np.testing.assert_array_equal(values, expected[name], err_msg=name)


@settings(max_examples=150, deadline=None)
@given(st.lists(valid_profiles, min_size=1, max_size=4))
def test_one_prospects_columns_are_its_row_of_a_batch(profiles) -> None:
    """One prospect's derivations are kept per case: the kept ones are the batch's bits."""
    batch = prospect_columns(profiles)
    for row, profile in enumerate(profiles):
        values = profile_row(Profile.model_validate(profile))
        assert values == tuple(profile_matrix(profiles)[row].tolist())
        for _ in range(2):  # made, then kept
            one = prospect_columns([profile])
            assert one.row(0) == batch.row(row)
            assert all(type(x) is float for x in one.row(0).values())


def test_a_prospect_table_reads_by_column_by_row_and_by_case() -> None:
    table = ProspectTable(np.array([[1.0, 2.0], [3.0, 4.0]]), ["a", "b"])
    assert list(table) == ["a", "b"]
    assert table["b"].tolist() == [2.0, 4.0]
    assert table.row(1) == {"a": 3.0, "b": 4.0}
    assert table.key(["b", "a"]) == np.array([2.0, 1.0]).tobytes()
    assert table.sliced(1, 2).row(0) == {"a": 3.0, "b": 4.0}
    joined = table.joined({"c": np.array([5.0, 6.0])})
    assert joined.row(1) == {"a": 3.0, "b": 4.0, "c": 6.0}
    assert ProspectTable.from_columns(dict(joined)).row(0) == joined.row(0)
    assert list(prospect_columns(PROFILES))[: len(profile_columns())] == list(profile_columns())


def test_village_inputs_and_features_are_the_vectorizers() -> None:
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
    derived = inputs | village_features(inputs)
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
