"""The packaged table against the raw open data, read here independently with ``csv``."""

import csv
import math
import shutil
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geodata import cog
from geodata.build import build, build_villages
from geodata.exceptions import RawDataError
from geodata.io import packaged_path, read_partners
from geodata.schema import SERVICES

pytestmark = pytest.mark.raw

AUCH = "32013"


def _rows(raw_dir: Path, name: str, sep: str = ",") -> list[dict[str, str]]:
    with open(raw_dir / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=sep))


@pytest.fixture(scope="module")
def built(raw_dir) -> gpd.GeoDataFrame:
    return build_villages(raw_dir)


@pytest.fixture(scope="module")
def committed() -> gpd.GeoDataFrame:
    return gpd.read_parquet(packaged_path("villages.parquet")).set_index("insee", drop=False)


def test_rebuild_equals_the_committed_file_value_for_value(built, committed) -> None:
    assert list(built.columns) == list(committed.columns)
    pd.testing.assert_frame_equal(
        pd.DataFrame(built.drop(columns="geometry")).reset_index(drop=True),
        pd.DataFrame(committed.drop(columns="geometry")).reset_index(drop=True),
        check_exact=True,
    )
    assert (
        built.geometry.reset_index(drop=True)
        .geom_equals_exact(committed.geometry.reset_index(drop=True), tolerance=0)
        .all()
    )


def test_the_table_holds_every_commune_of_the_stated_geography(built, raw_dir) -> None:
    codes = {
        r["CODGEO"]
        for r in _rows(raw_dir, "insee/base_cc_comparateur_2025_gers.csv", ";")
        if r["P22_POP"]
    }
    assert len(built) == cog.GERS_COMMUNE_COUNT == len(codes)
    assert set(built.index) == codes
    assert "32074" not in built.index
    assert "32067" not in built.index
    assert built.loc["32365", "name"] == "Cap d'Astarac"


def test_population_of_auch_and_of_the_partners(built, raw_dir) -> None:
    comparateur = {
        r["CODGEO"]: r for r in _rows(raw_dir, "insee/base_cc_comparateur_2025_gers.csv", ";")
    }
    assert built.loc[AUCH, "population"] == int(comparateur[AUCH]["P22_POP"]) == 22825
    for code in read_partners()["insee"]:
        assert built.loc[code, "population"] == int(comparateur[code]["P22_POP"]), code
    assert built["population"].sum() == 192649  # Gers total stated in SOURCES.md


@pytest.mark.parametrize("code", [AUCH, "32249", "32436", "32416", "32160", "32365", "32344"])
def test_bpe_counts(built, raw_dir, code) -> None:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in _rows(raw_dir, "insee/bpe2019_ensemble_gers_voisins.csv", ";"):
        target = cog.MERGED_INTO.get(row["DEPCOM"], (row["DEPCOM"], 0))[0]
        counts[(target, row["TYPEQU"])] += int(row["NB_EQUIP"])
    for service in SERVICES:
        expected = sum(counts[(code, t)] for t in service.bpe_codes)
        assert built.loc[code, f"n_{service.code}"] == expected, service.code
        assert (built.loc[code, f"minutes_to_{service.code}"] == 0) == (expected > 0)


def test_known_equipment_of_real_communes(built) -> None:
    # Auch has collèges and lycées and a station; Solomiac has a school but no collège.
    assert built.loc[AUCH, "n_middle_school"] > 0
    assert built.loc[AUCH, "n_high_school"] > 0
    assert built.loc[AUCH, "n_train_station"] == 1
    assert built.loc["32436", "n_middle_school"] == 0
    assert built.loc["32436", "nearest_middle_school"] == "32249"  # Mauvezin


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# Lambert-93 distances against the great circle: the projection's scale error in the Gers is
# under 0.1 % and the sphere differs from the ellipsoid by under 0.5 %, so 0.6 % + 50 m.
def _close(measured: float, reference: float) -> bool:
    return abs(measured - reference) <= 0.006 * reference + 0.05


@pytest.mark.parametrize("code", ["32436", "32416", "32249", "32160", "32107", "32344", "32296"])
def test_km_to_auch_against_haversine(built, raw_dir, code) -> None:
    points = {r["insee_com"]: r for r in _rows(raw_dir, "insee/communes_datasfun_gers_voisins.csv")}
    village, auch = points[code], points[AUCH]
    reference = _haversine_km(
        float(village["lat"]), float(village["lng"]), float(auch["lat"]), float(auch["lng"])
    )
    assert _close(built.loc[code, "km_to_auch"], reference), (
        built.loc[code, "km_to_auch"],
        reference,
    )
    assert built.loc[code, "minutes_to_auch"] == pytest.approx(
        built.loc[code, "km_to_auch"] * 1.3 / 70 * 60, abs=0.06
    )


