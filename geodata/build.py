"""Raw open data -> the packaged village table (reproducible: same raw files, same table).

``build_villages(raw_dir)`` derives the table; ``build(raw_dir, out_dir)`` also validates it and
writes it. Nothing is written unless every source was read and every check passed.
"""

import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata import cog, derive
from geodata.exceptions import RawDataError
from geodata.io import (
    RAW_FORMATS,
    TABLE_FILE,
    VILLAGES_FILE,
    read_raw,
    write_village_table,
    write_villages,
)
from geodata.schema import (
    ANTENNA_RADIUS_KM,
    COLUMN_NAMES,
    CRS_METRIC,
    CRS_STORED,
    FTTH_VINTAGE,
    MIN_COMMUNE_SALES,
    PRICE_VINTAGE,
    SCHOOL_BREAKDOWN,
    SERVICES,
    SOURCES,
)
from geodata.validate import validate

AUCH = "32013"
TOULOUSE_MATABIAU = "Toulouse Matabiau"
TOULOUSE_BLAGNAC_ICAO = "LFBO"
FIXED_PLACES = 2  # km are rounded to 10 m, minutes to 0.1 min: ample for estimates
# The COG gives a commune split over several cantons (Auch) the pseudo-canton dd99.
MULTI_CANTON_SUFFIX = "99"


