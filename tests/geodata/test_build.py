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
HEALTH = "health/apl_medecins_generalistes_2023_gers.csv"
RENTS = "housing_rents/anil2022_loyers_dvf2022_2023_communes_gers_jonathands30.csv"


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
def test_straight_km_to_auch_against_haversine(built, raw_dir, code) -> None:
    points = {r["insee_com"]: r for r in _rows(raw_dir, "insee/communes_datasfun_gers_voisins.csv")}
    village, auch = points[code], points[AUCH]
    reference = _haversine_km(
        float(village["lat"]), float(village["lng"]), float(auch["lat"]), float(auch["lng"])
    )
    assert _close(built.loc[code, "km_straight_to_auch"], reference), (
        built.loc[code, "km_straight_to_auch"],
        reference,
    )
    # The road is longer than the straight line, and no faster than the motorway.
    assert built.loc[code, "km_to_auch"] > reference
    assert built.loc[code, "minutes_to_auch"] >= reference / 110 * 60


def test_straight_km_to_toulouse_and_airport_against_haversine(built, raw_dir) -> None:
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
        assert _close(built.loc[code, "km_straight_to_airport"], to_airport)
        assert _close(built.loc[code, "km_straight_to_toulouse"], to_station)


# Real road distances between town centres (SOURCES.md, section 5). Auch-Toulouse is held to
# 10 %, as the issue asks; the shorter trips to 15 %, the precision SOURCES.md expects of
# the skeleton's straight segments, since commune points lie off the centres (Fleurance's by
# 1.8 km) and their access legs weigh more on a short trip.
@pytest.mark.parametrize(
    ("origin", "target", "km", "tolerance"),
    [
        (AUCH, "toulouse", 79, 0.10),
        ("32132", "auch", 25, 0.15),  # Fleurance
        ("32160", "toulouse", 35, 0.15),  # L'Isle-Jourdain
        ("32107", "auch", 45, 0.15),  # Condom
    ],
)
def test_road_distances_land_near_known_ones(built, origin, target, km, tolerance) -> None:
    assert abs(built.loc[origin, f"km_to_{target}"] - km) <= tolerance * km
    assert not built.loc[origin, "travel_estimated"]


def test_every_commune_reaches_auch_by_road_never_faster_than_the_straight_line(built) -> None:
    assert not built["travel_estimated"].any()
    assert built["minutes_to_auch"].between(0, 90).all()
    assert (built.drop(index=AUCH)["minutes_to_auch"] > 0).all()
    for target in ("auch", "toulouse", "station", "airport"):
        straight = built[f"km_straight_to_{target}"]
        # 110 km/h, the motorway's, is the fastest speed of the network.
        assert (built[f"minutes_to_{target}"] >= straight / 110 * 60 - 0.05).all(), target
        # Junctions merge waypoints up to 50 m apart: a road may save that much per junction.
        assert (built[f"km_to_{target}"] >= straight - 0.5).all(), target
    assert built.loc[AUCH, "minutes_to_toulouse"] == pytest.approx(62, abs=8)


def _arcep_2018(raw_dir: Path) -> tuple[dict[str, float], dict[str, int]]:
    premises: dict[str, float] = defaultdict(float)
    category: dict[str, int] = {}
    for row in _rows(raw_dir, "broadband/arcep_ftth_communes_2017T3_2018T1_gers_voisins.csv"):
        code = cog.MERGED_INTO.get(row["Code commune"], (row["Code commune"], 0))[0]
        if row["Champ"] == "Locaux Raccordables":
            premises[code] += float(row["T1 2018"])
        elif row["Champ"] == "Catégorie":
            category[code] = max(category.get(code, 0), int(float(row["T1 2018"])))
    return premises, category


