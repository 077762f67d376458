import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from features.criteria import codes as criterion_codes
from features.prospect import ProspectVectorizer, profile_columns, profile_table
from features.village import VillageVectorizer, village_frame

CRITERION_CODES = criterion_codes()


@parametrize_with_checks([ProspectVectorizer(), VillageVectorizer()])
def test_sklearn_compatible(estimator, check) -> None:
    check(estimator)


PROFILES = [
    {"profession": "consultant", "connectivity": "large_uploads", "remote_days_per_week": 2},
    {"profession": "translator", "connectivity": "basic", "household": {"children_ages": [1, 12]}},
    {
        "profession": "building_artisan",
        "connectivity": "video_calls",
        "housing": {"tenure": "rent", "budget_eur": 800, "min_bedrooms": 2},
        "preferences": {"needs_train_station": True, "settlement": "village"},
        "must": ["schools"],
    },
]


def test_profile_table_encodes_each_field() -> None:
    table = profile_table(PROFILES)
    assert list(table.columns) == list(profile_columns())
    assert table["connectivity_level"].tolist() == [2, 0, 1]
    assert table[["n_creche", "n_college"]].to_numpy().tolist() == [[0, 0], [1, 1], [0, 0]]
    assert table.loc[2, ["has_housing", "buy", "budget_eur", "min_bedrooms"]].tolist() == [
        1,
        0,
        800,
        2,
    ]
    assert table["must_schools"].tolist() == [0, 0, 1]
    assert table["wants_village"].tolist() == [0, 0, 1]


def test_prospect_vectorizer_derives_importances() -> None:
    table = profile_table(PROFILES)
    vectorizer = ProspectVectorizer().fit(table)
    names = list(vectorizer.get_feature_names_out())
    assert names[: len(profile_columns())] == list(profile_columns())
    assert names[len(profile_columns()) :] == [
        "travel_need",
        "bedrooms_needed",
        *(f"importance_{c}" for c in CRITERION_CODES),
    ]
    out = dict(zip(names, vectorizer.transform(table).T, strict=True))
    # A consultant on site three days a week needs Toulouse more than a remote translator.
    assert out["travel_need"][0] > out["travel_need"][1]
    assert out["importance_access_toulouse"][0] > out["importance_access_toulouse"][1]
    # Schools and childcare matter only with children of that age.
    assert out["importance_schools"].tolist() == [0, 1, 0]
    assert out["importance_childcare"].tolist() == [0, 1, 0]
    # Settlement is off for "any".
    assert out["importance_settlement"].tolist() == [0, 0, 1]
    trusted = vectorizer.transform_columns(
        dict(zip(profile_columns(), table.to_numpy().T, strict=True))
    )
    np.testing.assert_array_equal(trusted["importance_ecosystem"], out["importance_ecosystem"])


def test_village_values_do_not_depend_on_the_other_villages(villages) -> None:
    frame = village_frame(villages)
    vectorizer = VillageVectorizer().fit(frame)
    names = list(vectorizer.get_feature_names_out())
    out = dict(zip(names, vectorizer.transform(frame).T, strict=True))
    for name in (
        "health_access",
        "shops_access",
        "local_market",
        "toulouse_access",
        "community_base",
    ):
        assert ((out[name] >= 0) & (out[name] <= 1)).all(), name
    alone = VillageVectorizer().fit(frame.iloc[[2]])
    np.testing.assert_array_equal(
        alone.transform(frame.iloc[[2]])[0], vectorizer.transform(frame)[2]
    )


def test_bedrooms_needed_follow_the_household_unless_stated() -> None:
    table = profile_table(
        [
            {
                "profession": "other",
                "connectivity": "basic",
                "household": {"adults": 2, "children_ages": [3, 9]},
            },
            {"profession": "other", "connectivity": "basic", "household": {"adults": 3}},
            {
                "profession": "other",
                "connectivity": "basic",
                "household": {"children_ages": [3, 9]},
                "housing": {"tenure": "buy", "budget_eur": 1e5, "min_bedrooms": 1},
            },
        ]
    )
    vectorizer = ProspectVectorizer().fit(table)
    out = dict(zip(vectorizer.get_feature_names_out(), vectorizer.transform(table).T, strict=True))
    assert out["bedrooms_needed"].tolist() == [3, 2, 1]


def test_a_trade_working_on_local_sites_does_not_need_toulouse() -> None:
    table = profile_table(
        [
            {"profession": "building_artisan", "connectivity": "basic", "remote_days_per_week": 0},
            {
                "profession": "salaried_teleworker",
                "connectivity": "basic",
                "remote_days_per_week": 0,
            },
        ]
    )
    vectorizer = ProspectVectorizer().fit(table)
    out = dict(zip(vectorizer.get_feature_names_out(), vectorizer.transform(table).T, strict=True))
    assert out["travel_need"].tolist() == [0.2, 1.0]


def test_village_frame_counts_listings_and_refuses_gaps(villages) -> None:
    import pandas as pd

    from features.exceptions import FeaturesError

    homes = pd.DataFrame(
        {"insee": ["32002", "32002", "32004"], "tenure": "buy", "price_eur": 1.0, "bedrooms": 1}
    )
    frame = village_frame(villages, homes=homes)
    assert frame["homes_listed"].tolist() == [0, 2, 0, 1, 0]
    with pytest.raises(FeaturesError, match="column 'minutes_to_auch' expected finite numbers"):
        village_frame(villages.assign(minutes_to_auch=np.nan))
    with pytest.raises(FeaturesError, match=r"expected columns \['ftth_share'\], not found"):
        village_frame(villages.drop(columns="ftth_share"))