def test_km_to_toulouse_and_airport_against_haversine(built, raw_dir) -> None:
    points = {r["insee_com"]: r for r in _rows(raw_dir, "insee/communes_datasfun_gers_voisins.csv")}
    airport = next(
        r
        for r in _rows(raw_dir, "transport/airports_openflights_near_gers.csv")
        if r["icao"] == "LFBO"
    )
    station = next(
        r
        for r in _rows(raw_dir, "transport/gares_voyageurs_sncf_gers_20km.csv", ";")
        if r["Intitulé gare"] == "Toulouse Matabiau"
    )
    for code in ("32436", "32160", AUCH):
        lat, lon = float(points[code]["lat"]), float(points[code]["lng"])
        to_airport = _haversine_km(
            lat, lon, float(airport["latitude"]), float(airport["longitude"])
        )
        to_station = _haversine_km(
            lat, lon, float(station["Latitude"]), float(station["Longitude"])
        )
        assert _close(built.loc[code, "km_to_airport"], to_airport)
        assert _close(built.loc[code, "km_to_toulouse"], to_station)


def test_fibre_share_lies_in_the_arcep_class_of_the_commune(built) -> None:
    # ARCEP's class bounds the share it computed with its own premises count: an independent
    # check of our estimated denominator (dwellings + establishments).
    bounds = {5: (0, 10), 10: (10, 25), 25: (25, 50), 50: (50, 80), 80: (80, 100)}
    for code, row in built[built["ftth_premises"] > 0].iterrows():
        low, high = bounds[row["ftth_category"]]
        assert low < 100 * row["ftth_share"] < high, code
    assert built.loc[AUCH, "ftth_premises"] == 5808
    assert (built.loc[built["ftth_premises"] == 0, "ftth_share"] == 0).all()
    assert (built["ftth_vintage"] == "ARCEP T1 2018").all()


def test_house_price_falls_back_to_the_epci_below_five_sales(built, raw_dir) -> None:
    epci = {
        r["code"]: r
        for r in _rows(
            raw_dir, "derived_ptod/ptod_dvf_prix_volumes_epci_2010_2024_gers_voisins.csv"
        )
        if r["annee"] == "2024" and r["aggregation"] == "annuelle"
    }
    few = built[built["commune_house_sales"] < 5]
    assert not few.empty
    assert (few["house_price_level"] == "epci").all()
    for code, row in few.head(20).iterrows():
        assert row["house_price_m2"] == float(epci[row["epci_code"]]["pxm2_mai"]), code
        assert row["house_price_sales"] == int(epci[row["epci_code"]]["nbtrans_mai"])
    # Auch is split into 11 IRIS: its price is their medians weighted by sales.
    iris = [r for r in _rows(raw_dir, "derived_ptod/ptod_agg_iris_32_gers.csv") if r["COM"] == AUCH]
    priced = [
        (float(r["logd_px2q2_mai_24"]), float(r["logd_trans_mai_24"]))
        for r in iris
        if r["logd_px2q2_mai_24"]
    ]
    expected = sum(p * n for p, n in priced) / sum(n for _, n in priced)
    assert len(iris) == 11
    assert built.loc[AUCH, "house_price_level"] == "commune"
    assert built.loc[AUCH, "house_price_m2"] == pytest.approx(expected, abs=0.05)
    assert built.loc[AUCH, "commune_house_sales"] == sum(
        int(float(r["logd_trans_mai_24"])) for r in iris
    )
    # A village not split into IRIS takes its own row as it is (Solomiac, 6 sales).
    rows = _rows(raw_dir, "derived_ptod/ptod_agg_iris_32_gers.csv")
    solomiac = next(r for r in rows if r["COM"] == "32436")
    assert built.loc["32436", "house_price_m2"] == float(solomiac["logd_px2q2_mai_24"])


def test_points_lie_in_their_canton(built, raw_dir) -> None:
    cantons = gpd.read_file(raw_dir / "boundaries/cantons-32-gers.geojson").to_crs("EPSG:2154")
    outline = dict(zip("32" + cantons["code"].str[-2:], cantons.geometry, strict=True))
    points = gpd.GeoSeries(
        gpd.points_from_xy(built["point_lon"], built["point_lat"]),
        index=built.index,
        crs="EPSG:4326",
    ).to_crs("EPSG:2154")
    far = [c for c in built.index if outline[built.loc[c, "canton_code"]].distance(points[c]) > 100]
    assert far == []
    assert built["canton"].nunique() == 17