def test_fibre_2018_is_kept_as_history_within_its_arcep_class(built, raw_dir) -> None:
    # ARCEP's class bounds the share it computed with its own premises count: an independent
    # check of the estimated denominator (dwellings + establishments).
    bounds = {5: (0, 10), 10: (10, 25), 25: (25, 50), 50: (50, 80), 80: (80, 100)}
    premises, category = _arcep_2018(raw_dir)
    for code, row in built.iterrows():
        share = 100 * row["ftth_share_2018"]
        assert (share == 0) == (premises[code] == 0), code
        if premises[code] > 0:
            low, high = bounds[category[code]]
            assert low < share < high, code
    assert premises[AUCH] == 5808


def test_fibre_2025_is_the_arcep_share_of_every_commune(built, raw_dir) -> None:
    rows = _rows(raw_dir, "broadband/arcep_ftth_pct_commune_vivrea_2026-02_gers_voisins.csv")
    percent = {r["insee_com"]: float(r["fibre_pct"]) for r in rows if r["insee_dep"] == "32"}
    assert set(percent) == set(built.index)
    for code, value in percent.items():
        assert built.loc[code, "ftth_share"] == pytest.approx(value / 100, abs=1e-9), code
    assert [percent[AUCH], percent["32249"], percent["32416"]] == [95.4, 99.6, 65.7]
    assert built.loc[[AUCH, "32249", "32416"], "ftth_share"].tolist() == [0.954, 0.996, 0.657]
    assert (built["ftth_vintage"] == "ARCEP 2025").all()
    assert (built["mobile_vintage"] == "ARCEP 2018").all()


def test_doctors_apl_and_the_merged_commune_weighted_by_population(built, raw_dir) -> None:
    apl = {r["codgeo"]: float(r["apl_med_gen"]) for r in _rows(raw_dir, HEALTH)}
    population = {
        r["insee_com"]: int(r["population_2021"])
        for r in _rows(raw_dir, "insee/communes_datasfun_gers_voisins.csv")
    }
    assert built.loc["32436", "apl_doctors"] == apl["32436"] == 5.1  # Solomiac
    parts = ["32067", "32260", "32413", "32365"]  # Cap d'Astarac and the three it absorbed
    mean = sum(apl[c] * population[c] for c in parts) / sum(population[c] for c in parts)
    assert built.loc["32365", "apl_doctors"] == round(mean, 1) == 3.3
    for code in built.index.drop("32365"):
        assert built.loc[code, "apl_doctors"] == apl[code], code


def test_rents_of_the_commune_else_its_intercommunality(built, raw_dir) -> None:
    rows = {r["INSEE_COM"]: r for r in _rows(raw_dir, RENTS, ";")}
    own = built[built["rent_level"] == "commune"]
    assert set(own.index) == (set(rows) - set(cog.MERGED_INTO)) | {"32365"}
    for code in own.index.drop("32365"):
        assert built.loc[code, "rent_m2_house"] == float(rows[code]["loyer_maisons"]), code
        assert built.loc[code, "rent_m2_flat"] == float(rows[code]["loyer_apparts"]), code
    # Saint-Blancard and Monbardon, merged into Cap d'Astarac, share their model area's rents.
    assert built.loc["32365", ["rent_m2_house", "rent_m2_flat"]].tolist() == [6.84, 8.32]
    absent = built[built["rent_level"] != "commune"]
    assert len(absent) == 146
    assert (absent["rent_level"] == "epci").all()
    assert "32416" in absent.index  # Sarrant
    for code, row in absent.iterrows():
        peers = own[own["epci_code"] == row["epci_code"]]
        for column in ("rent_m2_house", "rent_m2_flat"):
            assert row[column] == pytest.approx(peers[column].median(), abs=0.006), code


