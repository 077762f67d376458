import geopandas as gpd
import pandas as pd
import pytest

import geodata
from geodata import derive, io, scenario
from geodata.exceptions import GeodataError
from geodata.schema import (
    AVERAGE_SPEED_KMH,
    CRS_METRIC,
    CRS_STORED,
    DETOUR_FACTOR,
    SCHOOL_BREAKDOWN,
)
from tests.conftest import make_villages

MAUVEZIN = "32249"  # a partner village with one collège (BPE 2019)
SOLOMIAC = "32436"  # a documented partner
SARRANT = "32416"  # a documented partner with 65.7 % of its premises on fibre (ARCEP 2025)


def expected_minutes(villages: pd.DataFrame, origin: str, target: str) -> float:
    """The build's straight-line fallback, computed here without geodata.derive:
    km x 1.3 / 70 x 60."""
    by_code = villages.set_index("insee")
    points = gpd.GeoSeries(
        gpd.points_from_xy(
            by_code.loc[[origin, target], "point_lon"], by_code.loc[[origin, target], "point_lat"]
        ),
        crs=CRS_STORED,
    ).to_crs(CRS_METRIC)
    km = points.iloc[0].distance(points.iloc[1]) / 1000.0
    return round(km * DETOUR_FACTOR / AVERAGE_SPEED_KMH * 60.0, 1)


