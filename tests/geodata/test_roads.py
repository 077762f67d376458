"""The road network on a small made-up skeleton whose fastest paths can be worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from geodata import derive, roads
from geodata.exceptions import GeodataError, RawDataError
from geodata.schema import (
    ACCESS_SPEED_KMH,
    AVERAGE_SPEED_KMH,
    DEPARTMENTAL_SPEED_KMH,
    DETOUR_FACTOR,
    FASTEST_SPEED_KMH,
    MOTORWAY_SPEED_KMH,
)

# (route, system, lon, lat, hidden): a motorway A west-east; a départementale B north-south
# whose middle waypoint is 20 m off A's (one junction); D starts on A's last waypoint (a
# concurrency) and has a hidden shaping point 20 m from A's first (not a junction); C lies far
# away, joined to nothing (dropped).
WAYPOINTS = [
    ("a", "fraa", 0.50, 43.60, 0),
    ("a", "fraa", 0.60, 43.60, 0),
    ("a", "fraa", 0.65, 43.6005, 1),
    ("a", "fraa", 0.70, 43.60, 0),
    ("b", "fraoccd32", 0.60, 43.65, 0),
    ("b", "fraoccd32", 0.60, 43.60018, 0),
    ("b", "fraoccd32", 0.60, 43.55, 0),
    ("c", "fraoccd31", 1.20, 44.00, 0),
    ("c", "fraoccd31", 1.21, 44.00, 0),
    ("d", "fraoccd32", 0.70, 43.60, 0),
    ("d", "fraoccd32", 0.50, 43.60018, 1),
    ("d", "fraoccd32", 0.45, 43.65, 0),
]
PLACES = {"P": (0.50, 43.61), "Q": (0.60, 43.66), "S": (0.70, 43.61), "U": (1.00, 43.00)}


def _waypoints() -> pd.DataFrame:
    frame = pd.DataFrame(WAYPOINTS, columns=["route_file", "system", "lon", "lat", "hidden"])
    frame["seq"] = frame.groupby("route_file").cumcount()
    return frame.rename(columns={"hidden": "hidden_shaping_point"})


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    xy = derive.lambert_km([a[0], b[0]], [a[1], b[1]])
    return float(np.hypot(*(xy[0] - xy[1])))


@pytest.fixture(scope="module")
def network() -> roads.Network:
    return roads.road_network(_waypoints())


@pytest.fixture(scope="module")
def routes(network) -> roads.Routes:
    lon = pd.Series({k: v[0] for k, v in PLACES.items()})
    lat = pd.Series({k: v[1] for k, v in PLACES.items()})
    return roads.Routes.join(network, derive.points_from_lonlat(lon, lat))


def test_junctions_merge_near_visible_waypoints_only(network) -> None:
    # 12 waypoints: B's middle one joins A's, D's first is A's last, C's two are dropped.
    assert len(network.xy) == 8
    assert int(network.junction.sum()) == 6  # the two hidden shaping points are not junctions
    assert len(network.edges) == 7
    assert (network.edges["u"] < network.edges["v"]).all()


def test_each_segment_takes_its_road_class_speed(network) -> None:
    km, minutes = network.edges["km"], network.edges["minutes"]
    speeds = sorted(set((km / minutes * 60).round(6)))
    assert speeds == [DEPARTMENTAL_SPEED_KMH, MOTORWAY_SPEED_KMH]


def test_the_fastest_path_by_hand(routes) -> None:
    a0, a1, b1, b0 = (0.50, 43.60), (0.60, 43.60), (0.60, 43.60018), (0.60, 43.65)
    access = [_km(PLACES["P"], a0) * DETOUR_FACTOR, _km(PLACES["Q"], b0) * DETOUR_FACTOR]
    motorway, departmental = _km(a0, a1), _km(b1, b0)
    found = routes.nearest(pd.Index(["P"]), pd.Index(["Q"])).loc["P"]
    assert found["km"] == pytest.approx(sum(access) + motorway + departmental)
    minutes = (
        sum(access) / ACCESS_SPEED_KMH
        + motorway / MOTORWAY_SPEED_KMH
        + departmental / DEPARTMENTAL_SPEED_KMH
    ) * 60
    assert found["minutes"] == pytest.approx(minutes)
    assert found["nearest"] == "Q"
    back = routes.nearest(pd.Index(["Q"]), pd.Index(["P"])).loc["Q"]
    assert back["minutes"] == pytest.approx(minutes)  # the roads go both ways


def test_several_targets_give_the_fastest_of_them(routes) -> None:
    origins = pd.Index(["P", "Q", "S"])
    both = routes.nearest(origins, pd.Index(["Q", "S"]))
    one = {t: routes.nearest(origins, pd.Index([t])) for t in ("Q", "S")}
    for origin in origins:
        times = {t: one[t].loc[origin, "minutes"] for t in one}
        best = min(times, key=times.__getitem__)
        assert both.loc[origin, "nearest"] == best
        assert both.loc[origin, "minutes"] == pytest.approx(times[best])
        assert both.loc[origin, "km"] == pytest.approx(one[best].loc[origin, "km"])
    assert both.loc["Q", "minutes"] == 0.0


def test_a_road_time_never_beats_the_straight_line_at_the_fastest_speed(routes) -> None:
    for origin in ("P", "Q", "S"):
        for target in ("P", "Q", "S"):
            found = routes.nearest(pd.Index([origin]), pd.Index([target])).loc[origin]
            straight = _km(PLACES[origin], PLACES[target])
            assert found["minutes"] >= straight / FASTEST_SPEED_KMH * 60 - 1e-9
            assert found["km"] >= straight - 0.05


def test_a_place_without_a_junction_nearby_gets_the_flagged_estimate(routes) -> None:
    lon = pd.Series({k: v[0] for k, v in PLACES.items()})
    lat = pd.Series({k: v[1] for k, v in PLACES.items()})
    points = derive.points_from_lonlat(lon, lat)
    unreached = routes.nearest(pd.Index(["U"]), pd.Index(["P"]))
    assert np.isinf(unreached.loc["U", "minutes"])
    assert unreached.loc["U", "nearest"] is None
    found = roads.nearest_or_estimate(routes, points.loc[["P", "U"]], points.loc[["Q", "S"]])
    assert found["estimated"].tolist() == [False, True]
    straight = min(_km(PLACES["U"], PLACES[t]) for t in ("Q", "S"))
    assert found.loc["U", "km"] == pytest.approx(straight * DETOUR_FACTOR, rel=1e-3)
    minutes = straight * DETOUR_FACTOR / AVERAGE_SPEED_KMH * 60
    assert found.loc["U", "minutes"] == pytest.approx(minutes, rel=1e-3)
    assert found.loc["U", "nearest"] == "S"


def test_bad_input_is_named(network, routes) -> None:
    with pytest.raises(RawDataError, match=r"road system 'fraoccc32': expected one of"):
        roads.road_network(_waypoints().assign(system="fraoccc32"))
    with pytest.raises(GeodataError, match="place 'X': expected a joined place"):
        routes.nearest(pd.Index(["X"]), pd.Index(["P"]))
    with pytest.raises(GeodataError, match="targets: expected at least one place"):
        routes.nearest(pd.Index(["P"]), pd.Index([]))
    twice = derive.points_from_lonlat(pd.Series([0.5, 0.6], ["P", "P"]), pd.Series([43.6, 43.6]))
    with pytest.raises(GeodataError, match="expected unique labels"):
        roads.Routes.join(network, twice)