def test_house_prices_are_drawn_toward_the_intercommunality_by_their_sales(built, raw_dir) -> None:
    epci = {
        r["code"]: r
        for r in _rows(
            raw_dir, "derived_ptod/ptod_dvf_prix_volumes_epci_2010_2024_gers_voisins.csv"
        )
        if r["annee"] == "2024" and r["aggregation"] == "annuelle"
    }
    rows = _rows(raw_dir, "derived_ptod/ptod_agg_iris_32_gers.csv")
    for row in (r for r in rows if r["TYP_IRIS"] == "Z"):
        code, village = row["COM"], built.loc[row["COM"]]
        region = float(epci[village["epci_code"]]["pxm2_mai"])
        assert village["epci_house_price_m2"] == region
        sales = int(float(row["logd_trans_mai_24"] or 0)) if row["logd_px2q2_mai_24"] else 0
        weight = sales / (sales + 8.3)
        assert village["house_price_commune_weight"] == pytest.approx(weight, abs=1e-4), code
        expected = region
        if sales:
            own = float(row["logd_px2q2_mai_24"])
            expected = math.exp(weight * math.log(own) + (1 - weight) * math.log(region))
            assert min(own, region) - 0.05 <= village["house_price_m2"] <= max(own, region) + 0.05
        assert village["house_price_m2"] == pytest.approx(expected, abs=0.05), code
        assert village["house_price_level"] == ("commune" if weight >= 0.5 else "epci"), code


def test_montesquiou_six_sales_at_408_euros_read_sensibly(built) -> None:
    montesquiou = built.loc["32285"]
    assert montesquiou["name"] == "Montesquiou"
    assert montesquiou["commune_house_price_m2"] == 408
    assert montesquiou["house_price_sales"] == 6
    # Six sales weigh 6 / 14.3: the price moves most of the way to its intercommunality's.
    assert montesquiou["house_price_commune_weight"] == pytest.approx(0.42, abs=0.01)
    assert montesquiou["house_price_level"] == "epci"
    assert 700 < montesquiou["house_price_m2"] < montesquiou["epci_house_price_m2"] == 1406.76
    # Auch, 133 sales over 11 IRIS, keeps nearly its own median (their sales-weighted mean).
    assert built.loc[AUCH, "house_price_commune_weight"] > 0.9
    assert built.loc[AUCH, "house_price_level"] == "commune"


def test_the_auch_median_is_its_iris_medians_weighted_by_sales(built, raw_dir) -> None:
    iris = [r for r in _rows(raw_dir, "derived_ptod/ptod_agg_iris_32_gers.csv") if r["COM"] == AUCH]
    priced = [
        (float(r["logd_px2q2_mai_24"]), float(r["logd_trans_mai_24"]))
        for r in iris
        if r["logd_px2q2_mai_24"]
    ]
    expected = sum(p * n for p, n in priced) / sum(n for _, n in priced)
    assert len(iris) == 11
    assert built.loc[AUCH, "commune_house_price_m2"] == pytest.approx(expected, abs=0.05)
    assert built.loc[AUCH, "house_price_sales"] == sum(
        int(float(r["logd_trans_mai_24"])) for r in iris
    )


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


def test_a_fibre_share_over_100_percent_is_refused(raw_copy, tmp_path) -> None:
    path = raw_copy / "broadband/arcep_ftth_pct_commune_vivrea_2026-02_gers_voisins.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("32013,32,Auch,22428,95.4", "32013,32,Auch,22428,954"))
    with pytest.raises(RawDataError, match=r"'fibre_pct' expected 0 to 100, found 954 for .*32013"):
        build(raw_copy, tmp_path / "out")


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
        (
            "broadband/arcep_ftth_pct_commune_vivrea_2026-02_gers_voisins.csv",
            "32013,32,Auch,22428,95.4",
            r"expected one row per commune, found 32013 twice \(line 1177\)",
        ),
        (
            "broadband/arcep_ftth_pct_commune_vivrea_2026-02_gers_voisins.csv",
            "32067,32,Cabas-Loumassès,49,90.0",
            r"code '32067' \(merged into 32365 in 2025\) at line 1177 is not a commune",
        ),
        (HEALTH, "32999,Nowhere,3.0", r"code '32999' at line 463 is not a commune"),
        (RENTS, "32999;32;Nowhere;1;1;1;1;8;7;1;1", r"code '32999' at line 315 is not a commune"),
        (
            "roads/travelmapping_wpt_gers_voisins.csv",
            "FRA-OCC,fraoccc32,fraocc.c1,0,X,,0,43.6,0.6",
            r"road system 'fraoccc32': expected one of the road classes",
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