def build(raw_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> Path:
    """Build, validate and write ``villages.parquet`` into ``out_dir``, with the same rows in
    ``villages.json`` for the service (``geodata.io.read_village_table``); return the
    GeoParquet's path."""
    villages = build_villages(raw_dir)
    validate(villages)
    path = write_villages(villages, Path(out_dir) / VILLAGES_FILE)
    write_village_table(villages, Path(out_dir) / TABLE_FILE)
    return path


def build_villages(raw_dir: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Derive the village table from the raw folder described by its SOURCES.md."""
    raw = {key: read_raw(raw_dir, key) for key in SOURCES}  # every file checked before work
    base = _people_and_housing(raw["comparateur"])
    codes = base.index
    geometry = _geometry(raw["polygons"], codes)
    points = _points(raw["points"], codes)
    frame = pd.concat(
        [
            _names(raw["cog2019"], raw["ptod_iris"], codes),
            _cantons(raw["cog2019"], raw["cantons"], points),
            _epci(raw["ptod_iris"], raw["ptod_epci"], codes),
            pd.DataFrame({"point_lon": points.x, "point_lat": points.y}),
            base,
            _services(raw["bpe"], raw["neighbours"], points),
            _access(points, raw["stations"], raw["airports"]),
            _broadband(raw["ftth"], raw["antennas"], base, points),
            _house_prices(raw["ptod_iris"], raw["ptod_epci"], codes),
            _soho_solo(raw["soho_solo"], codes),
        ],
        axis=1,
    )
    frame = frame.join(_tiers_lieu_access(frame["tiers_lieu"], points))
    frame["insee"] = codes
    villages = gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS_STORED)
    villages = villages[list(COLUMN_NAMES)].sort_index()
    villages.index.name = "code"
    return villages


def _require_codes(what: str, found: pd.Index, expected: pd.Index) -> None:
    """``found`` (before any reindexing) must be exactly the communes of the geography."""
    missing, extra = expected.difference(found), found.difference(expected)
    if len(missing) or len(extra):
        raise RawDataError(
            f"{what}: expected the {len(expected)} communes of {cog.GEOGRAPHY}; "
            f"missing {list(missing)[:10]}, unexpected {list(extra)[:10]}"
        )


def _numeric(frame: pd.DataFrame, column: str, source: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame.loc[values.isna() & frame[column].notna(), column]
    if not bad.empty:
        raise RawDataError(
            f"{SOURCES[source].path}: column {column!r} expected numbers, found "
            f"{bad.iloc[0]!r} ({_where(bad.index[0])})"
        )
    return values


def _where(label: object) -> str:
    # Frames keep read_csv's row numbers or are indexed by commune code.
    if isinstance(label, int | np.integer):
        return f"line {int(label) + 2}"  # + the header line, and lines count from 1
    return f"commune {label}"


def _gers_codes(frame: pd.DataFrame, column: str, source: str, codes: pd.Index) -> None:
    """After recoding, every Gers code of a source must be a commune of the geography."""
    gers = frame[column].astype(str)
    stray = frame.loc[gers.str.startswith("32") & ~gers.isin(codes), column]
    if not stray.empty:
        old = cog.MERGED_INTO.get(str(stray.iloc[0]))
        hint = f" (merged into {old[0]} in {old[1]})" if old else ""
        raise RawDataError(
            f"{SOURCES[source].path}: code {stray.iloc[0]!r}{hint} at {_where(stray.index[0])} "
            f"is not a commune of {cog.GEOGRAPHY}; expected one of the {len(codes)} Gers codes"
        )


def _people_and_housing(comparateur: pd.DataFrame) -> pd.DataFrame:
    doubled = comparateur[comparateur["CODGEO"].duplicated()]
    if not doubled.empty:
        raise RawDataError(
            f"{SOURCES['comparateur'].path}: commune {doubled['CODGEO'].iloc[0]} appears twice "
            f"({_where(doubled.index[0])})"
        )
    # The file keeps empty rows for the three codes merged into Cap d'Astarac in 2025.
    empty = comparateur.loc[comparateur["P22_POP"].isna(), "CODGEO"]
    unexpected = sorted(set(empty) - set(cog.MERGED_INTO))
    if unexpected:
        raise RawDataError(
            f"{SOURCES['comparateur'].path}: expected figures for commune {unexpected[0]}, "
            "found an empty row"
        )
    rows = comparateur[comparateur["P22_POP"].notna()].set_index("CODGEO")
    rows.index.name = "code"
    if len(rows) != cog.GERS_COMMUNE_COUNT:
        raise RawDataError(
            f"{SOURCES['comparateur'].path}: expected {cog.GERS_COMMUNE_COUNT} filled rows, "
            f"found {len(rows)}"
        )
    needed = [c for c in RAW_FORMATS["comparateur"].columns if c not in ("CODGEO", "MED21")]
    num = {c: _numeric(rows, c, "comparateur") for c in needed}
    # 's' marks statistical secrecy: an empty median, never a number made up.
    income = _numeric(rows.assign(MED21=rows["MED21"].replace("s", np.nan)), "MED21", "comparateur")
    out = pd.DataFrame(
        {
            "population": num["P22_POP"].round().astype("int64"),
            "area_km2": num["SUPERF"],
            "density_per_km2": (num["P22_POP"] / num["SUPERF"]).round(1),
            "dwellings": num["P22_LOG"],
            "main_homes": num["P22_RP"],
            "vacant_dwellings": num["P22_LOGVAC"],
            "second_homes": num["P22_RSECOCC"],
            "vacancy_share": (num["P22_LOGVAC"] / num["P22_LOG"]).round(4),
            "owners_share": (num["P22_RP_PROP"] / num["P22_RP"]).round(4),
            "median_income_eur": income,
            "jobs": num["P22_EMPLT"],
            "establishments": num["ETTOT24"].astype("int64"),
        }
    )
    return out.sort_index()


def _geometry(polygons: gpd.GeoDataFrame, codes: pd.Index) -> gpd.GeoSeries:
    recoded = cog.recode(polygons[["code", "geometry"]], "code", vintage=2018)
    dissolved = recoded.to_crs(CRS_METRIC).dissolve(by="code").geometry
    # Dissolving in Lambert-93 welds the shared edges of merged communes cleanly.
    geometry = dissolved.to_crs(CRS_STORED).make_valid()
    _require_codes(SOURCES["polygons"].path, geometry.index, codes)
    return geometry.reindex(codes)


def _points(points: pd.DataFrame, codes: pd.Index) -> gpd.GeoSeries:
    # One row per commune and postcode: a commune with two postcodes has two identical points.
    gers = points[points["insee_dep"] == "32"].drop_duplicates("insee_com")
    # COG 2024 still lists the three communes merged in 2025: the merged commune keeps the
    # absorbing commune's own point (its chef-lieu), so the merged codes' rows are left out.
    own = gers[~gers["insee_com"].isin(list(cog.MERGED_INTO))].set_index("insee_com")
    _require_codes(SOURCES["points"].path, own.index, codes)
    own = own.reindex(codes)
    lon = _numeric(own, "lng", "points")
    return derive.points_from_lonlat(lon, _numeric(own, "lat", "points"))


def _names(cog2019: pd.DataFrame, ptod: pd.DataFrame, codes: pd.Index) -> pd.Series:
    gers = cog2019[cog2019["dep"] == "32"]
    # A merged commune takes the name of its own 2019 row (then the 2025 rename); the rows of
    # the communes it absorbed are left out.
    _gers_codes(gers[~gers["com"].isin(list(cog.MERGED_INTO))], "com", "cog2019", codes)
    gers = gers[gers["com"].isin(codes)].set_index("com")
    _require_codes(SOURCES["cog2019"].path, gers.index, codes)
    names = cog.apply_renames(gers["libelle"].reindex(codes).rename("name"))
    reference = ptod.drop_duplicates("COM").set_index("COM")["libelle_com"].reindex(codes)
    differ = names[names != reference]
    if not differ.empty:
        code = differ.index[0]
        raise RawDataError(
            f"commune {code}: COG 2019 name with the renames of geodata.cog gives "
            f"{names[code]!r}, but the COG 2025 name in {SOURCES['ptod_iris'].path} is "
            f"{reference[code]!r}; add the rename to geodata.cog.RENAMED_SINCE_2019"
        )
    return names


def _cantons(
    cog2019: pd.DataFrame, cantons: gpd.GeoDataFrame, points: gpd.GeoSeries
) -> pd.DataFrame:
    gers = cog2019[cog2019["dep"] == "32"].set_index("com")
    code = gers["can"].reindex(points.index).copy()
    # The canton outlines are coded 32001..32017 where the COG says 3201..3217.
    outline_code = "32" + cantons["code"].str[-2:]
    names = pd.Series(cantons["nom"].to_numpy(), index=outline_code.to_numpy())
    split = code.index[code.str.endswith(MULTI_CANTON_SUFFIX)]
    if len(split):
        located = gpd.sjoin(
            gpd.GeoDataFrame(geometry=points.loc[split]),
            gpd.GeoDataFrame({"canton_code": outline_code}, geometry=cantons.geometry),
            predicate="within",
        )
        code.loc[located.index] = located["canton_code"]
    unknown = code[~code.isin(names.index)]
    if not unknown.empty:
        raise RawDataError(
            f"{SOURCES['cog2019'].path}: commune {unknown.index[0]} has canton "
            f"{unknown.iloc[0]!r}, expected one of {sorted(names.index)}"
        )
    return pd.DataFrame({"canton_code": code, "canton": names.reindex(code).to_numpy()})


def _epci_of(ptod: pd.DataFrame, codes: pd.Index) -> pd.Series:
    _gers_codes(ptod, "COM", "ptod_iris", codes)
    epci = ptod.drop_duplicates("COM").set_index("COM")["epci"]
    _require_codes(SOURCES["ptod_iris"].path, epci.dropna().index, codes)
    # The parquet-to-CSV conversion wrote the SIREN codes as floats ("200035632.0").
    return epci.reindex(codes).str.removesuffix(".0")


def _epci(ptod: pd.DataFrame, series: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    epci = _epci_of(ptod, codes)
    labels = series.drop_duplicates("code").set_index("code")["libelle"]
    missing = sorted(set(epci) - set(labels.index))
    if missing:
        raise RawDataError(f"{SOURCES['ptod_epci'].path}: no series for EPCI {missing}")
    return pd.DataFrame({"epci_code": epci, "epci_name": labels.reindex(epci).to_numpy()})


def _bpe_counts(bpe: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    """Equipment counts per commune (rows) and BPE code (columns), Gers codes in COG 2025."""
    recoded = cog.recode(bpe, "DEPCOM", vintage=2019)
    _gers_codes(recoded, "DEPCOM", "bpe", codes)
    recoded["NB_EQUIP"] = _numeric(recoded, "NB_EQUIP", "bpe")
    return recoded.pivot_table(
        index="DEPCOM", columns="TYPEQU", values="NB_EQUIP", aggfunc="sum", fill_value=0
    )


def _services(bpe: pd.DataFrame, neighbours: pd.DataFrame, points: gpd.GeoSeries) -> pd.DataFrame:
    counts = _bpe_counts(bpe, points.index)
    near = neighbours.drop_duplicates("insee_com").set_index("insee_com")
    near = near[~near.index.isin(points.index)]
    # The search covers the Gers and the communes within 20 km of it: a village near the border
    # uses services across it. BPE neighbour codes absent from the COG 2024 list are dropped.
    candidates = pd.concat(
        [
            points,
            derive.points_from_lonlat(
                _numeric(near, "lng", "neighbours"), _numeric(near, "lat", "neighbours")
            ),
        ]
    )
    columns: dict[str, pd.Series] = {}
    for service in SERVICES:
        present = [c for c in service.bpe_codes if c in counts.columns]
        total = counts[present].sum(axis=1) if present else pd.Series(dtype="int64")
        local = total.reindex(points.index, fill_value=0).astype("int64")
        has = total[total > 0].index.intersection(candidates.index)
        km, label = derive.nearest(points, candidates.loc[has], service.code)
        columns[f"n_{service.code}"] = local
        minutes = derive.estimated_minutes(km, f"minutes_to_{service.code}")
        columns[f"minutes_to_{service.code}"] = minutes.round(1)
        columns[f"nearest_{service.code}"] = label
    for name, bpe_codes in SCHOOL_BREAKDOWN.items():
        present = [c for c in bpe_codes if c in counts.columns]
        columns[name] = (
            counts[present].sum(axis=1).reindex(points.index, fill_value=0).astype("int64")
        )
    return pd.DataFrame(columns)


def _access(points: gpd.GeoSeries, stations: pd.DataFrame, airports: pd.DataFrame) -> pd.DataFrame:
    station_points = derive.points_from_lonlat(
        _numeric(stations, "Longitude", "stations"), _numeric(stations, "Latitude", "stations")
    )
    station_points.index = pd.Index(stations["Intitulé gare"])
    matabiau = station_points[station_points.index == TOULOUSE_MATABIAU]
    airport = airports[airports["icao"] == TOULOUSE_BLAGNAC_ICAO]
    for found, what, source in (
        (matabiau, TOULOUSE_MATABIAU, "stations"),
        (airport, TOULOUSE_BLAGNAC_ICAO, "airports"),
    ):
        if len(found) != 1:
            raise RawDataError(f"{SOURCES[source].path}: expected one {what}, found {len(found)}")
    auch = points.loc[AUCH]
    targets = {
        "auch": (auch.x, auch.y),
        "toulouse": (matabiau.iloc[0].x, matabiau.iloc[0].y),
        "airport": (float(airport["longitude"].iloc[0]), float(airport["latitude"].iloc[0])),
    }
    columns: dict[str, pd.Series] = {}
    for name, (lon, lat) in targets.items():
        columns[f"km_to_{name}"] = derive.distance_km(points, lon, lat, f"km_to_{name}")
    km, label = derive.nearest(points, station_points, "station")
    columns["km_to_station"] = km
    out = pd.DataFrame({k: v.round(FIXED_PLACES) for k, v in columns.items()})
    for name in ("auch", "toulouse", "station", "airport"):
        minutes = derive.estimated_minutes(columns[f"km_to_{name}"], f"minutes_to_{name}")
        out[f"minutes_to_{name}"] = minutes.round(1)
    out["nearest_station"] = label
    return out


def _broadband(
    ftth: pd.DataFrame, antennas: pd.DataFrame, base: pd.DataFrame, points: gpd.GeoSeries
) -> pd.DataFrame:
    doubled = ftth[ftth.duplicated(["Code commune", "Champ"])]
    if not doubled.empty:
        raise RawDataError(
            f"{SOURCES['ftth'].path}: expected one {doubled['Champ'].iloc[0]!r} row per commune, "
            f"found {doubled['Code commune'].iloc[0]} twice ({_where(doubled.index[0])})"
        )
    recoded = cog.recode(ftth, "Code commune", vintage=2018)
    _gers_codes(recoded, "Code commune", "ftth", points.index)
    recoded["value"] = _numeric(recoded, "T1 2018", "ftth")
    by_field = recoded.pivot_table(
        index="Code commune", columns="Champ", values="value", aggfunc="sum"
    )
    # A merged commune's ARCEP class cannot be recomputed; it takes the highest of its parts.
    category = recoded[recoded["Champ"] == "Catégorie"].groupby("Code commune")["value"].max()
    gers_premises = by_field["Locaux Raccordables"]
    gers_premises = gers_premises[gers_premises.index.str.startswith("32")]
    _require_codes(SOURCES["ftth"].path, gers_premises.index, points.index)
    premises = gers_premises.reindex(points.index)
    share = (premises / (base["dwellings"] + base["establishments"])).clip(upper=1.0)
    sites = antennas[_numeric(antennas, "4G", "antennas") == 1]
    sites_xy = gpd.GeoSeries(
        gpd.points_from_xy(_numeric(sites, "x", "antennas"), _numeric(sites, "y", "antennas")),
        index=sites.index,
        crs=CRS_METRIC,
    )
    operators = sum(
        (
            derive.count_within(points, sites_xy[sites["Operateur"] == op], ANTENNA_RADIUS_KM, op)
            > 0
        ).astype("int64")
        for op in sorted(sites["Operateur"].unique())
    )
    return pd.DataFrame(
        {
            "ftth_premises": premises.astype("int64"),
            "ftth_share": share.round(4),
            "ftth_category": category.reindex(points.index).astype("int64"),
            "ftth_vintage": FTTH_VINTAGE,
            "sites_4g": derive.count_within(points, sites_xy, ANTENNA_RADIUS_KM, "sites_4g"),
            "operators_4g": operators,
        },
        index=points.index,
    )


def _house_prices(iris: pd.DataFrame, epci_series: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    # One measure for every commune: the 2024 house median of the IRIS file. A commune not
    # split into IRIS has one row, whose figures are the commune's; for the four split ones
    # (Auch, Condom, Fleurance, L'Isle-Jourdain) the commune figure is the mean of their IRIS
    # medians weighted by sales, an approximation of the commune median.
    rows = iris[["COM", "TYP_IRIS"]].assign(
        price=_numeric(iris, "logd_px2q2_mai_24", "ptod_iris"),
        sales=_numeric(iris, "logd_trans_mai_24", "ptod_iris").fillna(0),
    )
    rows["weighted"] = rows["price"] * rows["sales"].where(rows["price"].notna(), 0)
    by_commune = rows.groupby("COM").agg(
        weighted=("weighted", "sum"), sales=("sales", "sum"), parts=("price", "size")
    )
    priced_sales = rows[rows["price"].notna()].groupby("COM")["sales"].sum()
    whole = rows[rows["TYP_IRIS"] == "Z"].set_index("COM")["price"]
    weighted = by_commune["weighted"] / priced_sales.reindex(by_commune.index)
    price = whole.reindex(by_commune.index).where(by_commune["parts"] == 1, weighted.round(1))
    price, sales = (
        price.reindex(codes),
        by_commune["sales"].reindex(codes).fillna(0).astype("int64"),
    )
    epci_of = _epci_of(iris, codes)
    year = epci_series[
        (epci_series["annee"].astype(str) == "2024") & (epci_series["aggregation"] == "annuelle")
    ].set_index("code")
    epci_price = _numeric(year, "pxm2_mai", "ptod_epci").reindex(epci_of)
    epci_sales = _numeric(year, "nbtrans_mai", "ptod_epci").reindex(epci_of)
    if epci_price.isna().any():
        raise RawDataError(
            f"{SOURCES['ptod_epci'].path}: no 2024 house price for EPCI "
            f"{sorted(set(epci_price[epci_price.isna()].index))}"
        )
    own = (sales >= MIN_COMMUNE_SALES) & price.notna()
    return pd.DataFrame(
        {
            "house_price_m2": np.where(own, price, epci_price.to_numpy()),
            "house_price_sales": np.where(own, sales, epci_sales.to_numpy()).astype("int64"),
            "house_price_level": np.where(own, "commune", "epci"),
            "commune_house_price_m2": price,
            "commune_house_sales": sales,
            "price_vintage": PRICE_VINTAGE,
        },
        index=codes,
    )


def _tiers_lieu_access(tiers_lieu: pd.Series, points: gpd.GeoSeries) -> pd.DataFrame:
    has = tiers_lieu.index[tiers_lieu.notna()]
    km, label = derive.nearest(points, points.loc[has], "tiers_lieu")
    minutes = derive.estimated_minutes(km, "minutes_to_tiers_lieu").round(1)
    return pd.DataFrame({"minutes_to_tiers_lieu": minutes, "nearest_tiers_lieu": label})


# The mentions file describes each place in a sentence: "tiers-lieu (L'Ours brun) featured
# on ...", "siège du réseau: tiers-lieu La Dynamo (Gers Développement, ...)", "bureaux
# partagés featured on ...". The venue is the name after "tiers-lieu", else the kind of place.
_VENUE = re.compile(r"tiers-lieu\s*(?:\(([^)]+)\)|([^(]+?)\s*\()|(bureaux partagés|coworking)")


def _venue(relation: str) -> str | None:
    found = _VENUE.search(relation)
    if found is None:
        return None
    name = next(group for group in found.groups() if group)
    return name if found.group(3) else f"tiers-lieu {name}"


def _soho_solo(mentions: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    unknown = sorted(set(mentions["insee_com"]) - set(codes))
    if unknown:
        raise RawDataError(f"{SOURCES['soho_solo'].path}: codes {unknown} are not Gers communes")
    rows = mentions.drop_duplicates("insee_com").set_index("insee_com")
    relation = rows["relation"].astype(str)
    # A meeting place or featured tiers-lieu is explicitly not proof of partner status.
    documented = relation.str.contains("partenaire") & ~relation.str.contains("NOT proof")
    tiers_lieu = relation.map(_venue).astype(relation.dtype)
    return pd.DataFrame(
        {
            "tiers_lieu": tiers_lieu.reindex(codes),
            "soho_solo_documented_partner": documented.reindex(codes, fill_value=False),
            "soho_solo_mention": relation.reindex(codes),
            "soho_solo_source_url": rows["source_url"].reindex(codes),
        }
    )
