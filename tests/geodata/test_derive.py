import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geodata import derive
from geodata.exceptions import GeodataError
from geodata.schema import AVERAGE_SPEED_KMH, DETOUR_FACTOR


def _points(lonlat: dict[str, tuple[float, float]]) -> gpd.GeoSeries:
    lon = pd.Series({k: v[0] for k, v in lonlat.items()})
    lat = pd.Series({k: v[1] for k, v in lonlat.items()})
    return derive.points_from_lonlat(lon, lat)


def test_distance_km_is_zero_at_the_target_and_named() -> None:
    points = _points({"a": (0.5673, 43.6602), "b": (0.5673, 43.7602)})
    km = derive.distance_km(points, 0.5673, 43.6602, "km_to_auch")
    assert km.name == "km_to_auch"
    assert km.index.tolist() == ["a", "b"]
    assert km["a"] == pytest.approx(0.0, abs=1e-6)
    assert km["b"] == pytest.approx(11.12, abs=0.05)  # 0.1 degree of latitude


def test_estimated_minutes_uses_the_documented_parameters() -> None:
    km = pd.Series([0.0, 35.0], index=["x", "y"])
    minutes = derive.estimated_minutes(km, "minutes_to_auch")
    assert minutes.tolist() == [0.0, 35.0 * DETOUR_FACTOR / AVERAGE_SPEED_KMH * 60]


def test_nearest_finds_the_closest_candidate_and_itself() -> None:
    points = _points({"a": (0.5, 43.6), "b": (0.7, 43.6)})
    candidates = _points({"b": (0.7, 43.6), "c": (0.45, 43.6)})
    km, label = derive.nearest(points, candidates, "pharmacy")
    assert label.to_dict() == {"a": "c", "b": "b"}
    assert km["b"] == pytest.approx(0.0, abs=1e-6)
    assert km.name == "km_to_pharmacy"
    assert label.name == "nearest_pharmacy"


def test_nearest_without_candidates_is_an_error() -> None:
    points = _points({"a": (0.5, 43.6)})
    with pytest.raises(GeodataError, match="no candidate location for 'lycee'"):
        derive.nearest(points, points.iloc[:0], "lycee")


def test_count_within_counts_sites_in_the_radius() -> None:
    points = _points({"a": (0.5, 43.6)})
    # 0.01 degree of latitude is about 1.1 km: three sites at 1.1, 3.3 and 6.7 km.
    sites = _points({"s1": (0.5, 43.61), "s2": (0.5, 43.63), "s3": (0.5, 43.66)})
    assert derive.count_within(points, sites, 5.0, "sites_4g").to_dict() == {"a": 2}
    assert derive.count_within(points, sites.iloc[:0], 5.0, "sites_4g").to_dict() == {"a": 0}


def test_points_without_crs_are_refused() -> None:
    bare = gpd.GeoSeries(gpd.points_from_xy([0.5], [43.6]))
    with pytest.raises(GeodataError, match="no CRS"):
        derive.distance_km(bare, 0.5, 43.6, "km")


def test_distances_are_measured_in_lambert93_not_degrees() -> None:
    # One degree of longitude is ~80 km at 43.6°N but 111 km of latitude: degrees would lie.
    points = _points({"east": (1.5, 43.6), "north": (0.5, 44.6)})
    km = derive.distance_km(points, 0.5, 43.6, "km")
    assert km["east"] == pytest.approx(111.32 * np.cos(np.radians(43.6)), rel=0.01)
    assert km["north"] == pytest.approx(111.1, rel=0.01)
