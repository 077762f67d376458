import csv
import json

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import shape
from shapely.ops import unary_union

from geodata import cog


@pytest.mark.parametrize(
    ("code", "vintage", "expected"),
    [
        ("32074", 2018, "32344"),  # Cannet -> Riscle, 2019
        ("32074", 2019, "32074"),  # already merged in a 2019 file: no such code to map
        ("32067", 2019, "32365"),  # Cabas-Loumassès -> Cap d'Astarac, 2025
        ("32260", 2024, "32365"),
        ("32413", 2018, "32365"),
        ("32413", 2025, "32413"),
        ("32013", 2018, "32013"),  # unchanged communes pass through
    ],
)
def test_to_cog2025_maps_merged_codes_by_vintage(code: str, vintage: int, expected: str) -> None:
    assert cog.to_cog2025([code], vintage) == [expected]


def test_recode_returns_a_copy() -> None:
    frame = pd.DataFrame({"code": ["32074", "32013"], "n": [1, 2]})
    out = cog.recode(frame, "code", vintage=2018)
    assert out["code"].tolist() == ["32344", "32013"]
    assert frame["code"].tolist() == ["32074", "32013"]


def test_apply_renames_only_touches_listed_codes() -> None:
    names = pd.Series({"32365": "Saint-Blancard", "32013": "Auch"})
    assert cog.apply_renames(names).to_dict() == {"32365": "Cap d'Astarac", "32013": "Auch"}


# The merger table, checked against the raw files read independently (json, csv, shapely).


def _areas_km2(raw_dir) -> dict[str, float]:
    to93 = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to93.transform(xy[:, 0], xy[:, 1]))

    with open(raw_dir / "boundaries/communes-32-gers.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    return {
        f["properties"]["code"]: shapely.transform(shape(f["geometry"]), project).area / 1e6
        for f in features
    }


def _superf(raw_dir) -> dict[str, float]:
    with open(raw_dir / "insee/base_cc_comparateur_2025_gers.csv", encoding="utf-8") as f:
        return {
            r["CODGEO"]: float(r["SUPERF"]) for r in csv.DictReader(f, delimiter=";") if r["SUPERF"]
        }


@pytest.mark.raw
def test_merged_areas_match_the_2025_official_areas(raw_dir) -> None:
    areas, superf = _areas_km2(raw_dir), _superf(raw_dir)
    assert len(areas) == 462
    assert len(superf) == cog.GERS_COMMUNE_COUNT
    for target in {t for t, _ in cog.MERGED_INTO.values()}:
        parts = [target, *(c for c, (t, _) in cog.MERGED_INTO.items() if t == target)]
        # Simplified outlines: their areas are within 3 % of the official ones.
        assert sum(areas[p] for p in parts) == pytest.approx(superf[target], rel=0.03)
    # The merged codes are the only 2018 codes missing in 2025, and no 2025 code is new.
    assert set(areas) - set(superf) == set(cog.MERGED_INTO)
    assert set(superf) <= set(areas)


@pytest.mark.raw
def test_merged_parts_touch_their_target(raw_dir) -> None:
    with open(raw_dir / "boundaries/communes-32-gers.geojson", encoding="utf-8") as f:
        polygons = {x["properties"]["code"]: shape(x["geometry"]) for x in json.load(f)["features"]}
    for code, (target, _) in cog.MERGED_INTO.items():
        group = unary_union([polygons[c] for c, (t, _) in cog.MERGED_INTO.items() if t == target])
        assert (
            polygons[code]
            .buffer(1e-4)
            .intersects(polygons[target].union(group).difference(polygons[code]))
        )


@pytest.mark.raw
def test_renames_match_the_2025_names(raw_dir) -> None:
    with open(raw_dir / "insee/cog2019_communes_gers_voisins.csv", encoding="utf-8") as f:
        names2019 = {
            r["com"]: r["libelle"] for r in csv.DictReader(f, delimiter=";") if r["dep"] == "32"
        }
    with open(raw_dir / "derived_ptod/ptod_agg_iris_32_gers.csv", encoding="utf-8") as f:
        names2025 = {r["COM"]: r["libelle_com"] for r in csv.DictReader(f)}
    changed = {c: n for c, n in names2025.items() if names2019.get(c) != n}
    assert changed == dict(cog.RENAMED_SINCE_2019)
