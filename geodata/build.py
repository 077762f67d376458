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

from geodata import cog, derive, fibre, prices, roads
from geodata.exceptions import RawDataError
from geodata.io import (
    RAW_FORMATS,
    TABLE_FILE,
    VILLAGES_FILE,
    read_arcep_communes,
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
    MOBILE_VINTAGE,
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
#: Stations are joined to the road network as places labelled by their name after this.
STATION = "gare:"
#: Each travel function marks its straight-line fallbacks in columns named so; the build
#: folds them into ``travel_estimated``.
ESTIMATED = "estimated:"
# The COG gives a commune split over several cantons (Auch) the pseudo-canton dd99.
MULTI_CANTON_SUFFIX = "99"


def build(
    raw_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    ftth: str | os.PathLike[str] | None = None,
    ftth_vintage: str | None = None,
) -> Path:
    """Build, validate and write ``villages.parquet`` into ``out_dir``, with the same rows in
    ``villages.json`` for the service (``geodata.io.read_village_table``); return the
    GeoParquet's path. ``ftth`` and ``ftth_vintage``: see ``build_villages``."""
    villages = build_villages(raw_dir, ftth, ftth_vintage)
    validate(villages)
    path = write_villages(villages, Path(out_dir) / VILLAGES_FILE)
    write_village_table(villages, Path(out_dir) / TABLE_FILE)
    return path


def build_villages(
    raw_dir: str | os.PathLike[str],
    ftth: str | os.PathLike[str] | None = None,
    ftth_vintage: str | None = None,
) -> gpd.GeoDataFrame:
    """Derive the village table from the raw folder described by its SOURCES.md.

    ``ftth``: an ARCEP "Commune" table (DBF or CSV, ``geodata.io.read_arcep_communes``) to
    take the fibre shares from instead of ``SOURCES['ftth']``, labelled ``ftth_vintage`` or by
    the quarter in its name (``geodata.fibre.arcep_vintage``).
    """
    keys = [k for k in SOURCES if not (k == "ftth" and ftth is not None)]
    raw = {key: read_raw(raw_dir, key) for key in keys}  # every file checked before work
    base = _people_and_housing(raw["comparateur"])
    codes = base.index
    geometry = _geometry(raw["polygons"], codes)
    points = _points(raw["points"], codes)
    places = _places(points, raw["neighbours"], raw["stations"], raw["airports"])
    routes = roads.Routes.join(_network(raw["roads"]), places)
    tiers_lieu = _soho_solo(raw["soho_solo"], codes)
    frame = pd.concat(
        [
            _names(raw["cog2019"], raw["ptod_iris"], codes),
            _cantons(raw["cog2019"], raw["cantons"], points),
            _epci(raw["ptod_iris"], raw["ptod_epci"], codes),
            pd.DataFrame({"point_lon": points.x, "point_lat": points.y}),
            base,
            _services(raw["bpe"], routes, points, places),
            _doctors(raw["apl"], raw["points"], codes),
            _access(routes, points, places),
            _fibre(raw, ftth, ftth_vintage, codes),
            _fibre_2018(raw["ftth_2018"], base),
            _mobile(raw["antennas"], points),
            _house_prices(raw["ptod_iris"], raw["ptod_epci"], codes),
            _rents(raw["rents"], raw["ptod_iris"], points),
            tiers_lieu,
            _tiers_lieu_access(routes, tiers_lieu["tiers_lieu"], points),
        ],
        axis=1,
    )
    flags = [c for c in frame.columns if c.startswith(ESTIMATED)]
    frame["travel_estimated"] = frame[flags].any(axis=1)
    frame["insee"] = codes
    villages = gpd.GeoDataFrame(frame.drop(columns=flags), geometry=geometry, crs=CRS_STORED)
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


def _places(
    points: gpd.GeoSeries, neighbours: pd.DataFrame, stations: pd.DataFrame, airports: pd.DataFrame
) -> gpd.GeoSeries:
    """Every place a road time starts from or leads to: the Gers communes, the communes
    within 20 km of it (services across the border), the stations and the airport."""
    near = neighbours.drop_duplicates("insee_com").set_index("insee_com")
    near = near[~near.index.isin(points.index)]
    across = derive.points_from_lonlat(
        _numeric(near, "lng", "neighbours"), _numeric(near, "lat", "neighbours")
    )
    station_points = derive.points_from_lonlat(
        _numeric(stations, "Longitude", "stations"), _numeric(stations, "Latitude", "stations")
    )
    station_points.index = pd.Index(STATION + stations["Intitulé gare"])
    airport = airports[airports["icao"] == TOULOUSE_BLAGNAC_ICAO]
    matabiau = station_points.index == STATION + TOULOUSE_MATABIAU
    for found, what, source in (
        (int(matabiau.sum()), TOULOUSE_MATABIAU, "stations"),
        (len(airport), TOULOUSE_BLAGNAC_ICAO, "airports"),
    ):
        if found != 1:
            raise RawDataError(f"{SOURCES[source].path}: expected one {what}, found {found}")
    airport_point = derive.points_from_lonlat(
        _numeric(airport, "longitude", "airports"), _numeric(airport, "latitude", "airports")
    )
    airport_point.index = pd.Index([TOULOUSE_BLAGNAC_ICAO])
    return gpd.GeoSeries(pd.concat([points, across, station_points, airport_point]))


def _network(waypoints: pd.DataFrame) -> roads.Network:
    numeric = {
        c: _numeric(waypoints, c, "roads") for c in ("seq", "hidden_shaping_point", "lat", "lon")
    }
    return roads.road_network(waypoints.assign(**numeric))


def _by_road(
    routes: roads.Routes, points: gpd.GeoSeries, targets: gpd.GeoSeries, name: str
) -> pd.DataFrame:
    """``minutes_to_<name>``, ``km_to_<name>``, ``nearest_<name>`` and the fallback flag."""
    found = roads.nearest_or_estimate(routes, points, targets)
    return pd.DataFrame(
        {
            f"minutes_to_{name}": found["minutes"].astype(float).round(1),
            f"km_to_{name}": found["km"].astype(float).round(FIXED_PLACES),
            f"nearest_{name}": found["nearest"].astype(str),
            f"{ESTIMATED}{name}": found["estimated"],
        },
        index=points.index,
    )


def _services(
    bpe: pd.DataFrame, routes: roads.Routes, points: gpd.GeoSeries, places: gpd.GeoSeries
) -> pd.DataFrame:
    counts = _bpe_counts(bpe, points.index)
    # The search covers the Gers and the communes within 20 km of it: a village near the border
    # uses services across it. BPE neighbour codes absent from the COG 2024 list are dropped.
    communes = places[places.index.str.fullmatch(r"\d[\dAB]\d{3}")]
    columns: list[pd.DataFrame] = []
    for service in SERVICES:
        present = [c for c in service.bpe_codes if c in counts.columns]
        total = counts[present].sum(axis=1) if present else pd.Series(dtype="int64")
        has = total[total > 0].index.intersection(communes.index)
        found = _by_road(routes, points, communes.loc[has], service.code)
        found[f"n_{service.code}"] = total.reindex(points.index, fill_value=0).astype("int64")
        columns.append(found.drop(columns=f"km_to_{service.code}"))
    schools = {
        name: counts[[c for c in codes if c in counts.columns]]
        .sum(axis=1)
        .reindex(points.index, fill_value=0)
        .astype("int64")
        for name, codes in SCHOOL_BREAKDOWN.items()
    }
    return pd.concat([*columns, pd.DataFrame(schools)], axis=1)


def _doctors(apl: pd.DataFrame, points: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    """APL 2023; a merged commune takes the mean of its former communes weighted by their
    legal population 2021 (the datas.fun file, COG 2024 like the APL file)."""
    rows = cog.recode(apl, "codgeo", vintage=2024)
    _gers_codes(rows, "codgeo", "apl", codes)
    gers = points[points["insee_dep"] == "32"].drop_duplicates("insee_com").set_index("insee_com")
    weight = _numeric(gers, "population_2021", "points").reindex(apl["codgeo"])
    unweighted = apl.loc[weight.isna().to_numpy(), "codgeo"]
    if not unweighted.empty:
        raise RawDataError(
            f"{SOURCES['points'].path}: expected a population for commune "
            f"{unweighted.iloc[0]} of {SOURCES['apl'].path}, found none"
        )
    rows["weight"] = weight.to_numpy()
    rows["weighted"] = _numeric(apl, "apl_med_gen", "apl").to_numpy() * rows["weight"]
    sums = rows.groupby("codgeo")[["weighted", "weight"]].sum()
    _require_codes(SOURCES["apl"].path, sums.index, codes)
    apl_doctors = (sums["weighted"] / sums["weight"]).round(1).reindex(codes)
    return pd.DataFrame({"apl_doctors": apl_doctors})


def _access(routes: roads.Routes, points: gpd.GeoSeries, places: gpd.GeoSeries) -> pd.DataFrame:
    stations = places[places.index.str.startswith(STATION)]
    targets = {
        "auch": places.loc[[AUCH]],
        "toulouse": places.loc[[STATION + TOULOUSE_MATABIAU]],
        "station": stations,
        "airport": places.loc[[TOULOUSE_BLAGNAC_ICAO]],
    }
    xy = derive.metric_xy(points) / 1000.0
    columns: list[pd.DataFrame] = []
    for name, where in targets.items():
        found = _by_road(routes, points, where, name)
        reached = derive.metric_xy(places.loc[found[f"nearest_{name}"]]) / 1000.0
        straight = pd.Series(np.hypot(*(xy - reached).T), index=points.index)
        found[f"km_straight_to_{name}"] = straight.round(FIXED_PLACES)
        if name == "station":
            found["nearest_station"] = found["nearest_station"].str.removeprefix(STATION)
        else:
            found = found.drop(columns=f"nearest_{name}")
        columns.append(found)
    return pd.concat(columns, axis=1)


def _fibre(
    raw: dict[str, pd.DataFrame],
    ftth: str | os.PathLike[str] | None,
    ftth_vintage: str | None,
    codes: pd.Index,
) -> pd.DataFrame:
    if ftth is not None:
        share = fibre.arcep_shares(read_arcep_communes(ftth), codes, f"ARCEP file {ftth}")
        vintage = fibre.arcep_vintage(ftth, ftth_vintage)
        return pd.DataFrame({"ftth_share": share, "ftth_vintage": vintage}, index=codes)
    table = raw["ftth"]
    gers = table[table["insee_dep"] == "32"]
    _gers_codes(gers, "insee_com", "ftth", codes)
    doubled = gers[gers["insee_com"].duplicated()]
    if not doubled.empty:
        raise RawDataError(
            f"{SOURCES['ftth'].path}: expected one row per commune, found "
            f"{doubled['insee_com'].iloc[0]} twice ({_where(doubled.index[0])})"
        )
    percent = _numeric(gers, "fibre_pct", "ftth")
    outside = gers.loc[~percent.between(0, 100), "insee_com"]
    if not outside.empty:
        raise RawDataError(
            f"{SOURCES['ftth'].path}: column 'fibre_pct' expected 0 to 100, found "
            f"{percent[outside.index[0]]:g} for commune {outside.iloc[0]}"
        )
    share = (percent / 100).round(fibre.SHARE_DECIMALS)
    share.index = pd.Index(gers["insee_com"])
    _require_codes(SOURCES["ftth"].path, share.index, codes)
    return pd.DataFrame({"ftth_share": share.reindex(codes), "ftth_vintage": FTTH_VINTAGE})


def _fibre_2018(ftth: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """History: ARCEP T1 2018's connectable premises over an estimated premises count."""
    doubled = ftth[ftth.duplicated(["Code commune", "Champ"])]
    if not doubled.empty:
        raise RawDataError(
            f"{SOURCES['ftth_2018'].path}: expected one {doubled['Champ'].iloc[0]!r} row per "
            f"commune, found {doubled['Code commune'].iloc[0]} twice "
            f"({_where(doubled.index[0])})"
        )
    recoded = cog.recode(ftth, "Code commune", vintage=2018)
    _gers_codes(recoded, "Code commune", "ftth_2018", base.index)
    recoded["value"] = _numeric(recoded, "T1 2018", "ftth_2018")
    connectable = recoded[recoded["Champ"] == "Locaux Raccordables"]
    premises = connectable.groupby("Code commune")["value"].sum()
    premises = premises[premises.index.str.startswith("32")]
    _require_codes(SOURCES["ftth_2018"].path, premises.index, base.index)
    share = premises.reindex(base.index) / (base["dwellings"] + base["establishments"])
    return pd.DataFrame({"ftth_share_2018": share.clip(upper=1.0).round(4)})


def _mobile(antennas: pd.DataFrame, points: gpd.GeoSeries) -> pd.DataFrame:
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
            "sites_4g": derive.count_within(points, sites_xy, ANTENNA_RADIUS_KM, "sites_4g"),
            "operators_4g": operators,
            "mobile_vintage": MOBILE_VINTAGE,
        },
        index=points.index,
    )


def _commune_prices(iris: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    """Each commune's 2024 house median and sales. A commune not split into IRIS has one row,
    whose figures are the commune's; for the four split ones (Auch, Condom, Fleurance,
    L'Isle-Jourdain) the median is the mean of their IRIS medians weighted by sales, an
    approximation of the commune median."""
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
    sales = by_commune["sales"].reindex(codes).fillna(0).astype("int64")
    return pd.DataFrame({"commune_house_price_m2": price.reindex(codes), "sales": sales})


def _house_prices(iris: pd.DataFrame, epci_series: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    own = _commune_prices(iris, codes)
    year = epci_series[
        (epci_series["annee"].astype(str) == "2024") & (epci_series["aggregation"] == "annuelle")
    ].set_index("code")
    epci_of = _epci_of(iris, codes)
    epci_price = _numeric(year, "pxm2_mai", "ptod_epci").reindex(epci_of)
    if epci_price.isna().any():
        raise RawDataError(
            f"{SOURCES['ptod_epci'].path}: no 2024 house price for EPCI "
            f"{sorted(set(epci_price[epci_price.isna()].index))}"
        )
    epci_sales = _numeric(year, "nbtrans_mai", "ptod_epci").reindex(epci_of)
    epci_price.index = epci_sales.index = codes
    commune = own["commune_house_price_m2"]
    weight = prices.commune_weight(own["sales"].where(commune.notna(), 0))
    return pd.DataFrame(
        {
            "house_price_m2": prices.shrunk_price(commune, epci_price, weight).round(1),
            "house_price_sales": own["sales"],
            "house_price_commune_weight": weight.round(4),
            "house_price_level": prices.price_level(weight),
            "commune_house_price_m2": commune,
            "epci_house_price_m2": epci_price,
            "epci_house_sales": epci_sales.astype("int64"),
            "price_vintage": PRICE_VINTAGE,
        },
        index=codes,
    )


def _rents(rents: pd.DataFrame, iris: pd.DataFrame, points: gpd.GeoSeries) -> pd.DataFrame:
    """ANIL 2022 rents; the rows of communes merged since are averaged, weighted by the
    file's populations; absent communes are filled by ``geodata.prices.filled_rents``."""
    rows = cog.recode(rents, "INSEE_COM", vintage=2024)
    _gers_codes(rows, "INSEE_COM", "rents", points.index)
    weight = _numeric(rows, "POPULATION", "rents")
    weighted = pd.DataFrame(
        {
            "rent_m2_house": _numeric(rows, "loyer_maisons", "rents") * weight,
            "rent_m2_flat": _numeric(rows, "loyer_apparts", "rents") * weight,
            "weight": weight,
            "code": rows["INSEE_COM"],
        }
    )
    sums = weighted.groupby("code").sum()
    own = sums[list(prices.RENT_COLUMNS)].div(sums["weight"], axis=0).round(2)
    xy = pd.DataFrame(derive.metric_xy(points) / 1000.0, index=points.index, columns=["x", "y"])
    return prices.filled_rents(own, _epci_of(iris, points.index), xy)


def _tiers_lieu_access(
    routes: roads.Routes, tiers_lieu: pd.Series, points: gpd.GeoSeries
) -> pd.DataFrame:
    places = points.loc[tiers_lieu.index[tiers_lieu.notna()]]
    return _by_road(routes, points, places, "tiers_lieu").drop(columns="km_to_tiers_lieu")


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
