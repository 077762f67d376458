"""The pieces of an SVG map of the Gers, for pages that draw it inline (no matplotlib, and
from the service's ``VillageTable`` no geopandas either: shapely and pyproj only).

Everything is projected to Lambert-93 and written in SVG user units: x to the east, y flipped so
that north is up, a margin around the department, coordinates rounded to 0.1 unit. A page
then only writes ``<path d=...>`` and ``<circle cx=... cy=...>`` elements with them.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geodata.exceptions import GeodataError
from geodata.schema import CRS_METRIC, CRS_STORED
from geodata.table import VillageTable

if TYPE_CHECKING:
    import geopandas as gpd
    from pyproj import Transformer

#: Auch, the prefecture: the place every prospect measures distances against.
AUCH = "32013"
#: Simplification tolerance. The map is drawn some 300 to 700 px wide for a department about
#: 120 km across, so one pixel is 170 to 400 m: vertices closer than this draw nothing more
#: and only weigh down the page (the outline falls from about 2,000 points to about 650).
TOLERANCE_M = 150.0
DEFAULT_WIDTH = 500.0
#: Room around the department, in SVG units, so that markers on its edge are not cut off.
DEFAULT_MARGIN = 14.0
REQUIRED = ("insee", "name", "partner", "point_lon", "point_lat")

Projector = Callable[[float, float], tuple[float, float]]


@dataclass(frozen=True)
class SvgMap:
    """An SVG map of the Gers in user units: paste the paths and points into an ``<svg>``.

    ``communes`` holds the partner villages' outlines and ``points`` their commune points,
    by INSEE code; ``landmarks`` the points of the reference places asked for (Auch);
    ``names`` the names of both.
    """

    width: float
    height: float
    outline_path: str
    communes: dict[str, str]
    points: dict[str, tuple[float, float]]
    landmarks: dict[str, tuple[float, float]]
    names: dict[str, str]

    @property
    def view_box(self) -> str:
        return f"0 0 {_num(self.width)} {_num(self.height)}"


def svg_map(
    villages: "gpd.GeoDataFrame | VillageTable",
    *,
    width: float = DEFAULT_WIDTH,
    margin: float = DEFAULT_MARGIN,
    tolerance_m: float = TOLERANCE_M,
    landmarks: Sequence[str] = (AUCH,),
) -> SvgMap:
    """The department outline, partner outlines and points of ``villages``, in SVG units.

    Parameters
    ----------
    villages
        The whole village table (``geodata.read_villages()``, or the service's
        ``geodata.io.read_village_table()``): the outline is the union of its communes, and
        its ``partner`` rows are the villages drawn.
    width
        Width of the SVG user space, margins included; the height follows the department.
    margin
        Room left around the department, in SVG units.
    tolerance_m
        Simplification tolerance in metres (see ``TOLERANCE_M``).
    landmarks
        INSEE codes of reference places to locate (absent codes are skipped).
    """
    missing = [c for c in REQUIRED if c not in villages]
    if missing:
        raise GeodataError(
            f"village table: expected the columns {', '.join(REQUIRED)}; "
            f"{', '.join(missing)} missing"
        )
    if len(villages) == 0:
        raise GeodataError("village table: expected at least one commune, found none")
    if villages.crs is None:
        raise GeodataError("village table: expected a CRS (EPSG:4326), found none")
    if not 2 * margin < width:
        raise GeodataError(f"width {width}: expected more than twice the margin {margin}")
    # The point columns are degrees whatever the geometry's CRS (geodata/DATA.md).
    lon = np.asarray(villages["point_lon"], dtype=np.float64)
    lat = np.asarray(villages["point_lat"], dtype=np.float64)
    if isinstance(villages, VillageTable):
        # pyproj and shapely without geopandas, as GeoSeries.to_crs projects coordinates.
        geometries = _projected(villages.geometries(), villages.crs)
    else:
        geometries = villages.geometry.to_crs(CRS_METRIC).to_numpy()
    x, y = _transformer(CRS_STORED).transform(lon, lat)
    return _svg_map(
        [str(code) for code in villages["insee"]],
        [str(name) for name in villages["name"]],
        [bool(flag) for flag in villages["partner"]],
        geometries,
        list(zip(np.asarray(x).tolist(), np.asarray(y).tolist(), strict=True)),
        width=width,
        margin=margin,
        tolerance_m=tolerance_m,
        landmarks=landmarks,
    )


def _svg_map(
    codes: list[str],
    names: list[str],
    partner: list[bool],
    geometries: "NDArray[np.object_]",
    points: list[tuple[float, float]],
    *,
    width: float,
    margin: float,
    tolerance_m: float,
    landmarks: Sequence[str],
) -> SvgMap:
    """The map from the communes' outlines and points in Lambert-93."""
    # Simplifying the union, not each commune, keeps the outline free of slivers between
    # neighbours that were simplified differently.
    outline = shapely.union_all(geometries).simplify(tolerance_m, preserve_topology=True)
    minx, miny, maxx, maxy = outline.bounds
    scale = (width - 2 * margin) / (maxx - minx)
    height = (maxy - miny) * scale + 2 * margin

    def to_svg(x: float, y: float) -> tuple[float, float]:
        return (round((x - minx) * scale + margin, 1), round((maxy - y) * scale + margin, 1))

    drawn = [i for i, flag in enumerate(partner) if flag]
    named = {codes[i] for i in drawn} | set(landmarks)
    return SvgMap(
        width=round(width, 1),
        height=round(height, 1),
        outline_path=_path(outline, to_svg),
        communes={
            codes[i]: _path(geometries[i].simplify(tolerance_m, preserve_topology=True), to_svg)
            for i in drawn
        },
        points={codes[i]: to_svg(*points[i]) for i in drawn},
        landmarks={
            code: to_svg(*point)
            for code, point in zip(codes, points, strict=True)
            if code in landmarks
        },
        names={code: name for code, name in zip(codes, names, strict=True) if code in named},
    )


def _transformer(crs: str) -> "Transformer":
    from pyproj import Transformer

    return Transformer.from_crs(crs, CRS_METRIC, always_xy=True)


def _projected(geometries: "NDArray[np.object_]", crs: str) -> "NDArray[np.object_]":
    coordinates = shapely.get_coordinates(geometries)
    x, y = _transformer(crs).transform(coordinates[:, 0], coordinates[:, 1])
    projected: NDArray[np.object_] = shapely.set_coordinates(geometries.copy(), np.array([x, y]).T)
    return projected


def _path(geometry: BaseGeometry, to_svg: Projector) -> str:
    """SVG path data of a polygon or multipolygon: one closed subpath per ring."""
    parts = []
    for polygon in _polygons(geometry):
        for ring in (polygon.exterior, *polygon.interiors):
            # The ring repeats its first point last; ``Z`` closes it instead.
            xy = [to_svg(x, y) for x, y in ring.coords[:-1]]
            parts.append("M" + " ".join(f"{_num(x)},{_num(y)}" for x, y in xy) + "Z")
    return "".join(parts)


def _polygons(geometry: BaseGeometry) -> Iterable[shapely.Polygon]:
    if isinstance(geometry, shapely.Polygon):
        return [] if geometry.is_empty else [geometry]
    if isinstance(geometry, shapely.MultiPolygon | shapely.GeometryCollection):
        return [p for g in geometry.geoms for p in _polygons(g)]
    return []  # points and lines left by simplification have no area to draw


def _num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing ``.0``: the path stays short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