def with_middle_schools(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Collèges in villages 2 and 5 of the line of five, 4 km apart; village 1's nearest lies
    across the border (a code absent from the table), as the build finds for some communes."""
    villages = villages.copy()
    villages["n_middle_school"] = [0, 1, 0, 0, 1]
    villages["nearest_middle_school"] = ["40001", "32002", "32002", "32005", "32005"]
    villages["minutes_to_middle_school"] = [
        3.0,
        0.0,
        expected_minutes(villages, "32003", "32002"),
        expected_minutes(villages, "32004", "32005"),
        0.0,
    ]
    return villages


@pytest.fixture
def schools() -> gpd.GeoDataFrame:
    return with_middle_schools(make_villages())


# --- with_fibre


def test_with_fibre_sets_the_share_and_its_vintage_and_stays_valid() -> None:
    villages = make_villages()
    before = villages.copy()
    changed = scenario.with_fibre(villages, "32002")
    row = changed.loc["32002"]
    assert row["ftth_share"] == 1.0
    assert row["ftth_vintage"] == scenario.SCENARIO_VINTAGE
    assert row["ftth_share_2018"] == before.loc["32002", "ftth_share_2018"]  # history kept
    geodata.validate(changed, expected_count=None)
    pd.testing.assert_frame_equal(villages, before)
    others = changed.drop(index="32002")
    pd.testing.assert_frame_equal(others, before.drop(index="32002"))


@pytest.mark.parametrize("share", [0.3, 0.6, 0.95, 1.0])
def test_with_fibre_takes_a_partial_share(share: float) -> None:
    changed = scenario.with_fibre(make_villages(), "32003", share=share)
    assert changed.loc["32003", "ftth_share"] == share
    geodata.validate(changed, expected_count=None)


@pytest.mark.parametrize(
    ("insee", "share", "message"),
    [
        ("99999", 1.0, "insee: expected a commune of the table, found '99999'"),
        ("32002", 1.5, "share: expected a number from the current share"),
        ("32002", float("nan"), "share: expected a number from 0 to 1"),
        ("32002", True, "share: expected a number from 0 to 1"),
        ("32005", 0.3, r"current share of 32005 \(0.6\) to 1, found 0.3"),
    ],
)
def test_with_fibre_names_bad_input(insee: str, share: float, message: str) -> None:
    with pytest.raises(GeodataError, match=message):
        scenario.with_fibre(make_villages(), insee, share=share)


def test_with_fibre_on_the_packaged_data_keeps_it_valid() -> None:
    villages = geodata.read_villages()
    changed = scenario.with_fibre(villages, SARRANT)
    assert villages.loc[SARRANT, "ftth_share"] == 0.657  # ARCEP 2025
    assert changed.loc[SARRANT, "ftth_share"] == 1.0
    geodata.validate(changed)


# --- without_service


def test_without_service_moves_the_communes_served_by_the_closed_one(
    schools: gpd.GeoDataFrame,
) -> None:
    before = schools.copy()
    changed = scenario.without_service(schools, "32002", "middle_school")
    assert changed.loc["32002", "n_middle_school"] == 0
    # Villages 2 and 3 used village 2's collège: the next one is village 5's.
    assert changed.loc[["32002", "32003"], "nearest_middle_school"].tolist() == ["32005"] * 2
    for code in ("32002", "32003"):
        assert changed.loc[code, "minutes_to_middle_school"] == pytest.approx(
            expected_minutes(schools, code, "32005")
        )
        assert changed.loc[code, "travel_estimated"]  # a straight-line estimate, flagged
    # 12 km for village 2, 8 km for village 3, by 1.3 / 70 km/h: about 13.4 and 8.9 min.
    assert changed.loc["32002", "minutes_to_middle_school"] == pytest.approx(13.4, abs=0.2)
    # Village 1's nearest lies outside the table, and villages 4 and 5 use village 5's.
    unchanged = ["32001", "32004", "32005"]
    pd.testing.assert_frame_equal(changed.loc[unchanged], before.loc[unchanged])
    pd.testing.assert_frame_equal(schools, before)
    geodata.validate(changed, expected_count=None)


def test_without_service_keeps_at_least_the_road_minutes_to_the_closed_one(
    schools: gpd.GeoDataFrame,
) -> None:
    # A road time to the closed collège above the straight-line estimate to the next one: the
    # next one, farther by road (the build chose the nearest), cannot be nearer than that.
    slow = schools.assign(minutes_to_middle_school=[3.0, 0.0, 30.0, 4.0, 0.0])
    changed = scenario.without_service(slow, "32002", "middle_school")
    assert changed.loc["32003", "minutes_to_middle_school"] == 30.0
    assert changed.loc["32002", "minutes_to_middle_school"] == pytest.approx(
        expected_minutes(slow, "32002", "32005")
    )


def test_without_service_never_shortens_minutes(schools: gpd.GeoDataFrame) -> None:
    changed = scenario.without_service(schools, "32005", "middle_school")
    assert (changed["minutes_to_middle_school"] >= schools["minutes_to_middle_school"]).all()
    assert changed.loc["32004", "nearest_middle_school"] == "32002"


def test_without_primary_school_clears_its_breakdown() -> None:
    villages = make_villages()
    changed = scenario.without_service(villages, "32005", "primary_school")
    assert changed.loc["32005", ["n_primary_school", *SCHOOL_BREAKDOWN]].eq(0).all()
    # Other counts of the village stay: a closed école is not a closed collège.
    assert changed.loc["32005", "n_middle_school"] == villages.loc["32005", "n_middle_school"]


@pytest.mark.parametrize(
    ("insee", "service", "message"),
    [
        ("99999", "middle_school", "insee: expected a commune of the table, found '99999'"),
        ("32002", "college", r"service: expected one of \['primary_school'.*found 'college'"),
        ("32001", "middle_school", "expected a commune with a middle_school to close, found 32001"),
    ],
)
def test_without_service_names_bad_input(
    schools: gpd.GeoDataFrame, insee: str, service: str, message: str
) -> None:
    with pytest.raises(GeodataError, match=message):
        scenario.without_service(schools, insee, service)


def test_without_the_last_service_of_the_table_is_refused(schools: gpd.GeoDataFrame) -> None:
    once = scenario.without_service(schools, "32002", "middle_school")
    with pytest.raises(GeodataError, match="leaves no commune of the table with one"):
        scenario.without_service(once, "32005", "middle_school")


def test_closing_a_real_college_moves_its_neighbours_up_never_down() -> None:
    villages = geodata.read_villages()
    before = villages.copy()
    served = villages.index[villages["nearest_middle_school"] == MAUVEZIN].drop(MAUVEZIN)
    assert len(served) >= 3  # Sarrant and Solomiac among them
    assert {SARRANT, SOLOMIAC} <= set(served)
    changed = scenario.without_service(villages, MAUVEZIN, "middle_school")
    old, new = villages["minutes_to_middle_school"], changed["minutes_to_middle_school"]
    assert (new >= old).all()
    assert new.loc[MAUVEZIN] > 0
    assert not changed["nearest_middle_school"].eq(MAUVEZIN).any()
    moved = changed.index[changed["nearest_middle_school"] != villages["nearest_middle_school"]]
    assert set(moved) == {MAUVEZIN, *served}
    assert changed.loc[moved, "travel_estimated"].all()
    assert not changed.drop(index=moved)["travel_estimated"].any()
    for code in moved:
        target = changed.loc[code, "nearest_middle_school"]
        assert changed.loc[target, "n_middle_school"] > 0
        estimate = expected_minutes(villages, code, target)
        assert new.loc[code] == pytest.approx(max(estimate, old.loc[code]))
    pd.testing.assert_frame_equal(villages, before)
    geodata.validate(changed)


# --- may_be_overstated

VIC_FEZENSAC = "32462"  # a collège far from the border, serving five partners


def test_may_be_overstated_flags_only_recomputed_communes_nearer_the_edge(
    schools: gpd.GeoDataFrame,
) -> None:
    changed = scenario.without_service(schools, "32002", "middle_school")
    flags = scenario.may_be_overstated(schools, changed, "middle_school")
    # Each village is a 2 km square: its edge lies 1 km away, nearer than the 8 and 12 km
    # to village 5's collège.
    assert flags.to_dict() == {
        "32001": False,
        "32002": True,
        "32003": True,
        "32004": False,
        "32005": False,
    }
    unchanged = scenario.may_be_overstated(schools, schools, "middle_school")
    assert not unchanged.any()
    with pytest.raises(GeodataError, match="service: expected one of"):
        scenario.may_be_overstated(schools, changed, "collège")


def test_may_be_overstated_on_real_collèges() -> None:
    villages = geodata.read_villages()
    inland = scenario.without_service(villages, VIC_FEZENSAC, "middle_school")
    assert not scenario.may_be_overstated(villages, inland).any()
    border = scenario.without_service(villages, MAUVEZIN, "middle_school")
    flags = scenario.may_be_overstated(villages, border)
    # Sarrant and Solomiac lie near the Haute-Garonne and the Tarn-et-Garonne.
    assert flags.loc[["32416", SOLOMIAC]].all()


@pytest.mark.raw
@pytest.mark.parametrize("closed", [MAUVEZIN, VIC_FEZENSAC, "32242", "32107", "32410"])
def test_unflagged_minutes_equal_a_search_across_the_border(raw_dir, closed: str) -> None:
    """With the build's cross-border candidates (BPE collèges of the communes within 20 km),
    every commune not flagged gets the minutes a full search gives."""
    villages = geodata.read_villages()
    bpe = io.read_raw(raw_dir, "bpe")
    neighbours = io.read_raw(raw_dir, "neighbours").drop_duplicates("insee_com")
    across = set(bpe.loc[(bpe["TYPEQU"] == "C201") & (bpe["DEP"] != "32"), "DEPCOM"])
    outside = neighbours[neighbours["insee_com"].isin(across)].set_index("insee_com")
    inside = villages[(villages["n_middle_school"] > 0) & (villages["insee"] != closed)]
    candidates = pd.concat(
        [
            derive.points_from_lonlat(inside["point_lon"], inside["point_lat"]),
            derive.points_from_lonlat(pd.to_numeric(outside["lng"]), pd.to_numeric(outside["lat"])),
        ]
    )
    changed = scenario.without_service(villages, closed, "middle_school")
    flags = scenario.may_be_overstated(villages, changed)
    moved = changed.index[changed["nearest_middle_school"] != villages["nearest_middle_school"]]
    points = derive.points_from_lonlat(
        villages.loc[moved, "point_lon"], villages.loc[moved, "point_lat"]
    )
    km, _ = derive.nearest(points, candidates, "middle_school")
    estimate = derive.estimated_minutes(km, "minutes").round(1)
    # As without_service does: never less than the road minutes to the closed collège.
    full = estimate.clip(lower=villages.loc[moved, "minutes_to_middle_school"])
    sure = [code for code in moved if not flags[code]]
    assert changed.loc[sure, "minutes_to_middle_school"].tolist() == full.loc[sure].tolist()
    # Flagged minutes are never below what the full search finds: overstated, not understated.
    assert (changed.loc[moved, "minutes_to_middle_school"] >= full.loc[moved]).all()
