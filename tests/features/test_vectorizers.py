import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from features.prospect import PROFILE_COLUMNS, ProspectVectorizer, profile_table
from features.village import VILLAGE_COLUMNS, VillageVectorizer, village_frame
from features.vocab import CRITERION_CODES


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
    assert list(table.columns) == list(PROFILE_COLUMNS)
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
    assert names[: len(PROFILE_COLUMNS)] == list(PROFILE_COLUMNS)
    assert names[len(PROFILE_COLUMNS) :] == [
        "mobility_need",
        *(f"importance_{c}" for c in CRITERION_CODES),
    ]
    out = dict(zip(names, vectorizer.transform(table).T, strict=True))
    # A consultant on site three days a week needs Toulouse more than a remote translator.
    assert out["mobility_need"][0] > out["mobility_need"][1]
    assert out["importance_access_toulouse"][0] > out["importance_access_toulouse"][1]
    # Schools and childcare matter only with children of that age.
    assert out["importance_schools"].tolist() == [0, 1, 0]
    assert out["importance_childcare"].tolist() == [0, 1, 0]
    # Settlement is off for "any".
    assert out["importance_settlement"].tolist() == [0, 0, 1]
    trusted = vectorizer.transform_columns(
        dict(zip(PROFILE_COLUMNS, table.to_numpy().T, strict=True))
    )
    np.testing.assert_array_equal(trusted["importance_ecosystem"], out["importance_ecosystem"])


def test_village_vectorizer_learns_the_median_price(villages) -> None:
    frame = village_frame(villages)
    assert list(frame.columns) == list(VILLAGE_COLUMNS)
    vectorizer = VillageVectorizer().fit(frame)
    assert vectorizer.price_reference_ == np.median(villages["house_price_m2"])
    out = dict(zip(vectorizer.get_feature_names_out(), vectorizer.transform(frame).T, strict=True))
    assert np.median(out["price_level"]) == pytest.approx(1.0)
    for name in (
        "health_access",
        "shops_access",
        "local_market",
        "toulouse_access",
        "community_base",
    ):
        assert ((out[name] >= 0) & (out[name] <= 1)).all(), name


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
