import dataclasses
import re

import geopandas as gpd
import pytest

from geodata import read_villages
from geodata.exceptions import GeodataError
from geodata.svgmap import AUCH, DEFAULT_MARGIN, SvgMap, svg_map
from tests.conftest import make_villages

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def numbers(path: str) -> list[str]:
    return NUMBER.findall(path)


def xy(path: str) -> list[tuple[float, float]]:
    values = [float(n) for n in numbers(path)]
    return list(zip(values[::2], values[1::2], strict=True))


def partnered(partners: list[bool] | None = None) -> gpd.GeoDataFrame:
    """The tiny table with the ``partner`` column ``read_villages`` adds."""
    villages = make_villages()
    villages["partner"] = partners if partners is not None else [True] * len(villages)
    return villages


@pytest.fixture
def tiny() -> SvgMap:
    villages = partnered([True, True, False, True, False])
    # The first village's point moves north within its square: it must draw higher.
    villages.loc["32001", "point_lat"] += 0.005
    return svg_map(villages, width=400, margin=10, tolerance_m=50)


def test_the_view_box_fits_the_width_and_the_shape(tiny: SvgMap) -> None:
    assert tiny.view_box == f"0 0 400 {tiny.height:g}"
    # Five 2 km squares along 16 km east-west: a wide, low strip.
    assert 10 + 2 * 10 < tiny.height < 400 / 4


def test_the_outline_is_every_commune_with_its_margin(tiny: SvgMap) -> None:
    assert tiny.outline_path.count("M") == 5  # the squares do not touch: five rings
    assert tiny.outline_path.count("Z") == 5
    points = xy(tiny.outline_path)
    assert min(x for x, _ in points) == pytest.approx(10, abs=0.1)
    assert max(x for x, _ in points) == pytest.approx(390, abs=0.1)
    assert min(y for _, y in points) == pytest.approx(10, abs=0.1)
    assert max(y for _, y in points) == pytest.approx(tiny.height - 10, abs=0.1)


def test_only_partners_are_drawn_with_their_names(tiny: SvgMap) -> None:
    assert set(tiny.communes) == set(tiny.points) == {"32001", "32002", "32004"}
    assert tiny.names == {"32001": "Village 1", "32002": "Village 2", "32004": "Village 4"}
    assert all(path.startswith("M") and path.endswith("Z") for path in tiny.communes.values())


def test_x_grows_east_and_y_grows_south(tiny: SvgMap) -> None:
    x1, x2, x4 = (tiny.points[c][0] for c in ("32001", "32002", "32004"))
    assert x1 < x2 < x4
    # The first point was moved 555 m north of its square's centre: it is drawn above it.
    corners = xy(tiny.communes["32001"])
    centre_y = (min(y for _, y in corners) + max(y for _, y in corners)) / 2
    assert tiny.points["32001"][1] < centre_y - 4


def test_points_lie_in_their_commune_outline(tiny: SvgMap) -> None:
    for code, (x, y) in tiny.points.items():
        corners = xy(tiny.communes[code])
        assert min(cx for cx, _ in corners) < x < max(cx for cx, _ in corners)
        assert min(cy for _, cy in corners) < y < max(cy for _, cy in corners)


def test_coordinates_keep_one_decimal_at_most(tiny: SvgMap) -> None:
    paths = [tiny.outline_path, *tiny.communes.values()]
    assert all(re.fullmatch(r"-?\d+(\.\d)?", n) for path in paths for n in numbers(path))
    for x, y in tiny.points.values():
        assert round(x, 1) == x
        assert round(y, 1) == y


def test_landmarks_are_located_by_code() -> None:
    villages = partnered()
    drawn = svg_map(villages, landmarks=("32003",))
    assert set(drawn.landmarks) == {"32003"}
    assert drawn.names["32003"] == "Village 3"
    assert svg_map(villages).landmarks == {}  # Auch is not in the tiny table


def test_the_map_is_frozen(tiny: SvgMap) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        tiny.width = 1.0  # type: ignore[misc]


def test_a_table_without_points_is_refused() -> None:
    villages = partnered().drop(columns=["point_lat"])
    with pytest.raises(GeodataError, match="point_lat missing"):
        svg_map(villages)


def test_a_margin_wider_than_the_map_is_refused() -> None:
    with pytest.raises(GeodataError, match="more than twice the margin"):
        svg_map(partnered(), width=20, margin=10)


def test_the_packaged_gers_fits_its_view_box() -> None:
    drawn = svg_map(read_villages())
    assert len(drawn.points) == len(drawn.communes) == 52
    for x, y in [*drawn.points.values(), *drawn.landmarks.values()]:
        assert DEFAULT_MARGIN <= x <= drawn.width - DEFAULT_MARGIN
        assert DEFAULT_MARGIN <= y <= drawn.height - DEFAULT_MARGIN
    assert AUCH in drawn.landmarks
    assert drawn.names[AUCH] == "Auch"
    assert len(drawn.outline_path.encode()) < 30_000
    assert drawn.outline_path.count("M") == 1  # the Gers is one piece, without holes