def test_tiers_lieux_and_documented_partners(built) -> None:
    assert set(built.index[built["soho_solo_documented_partner"]]) == {"32436", "32416", "32249"}
    with_one = built["tiers_lieu"].notna()
    assert set(built.index[with_one]) == {"32433", "32160", "32106", "32410", AUCH}
    assert built.loc[AUCH, "tiers_lieu"] == "tiers-lieu La Dynamo"
    assert built.loc["32160", "tiers_lieu"] == "tiers-lieu L'Ours brun"
    assert built.loc["32410", "tiers_lieu"] == "bureaux partagés"
    assert pd.isna(built.loc["32296", "tiers_lieu"])  # Nogaro: a meeting place, not a tiers-lieu
    assert (built.loc[with_one, "minutes_to_tiers_lieu"] == 0).all()
    assert (built.loc[~with_one, "minutes_to_tiers_lieu"] > 0).all()
    assert set(built["nearest_tiers_lieu"]) == set(built.index[with_one])
    assert built.loc["32436", "nearest_tiers_lieu"] == "32106"  # Solomiac -> Cologne


# Bad raw folders: a clear error naming the file or column, and nothing written.


@pytest.fixture
def raw_copy(raw_dir, tmp_path) -> Path:
    return Path(shutil.copytree(raw_dir, tmp_path / "raw"))


def test_a_missing_raw_file_is_named_and_nothing_is_written(raw_copy, tmp_path) -> None:
    (raw_copy / "insee/bpe2019_ensemble_gers_voisins.csv").unlink()
    out = tmp_path / "out"
    with pytest.raises(RawDataError, match=r"bpe2019_ensemble_gers_voisins\.csv is missing"):
        build(raw_copy, out)
    assert not out.exists()


def test_a_renamed_column_is_named_and_the_previous_output_kept(raw_copy, tmp_path) -> None:
    path = raw_copy / "insee/base_cc_comparateur_2025_gers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("P22_POP;", "POP_2022;", 1), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "villages.parquet").write_bytes(b"previous")
    with pytest.raises(
        RawDataError, match=r"base_cc_comparateur_2025_gers.csv: column\(s\) 'P22_POP' missing"
    ):
        build(raw_copy, out)
    assert (out / "villages.parquet").read_bytes() == b"previous"
    assert [p.name for p in out.iterdir()] == ["villages.parquet"]


def test_a_non_numeric_value_is_named_with_its_row(raw_copy, tmp_path) -> None:
    path = raw_copy / "insee/base_cc_comparateur_2025_gers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[3] = "n/a"  # SUPERF of 32001
    lines[1] = ";".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        RawDataError, match=r"column 'SUPERF' expected numbers, found 'n/a' \(commune 32001\)"
    ):
        build(raw_copy, tmp_path / "out")


def test_a_mention_outside_the_gers_is_refused(raw_copy, tmp_path) -> None:
    path = raw_copy / "soho_solo/soho_solo_mentions_gers.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + '31555,Toulouse,test,"",http://x,2026-01-01,x\n',
        encoding="utf-8",
    )
    with pytest.raises(RawDataError, match=r"codes \['31555'\] are not Gers communes"):
        build(raw_copy, tmp_path / "out")


def _append(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n{line}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "line", "message"),
    [
        # An unknown Gers code would be dropped silently by a join: it is refused.
        (
            "insee/bpe2019_ensemble_gers_voisins.csv",
            "76;32;32999;32999;2019;D201;5",
            r"code '32999' at line 24055 is not a commune of COG 2025",
        ),
        # Cannet was merged into Riscle before 2019: its code cannot appear in a 2019 file.
        (
            "insee/bpe2019_ensemble_gers_voisins.csv",
            "76;32;32074;32074;2019;D201;3",
            r"code '32074' \(merged into 32344 in 2019\) at line 24055 is not a commune",
        ),
        (
            "broadband/arcep_ftth_communes_2017T3_2018T1_gers_voisins.csv",
            "32013,Locaux Raccordables,1,1,1",
            r"expected one 'Locaux Raccordables' row per commune, found 32013 twice \(line 2360\)",
        ),
        (
            "broadband/arcep_ftth_communes_2017T3_2018T1_gers_voisins.csv",
            "32999,Catégorie,0,0,0",
            r"code '32999' at line 2360 is not a commune",
        ),
    ],
)
def test_stray_or_doubled_source_rows_are_refused(raw_copy, tmp_path, file, line, message) -> None:
    _append(raw_copy / file, line)
    with pytest.raises(RawDataError, match=message):
        build(raw_copy, tmp_path / "out")


def test_a_malformed_income_is_an_error_not_a_secret(raw_copy, tmp_path) -> None:
    path = raw_copy / "insee/base_cc_comparateur_2025_gers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(";19070;", ";19 070;", 1), encoding="utf-8")
    with pytest.raises(
        RawDataError, match=r"'MED21' expected numbers, found '19 070' \(commune 32001\)"
    ):
        build(raw_copy, tmp_path / "out")


def test_an_unreadable_geojson_is_named(raw_copy, tmp_path) -> None:
    path = raw_copy / "boundaries/communes-32-gers.geojson"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(
        RawDataError, match=r"raw file .*communes-32-gers\.geojson could not be read"
    ):
        build(raw_copy, tmp_path / "out")
