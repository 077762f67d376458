"""Pure functions deriving village metrics from geometries.

Each takes GeoSeries/GeoDataFrames (any CRS, projected here to Lambert-93 before measuring)
and returns a Series named after the metric, on the input's index.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from shapely.geometry import Point
from sklearn.neighbors import KDTree

from geodata.exceptions import GeodataError
from geodata.schema import AVERAGE_SPEED_KMH, CRS_METRIC, CRS_STORED, DETOUR_FACTOR


def points_from_lonlat(lon: pd.Series, lat: pd.Series) -> gpd.GeoSeries:
    """Points in EPSG:4326 on the index of ``lon``."""
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=lon.index, crs=CRS_STORED)


def metric_xy(geoms: gpd.GeoSeries) -> np.ndarray:
    """(n, 2) Lambert-93 coordinates in metres of point geometries (any CRS)."""
    if geoms.crs is None:
        raise GeodataError("geometries have no CRS; expected one that can be projected")
    projected = geoms.to_crs(CRS_METRIC)
    if not (projected.geom_type == "Point").all():
        raise GeodataError("expected point geometries, found " + str(set(projected.geom_type)))
    return np.column_stack([projected.x.to_numpy(), projected.y.to_numpy()])


def lambert_km(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """(n, 2) Lambert-93 coordinates in km of points given in degrees (EPSG:4326)."""
    return (
        metric_xy(points_from_lonlat(pd.Series(np.asarray(lon)), pd.Series(np.asarray(lat))))
        / 1000.0
    )


def distance_km(points: gpd.GeoSeries, lon: float, lat: float, name: str) -> pd.Series:
    """Straight-line km from each point to (lon, lat), measured in Lambert-93."""
    target = gpd.GeoSeries([Point(lon, lat)], crs=CRS_STORED)
    xy, (tx, ty) = metric_xy(points), metric_xy(target)[0]
    km = np.hypot(xy[:, 0] - tx, xy[:, 1] - ty) / 1000.0
    return pd.Series(km, index=points.index, name=name)


def estimated_minutes(km: pd.Series, name: str) -> pd.Series:
    """Estimated travel minutes for straight-line ``km``: km x detour factor / speed."""
    return pd.Series(km * DETOUR_FACTOR / AVERAGE_SPEED_KMH * 60.0, index=km.index, name=name)


def nearest(
    points: gpd.GeoSeries, candidates: gpd.GeoSeries, name: str
) -> tuple[pd.Series, pd.Series]:
    """For each point, the km to the nearest candidate and that candidate's index label.

    Returns ``(km, label)``, named ``km_to_<name>`` and ``nearest_<name>``.
    """
    if candidates.empty:
        raise GeodataError(f"no candidate location for {name!r}: expected at least one")
    tree = KDTree(metric_xy(candidates))
    dist, idx = tree.query(metric_xy(points), k=1)
    km = pd.Series(dist[:, 0] / 1000.0, index=points.index, name=f"km_to_{name}")
    label = pd.Series(
        candidates.index.to_numpy()[idx[:, 0]], index=points.index, name=f"nearest_{name}"
    )
    return km, label


def count_within(
    points: gpd.GeoSeries, sites: gpd.GeoSeries, radius_km: float, name: str
) -> pd.Series:
    """Number of ``sites`` within ``radius_km`` of each point."""
    if sites.empty:
        return pd.Series(0, index=points.index, name=name, dtype="int64")
    tree = KDTree(metric_xy(sites))
    counts = tree.query_radius(metric_xy(points), r=radius_km * 1000.0, count_only=True)
    return pd.Series(counts.astype("int64"), index=points.index, name=name)
