"""The one definition of the packaged village table: sources, columns, units and ranges.

``geodata/DATA.md`` is generated from this module (``sohosolo data dictionary``) and a test
keeps the two identical; ``geodata.validate`` checks tables against it.
"""

from dataclasses import dataclass, field
from typing import Literal

from geodata.cog import GEOGRAPHY, GERS_COMMUNE_COUNT

Kind = Literal["str", "int", "float", "bool", "geometry"]

CRS_STORED = "EPSG:4326"
CRS_METRIC = "EPSG:2154"  # Lambert-93: every distance and area is measured in it

# Travel-time estimate: straight-line distance x DETOUR_FACTOR / AVERAGE_SPEED_KMH.
# 1.3 is the usual ratio of road to crow-fly distance on a rural network; 70 km/h mixes the
# departmental roads of the Gers with the N124/N21 expressways. No road network is in the raw
# data (SOURCES.md, "Not found"), so these are estimates and flagged as such everywhere.
DETOUR_FACTOR = 1.3
AVERAGE_SPEED_KMH = 70.0

# -- travel: road times on the Travel Mapping skeleton (geodata.roads) -----------------------
# One speed per road class: an average over a trip on that class (bends, villages, junctions,
# traffic), not its limit. The skeleton joins waypoints by straight segments, which shortens
# winding roads a little: the averages are not raised to make up for it.
#: Autoroutes: 130 km/h on open sections, 90 to 110 on the Toulouse ring (A620) and its spurs,
#: slowing at exits and tolls.
MOTORWAY_SPEED_KMH = 110.0
#: Routes nationales: the N124 Auch-Toulouse is two lanes each way at 110 km/h over most of its
#: length; the N21 and the rest are two-lane roads at 80 with roundabouts and bypasses.
NATIONAL_SPEED_KMH = 85.0
#: Routes départementales: 80 km/h outside villages, 50 through them, with bends.
DEPARTMENTAL_SPEED_KMH = 70.0
#: Toulouse Métropole roads (the former départementales of the metropolis, M roads): urban
#: arterials at 50 km/h or less, with traffic lights and traffic.
METROPOLITAN_SPEED_KMH = 40.0
#: From a place (a commune point, a station) to the road skeleton: village streets and communal
#: roads, whose length is the straight line x DETOUR_FACTOR.
ACCESS_SPEED_KMH = 40.0
#: Waypoints of different routes this close are one junction: the routes of the skeleton were
#: placed by different volunteers, and a crossing is often a few tens of metres off.
JUNCTION_RADIUS_M = 50.0
#: A place is joined to the nearest junction in each quadrant (north-east, north-west,
#: south-east, south-west) within this distance, so to its nearest one and from every side:
#: a town between roads (a city centre the skeleton has no streets for) is reached from all
#: of them. Every place of the build has a junction within 3.9 km; one with none within this
#: distance has no road time (the straight-line fallback, flagged).
ACCESS_RADIUS_KM = 5.0


@dataclass(frozen=True)
class RoadClass:
    """Travel Mapping highway systems that share one speed."""

    name: str
    systems: str  # a regular expression matching the whole system code
    speed_kmh: float
    note: str


ROAD_CLASSES: tuple[RoadClass, ...] = (
    RoadClass("motorway", r"fraa|fraar", MOTORWAY_SPEED_KMH, "autoroutes (A)"),
    RoadClass(
        "national",
        r"fran|franr|frasf",
        NATIONAL_SPEED_KMH,
        "routes nationales (N), and a three-point motorway link in the Lot (frasf)",
    ),
    RoadClass(
        "european",
        r"eure|eurer",
        NATIONAL_SPEED_KMH,
        "E-roads: they run on the A and N roads, whose own waypoints give the motorway speed "
        "where there is one; the national speed elsewhere",
    ),
    RoadClass(
        "departmental",
        r"fraoccd\d\d|franaqd\d\d",
        DEPARTMENTAL_SPEED_KMH,
        "routes départementales (D) of the Gers and its six neighbours",
    ),
    RoadClass("metropolitan", r"fraoccm31", METROPOLITAN_SPEED_KMH, "Toulouse Métropole (M)"),
)
#: No road time can beat the straight line at this speed (validate checks it).
FASTEST_SPEED_KMH = max(max(c.speed_kmh for c in ROAD_CLASSES), ACCESS_SPEED_KMH)

#: Radius around a commune's point in which ARCEP 4G antenna sites are counted.
ANTENNA_RADIUS_KM = 5.0
# -- house prices: a commune's median shrunk toward its intercommunality's (geodata.prices) ---
#: Empirical-Bayes constant k of the commune weight n / (n + k), n the commune's 2024 house
#: sales. The log of a commune median lies around its EPCI's with a between-commune variance
#: tau2 plus a sampling variance s2 / n; least squares of the squared gaps on 1 / n over the
#: 337 communes with a median give tau2 = 0.0326 and s2 = 0.270, so k = s2 / tau2 = 8.3
#: (``geodata.prices.shrinkage_constant``; a test recomputes it from the raw file).
HOUSE_PRICE_SHRINKAGE_K = 8.3
#: ``house_price_level`` is 'commune' when the commune's own sales carry at least this weight.
HOUSE_PRICE_COMMUNE_LEVEL = 0.5

# -- rents (geodata.prices) -------------------------------------------------------------------
#: A commune absent from the ANIL file takes the median rent of its intercommunality's communes
#: present in it, when there are at least this many; else that of its nearest communes present.
RENT_EPCI_MIN_COMMUNES = 3
RENT_NEIGHBOURS = 5

#: A commune's own 2024 median house price is used only when it rests on this many sales;
#: below, the intercommunality (EPCI) median of the same year is used instead.
MIN_COMMUNE_SALES = 5
FTTH_VINTAGE = "ARCEP T1 2018"
#: ARCEP coverage classes, as the file's values show: (exclusive lower, exclusive upper) share
#: in %; class 0 is no premises at all and 100 all of them.
FTTH_CLASS_BOUNDS: dict[int, tuple[float, float]] = {
    5: (0, 10),
    10: (10, 25),
    25: (25, 50),
    50: (50, 80),
    80: (80, 100),
}
#: How far a commune point may lie outside its outline: the outlines are simplified, and four
#: datas.fun points sit 12 to 60 m outside theirs.
POINT_TOLERANCE_M = 100.0
PRICE_VINTAGE = "DVF 2024"


@dataclass(frozen=True)
class Source:
    path: str  # relative to the raw folder
    title: str
    publisher: str
    vintage: str
    licence: str
    caveat: str = ""


SOURCES: dict[str, Source] = {
    "polygons": Source(
        "boundaries/communes-32-gers.geojson",
        "ADMIN EXPRESS COG 2018 commune outlines (gregoiredavid/france-geojson, simplified)",
        "IGN",
        "COG 2018",
        "Licence Ouverte / Etalab",
        "462 communes of 2018, dissolved to COG 2025; simplified outlines, fine for maps.",
    ),
    "cantons": Source(
        "boundaries/cantons-32-gers.geojson",
        "ADMIN EXPRESS COG 2018 canton outlines (gregoiredavid/france-geojson)",
        "IGN",
        "2018",
        "Licence Ouverte / Etalab",
    ),
    "cog2019": Source(
        "insee/cog2019_communes_gers_voisins.csv",
        "Code officiel géographique, communes",
        "INSEE",
        "COG 2019",
        "Licence Ouverte / Etalab 2.0",
        "Names are brought to COG 2025 through geodata.cog.RENAMED_SINCE_2019.",
    ),
    "points": Source(
        "insee/communes_datasfun_gers_voisins.csv",
        "Commune points and postcodes (rcarlier/datas.fun, from COG 2024 and La Poste)",
        "INSEE / La Poste via datas.fun",
        "COG 2024",
        "Licence Ouverte / Etalab 2.0 (upstream)",
        "Approximate commune point, not the town hall.",
    ),
    "neighbours": Source(
        "boundaries/liste_communes_voisines_20km_gers.csv",
        "Communes of neighbouring départements within 20 km of the Gers, with points",
        "INSEE / La Poste via datas.fun",
        "COG 2024",
        "Licence Ouverte / Etalab 2.0 (upstream)",
    ),
    "comparateur": Source(
        "insee/base_cc_comparateur_2025_gers.csv",
        "Base du comparateur de territoires (RP 2022, Filosofi 2021, Sirene 2024)",
        "INSEE",
        "COG 2025",
        "Licence Ouverte / Etalab 2.0",
        "RP counts are weighted estimates (decimals are normal); 's' marks statistical secrecy.",
    ),
    "bpe": Source(
        "insee/bpe2019_ensemble_gers_voisins.csv",
        "Base permanente des équipements, ensemble, commune/IRIS",
        "INSEE",
        "BPE 2019 (COG 2019)",
        "Licence Ouverte / Etalab 2.0",
        "About six years old: shops and doctors change. D502 read as 'établissement d'accueil "
        "du jeune enfant' (crèche), absent from the 2013 label table.",
    ),
    "stations": Source(
        "transport/gares_voyageurs_sncf_gers_20km.csv",
        "Référentiel des gares voyageurs",
        "SNCF Gares & Connexions",
        "2022",
        "ODbL",
    ),
    "airports": Source(
        "transport/airports_openflights_near_gers.csv",
        "OpenFlights airports database (from OurAirports)",
        "OpenFlights",
        "2019",
        "ODbL",
    ),
    "ftth": Source(
        "broadband/arcep_ftth_communes_2017T3_2018T1_gers_voisins.csv",
        "Observatoire du haut et très haut débit fixe, déploiements FttH par commune",
        "ARCEP",
        FTTH_VINTAGE,
        "Licence Ouverte / Etalab",
        "Obsolete: the Gers fibre rollout came after 2018. The latest quarter in the raw "
        "files; replace it when a recent per-commune file is available.",
    ),
    "antennas": Source(
        "broadband/arcep_sites_mobiles_2018_01_gers_20km.csv",
        "Sites mobiles 2G/3G/4G, France métropolitaine",
        "ARCEP",
        "January 2018",
        "Licence Ouverte / Etalab",
        "Site density is a proxy for 4G coverage, not the ARCEP coverage map.",
    ),
    "ptod_iris": Source(
        "derived_ptod/ptod_agg_iris_32_gers.csv",
        "ptod observatory aggregates per IRIS (DVF 2024 house prices, EPCI, COG 2025 names)",
        "vincentroue/ptod-observatoire-territorial, from DGFiP DVF",
        "DVF 2024 (COG 2025)",
        "no licence file (derived from Licence Ouverte data)",
        "Third-party indicators; a village median often rests on 1 to 5 sales.",
    ),
    "ptod_epci": Source(
        "derived_ptod/ptod_dvf_prix_volumes_epci_2010_2024_gers_voisins.csv",
        "ptod observatory DVF price and volume series per intercommunality",
        "vincentroue/ptod-observatoire-territorial, from DGFiP DVF",
        "DVF 2024",
        "no licence file (derived from Licence Ouverte data)",
    ),
    "soho_solo": Source(
        "soho_solo/soho_solo_mentions_gers.csv",
        "Soho Solo mentions in the press and on soho-solo-gers.com, with quotations",
        "press (La Dépêche du Midi, LCI) and soho-solo-gers.com",
        "2011-2022",
        "short quotations with their URLs",
    ),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    unit: str
    sources: tuple[str, ...]
    description: str
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    estimate: bool = False
    choices: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Service:
    """A service counted from the BPE, with the equipment codes that make it up."""

    code: str
    label_fr: str
    label_en: str
    bpe_codes: tuple[str, ...]


SERVICES: tuple[Service, ...] = (
    Service("primary_school", "école", "primary school", ("C101", "C102", "C104", "C105")),
    Service("middle_school", "collège", "middle school (collège)", ("C201",)),
    Service("high_school", "lycée", "high school (lycée)", ("C301", "C302", "C303")),
    Service("childcare", "crèche", "childcare centre", ("D502",)),
    Service("doctor", "médecin généraliste", "general practitioner", ("D201",)),
    Service("pharmacy", "pharmacie", "pharmacy", ("D301",)),
    Service("bakery", "boulangerie", "bakery", ("B203",)),
    Service(
        "grocery",
        "commerce alimentaire",
        "grocery or supermarket",
        ("B101", "B102", "B201", "B202"),
    ),
    Service("post_office", "bureau ou agence postale", "post office", ("A206", "A207", "A208")),
    Service("train_station", "gare voyageurs", "passenger station", ("E107", "E108", "E109")),
)

#: Breakdown of primary schools the issue asks for, kept beside the service count.
SCHOOL_BREAKDOWN: dict[str, tuple[str, ...]] = {
    "n_nursery_school": ("C101",),
    "n_elementary_school": ("C104",),
    "n_rpi_classes": ("C102", "C105"),
}

_MINUTES_NOTE = (
    f"Straight-line km x {DETOUR_FACTOR} / {AVERAGE_SPEED_KMH:g} km/h x 60, between commune "
    "points measured in Lambert-93."
)


def _service_columns() -> list[Column]:
    cols: list[Column] = []
    for s in SERVICES:
        codes = "+".join(s.bpe_codes)
        cols += [
            Column(
                f"n_{s.code}",
                "int",
                "count",
                ("bpe",),
                f"{s.label_en.capitalize()}: equipments in the commune (BPE {codes}).",
                0,
                None,
            ),
            Column(
                f"minutes_to_{s.code}",
                "float",
                "min",
                ("bpe", "points", "neighbours"),
                f"Estimated minutes to the nearest commune with a {s.label_en}, searching the "
                f"Gers and the communes within 20 km of it; 0 when the commune has one. "
                f"{_MINUTES_NOTE}",
                0,
                240,
                estimate=True,
            ),
            Column(
                f"nearest_{s.code}",
                "str",
                "INSEE code",
                ("bpe", "points", "neighbours"),
                f"The commune the minutes to a {s.label_en} are measured to (itself when it "
                "has one); may lie outside the Gers.",
            ),
        ]
    return cols


COLUMNS: tuple[Column, ...] = (
    # identity
    Column("insee", "str", "INSEE code", ("comparateur",), f"Commune code, {GEOGRAPHY}."),
    Column(
        "name",
        "str",
        "",
        ("cog2019",),
        "Commune name, COG 2019 names brought to COG 2025 (see geodata/cog.py).",
    ),
    Column(
        "canton_code",
        "str",
        "code",
        ("cog2019", "cantons"),
        "Canton (2015 cantons): COG 2019 code; for Auch, split over three cantons, the canton "
        "that contains its point.",
    ),
    Column("canton", "str", "", ("cantons",), "Canton name."),
    Column(
        "epci_code",
        "str",
        "SIREN",
        ("ptod_iris",),
        "Intercommunality (EPCI) of the commune in 2025.",
    ),
    Column("epci_name", "str", "", ("ptod_epci",), "Intercommunality name."),
    Column(
        "geometry",
        "geometry",
        CRS_STORED,
        ("polygons",),
        "Simplified commune outline; 2018 polygons dissolved into COG 2025 communes.",
    ),
    Column(
        "point_lon",
        "float",
        "degree (EPSG:4326)",
        ("points",),
        "Commune point (datas.fun, COG 2024; for a merged commune, the absorbing commune's). "
        f"It lies within {POINT_TOLERANCE_M:g} m of the simplified outline.",
        -0.4,
        1.3,
    ),
    Column("point_lat", "float", "degree (EPSG:4326)", ("points",), "See point_lon.", 43.2, 44.1),
    # people and housing
    Column("population", "int", "inhabitants", ("comparateur",), "Population 2022 (P22_POP).", 1),
    Column("area_km2", "float", "km²", ("comparateur",), "Official area (SUPERF).", 0.1, 200),
    Column(
        "density_per_km2",
        "float",
        "inhabitants/km²",
        ("comparateur",),
        "population / area_km2.",
        0,
    ),
    Column("dwellings", "float", "dwellings", ("comparateur",), "Dwellings 2022 (P22_LOG).", 0),
    Column("main_homes", "float", "dwellings", ("comparateur",), "Main homes 2022 (P22_RP).", 0),
    Column(
        "vacant_dwellings",
        "float",
        "dwellings",
        ("comparateur",),
        "Vacant dwellings 2022 (P22_LOGVAC).",
        0,
    ),
    Column(
        "second_homes",
        "float",
        "dwellings",
        ("comparateur",),
        "Second and occasional homes 2022 (P22_RSECOCC).",
        0,
    ),
    Column(
        "vacancy_share",
        "float",
        "share",
        ("comparateur",),
        "vacant_dwellings / dwellings.",
        0,
        1,
    ),
    Column(
        "owners_share",
        "float",
        "share",
        ("comparateur",),
        "Owner-occupied main homes / main homes, 2022 (P22_RP_PROP / P22_RP).",
        0,
        1,
    ),
    Column(
        "median_income_eur",
        "float",
        "€ per consumption unit per year",
        ("comparateur",),
        "Median disposable income 2021 (MED21); empty where INSEE keeps it secret.",
        5000,
        60000,
        nullable=True,
    ),
    Column("jobs", "float", "jobs", ("comparateur",), "Jobs at place of work 2022 (P22_EMPLT).", 0),
    Column(
        "establishments",
        "int",
        "establishments",
        ("comparateur",),
        "Establishments 2024 (ETTOT24, Sirene).",
        0,
    ),
    # services
    *_service_columns(),
    *(
        Column(name, "int", "count", ("bpe",), f"BPE {'+'.join(codes)} in the commune.", 0)
        for name, codes in SCHOOL_BREAKDOWN.items()
    ),
    # access
    *(
        col
        for target, label, sources in (
            ("auch", "Auch (its commune point)", ("points",)),
            ("toulouse", "Toulouse Matabiau station", ("stations",)),
            (
                "station",
                "the nearest passenger station of the SNCF file (every station within 20 km "
                "of the Gers, and the major ones within 60 km)",
                ("stations",),
            ),
            ("airport", "Toulouse-Blagnac airport (LFBO)", ("airports",)),
        )
        for col in (
            Column(
                f"km_to_{target}",
                "float",
                "km",
                ("points", *sources),
                f"Straight-line distance to {label}, in Lambert-93.",
                0,
                250,
            ),
            Column(
                f"minutes_to_{target}",
                "float",
                "min",
                ("points", *sources),
                f"Estimated minutes to {label}. {_MINUTES_NOTE}",
                0,
                300,
                estimate=True,
            ),
        )
    ),
    Column(
        "nearest_station",
        "str",
        "",
        ("stations",),
        "Name of the nearest passenger station. Use km_to_station and minutes_to_station for "
        "access to trains: they measure to the station itself; minutes_to_train_station "
        "measures to the commune point of the nearest commune with a BPE station.",
    ),
    # broadband
    Column(
        "ftth_premises",
        "int",
        "premises",
        ("ftth",),
        f"Premises connectable to fibre (FttH), {FTTH_VINTAGE}.",
        0,
    ),
    Column(
        "ftth_share",
        "float",
        "share",
        ("ftth", "comparateur"),
        "ftth_premises / (dwellings 2022 + establishments 2024), capped at 1: ARCEP does not "
        "publish the premises count in this file, so the denominator is estimated.",
        0,
        1,
        estimate=True,
    ),
    Column(
        "ftth_category",
        "int",
        "ARCEP class",
        ("ftth",),
        "ARCEP coverage class, as the file's values show: 0 none, 5 under 10 %, 10 from 10 to "
        "25 %, 25 from 25 to 50 %, 50 from 50 to 80 %, 80 from 80 to 100 %, 100 all.",
        0,
        100,
    ),
    Column("ftth_vintage", "str", "", ("ftth",), "Vintage of the fibre figures."),
    Column(
        "sites_4g",
        "int",
        "operator sites",
        ("antennas",),
        f"4G antenna sites (one per operator and mast) within {ANTENNA_RADIUS_KM:g} km of the "
        "commune point, January 2018.",
        0,
    ),
    Column(
        "operators_4g",
        "int",
        "operators",
        ("antennas",),
        f"Distinct operators with a 4G site within {ANTENNA_RADIUS_KM:g} km, January 2018.",
        0,
        4,
    ),
    # housing price
    Column(
        "house_price_m2",
        "float",
        "€/m²",
        ("ptod_iris", "ptod_epci"),
        f"Median price per m² of houses sold in 2024: the commune's own when it rests on at "
        f"least {MIN_COMMUNE_SALES} sales, else its intercommunality's (see house_price_level).",
        300,
        6000,
    ),
    Column(
        "house_price_sales",
        "int",
        "sales",
        ("ptod_iris", "ptod_epci"),
        "Number of 2024 house sales behind house_price_m2.",
        1,
    ),
    Column(
        "house_price_level",
        "str",
        "",
        ("ptod_iris", "ptod_epci"),
        "Which median house_price_m2 is.",
        choices=("commune", "epci"),
    ),
    Column(
        "commune_house_price_m2",
        "float",
        "€/m²",
        ("ptod_iris",),
        "The commune's own 2024 median house price per m², however few the sales; for the "
        "four communes split into IRIS (Auch, Condom, Fleurance, L'Isle-Jourdain), the mean "
        "of their IRIS medians weighted by sales.",
        100,
        8000,
        nullable=True,
    ),
    Column(
        "commune_house_sales",
        "int",
        "sales",
        ("ptod_iris",),
        "Number of 2024 house sales in the commune.",
        0,
    ),
    Column("price_vintage", "str", "", ("ptod_iris",), "Vintage of the price figures."),
    # professional ecosystem and Soho Solo
    Column(
        "tiers_lieu",
        "str",
        "",
        ("soho_solo",),
        "Tiers-lieu or shared office featured by Soho Solo in the commune (its name where the "
        "mentions file gives one).",
        nullable=True,
    ),
    Column(
        "minutes_to_tiers_lieu",
        "float",
        "min",
        ("soho_solo", "points"),
        "Estimated minutes to the nearest commune with a tiers-lieu or shared office known to "
        "Soho Solo (the five places of the mentions file, all in the Gers; 0 in one). Other "
        f"tiers-lieux exist: this undercounts. {_MINUTES_NOTE}",
        0,
        240,
        estimate=True,
    ),
    Column(
        "nearest_tiers_lieu",
        "str",
        "INSEE code",
        ("soho_solo", "points"),
        "The commune minutes_to_tiers_lieu is measured to.",
    ),
    Column(
        "soho_solo_documented_partner",
        "bool",
        "",
        ("soho_solo",),
        "Named as a Soho Solo partner commune in the press.",
    ),
    Column(
        "soho_solo_mention",
        "str",
        "",
        ("soho_solo",),
        "What the Soho Solo mentions file says of the commune.",
        nullable=True,
    ),
    Column(
        "soho_solo_source_url",
        "str",
        "URL",
        ("soho_solo",),
        "Where that mention comes from.",
        nullable=True,
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
COLUMNS_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}


def render_data_dictionary() -> str:
    """The Markdown text of ``geodata/DATA.md``."""
    lines = [
        "# The packaged village data: data dictionary",
        "",
        "<!-- Generated from geodata/schema.py by `sohosolo data dictionary`; do not edit. -->",
        "",
        f"`geodata/data/villages.parquet` holds the {GERS_COMMUNE_COUNT} communes of the Gers "
        f"in the **{GEOGRAPHY}** geography, one row each, as GeoParquet (polygons stored in "
        f"{CRS_STORED}; every distance and area is measured in Lambert-93, {CRS_METRIC}). "
        "It is built by `sohosolo data build --raw ../shared/data/raw --out geodata/data` and "
        "read by `geodata.read_villages()`, which adds the `partner` column from "
        "`geodata/data/partners.csv`.",
        "",
        "Columns marked *estimate* are computed, not observed: travel times are "
        f"straight-line distance x {DETOUR_FACTOR} (detour factor) / {AVERAGE_SPEED_KMH:g} km/h.",
        "",
        "## Columns",
        "",
        "| column | type | unit | range | sources | description |",
        "|---|---|---|---|---|---|",
    ]
    for c in COLUMNS:
        bounds = ""
        if c.minimum is not None or c.maximum is not None:
            lo = "" if c.minimum is None else f"{c.minimum:g}"
            hi = "" if c.maximum is None else f"{c.maximum:g}"
            bounds = f"{lo} to {hi}" if hi else f">= {lo}"
        if c.choices:
            bounds = ", ".join(c.choices)
        flags = [f for f, on in (("nullable", c.nullable), ("estimate", c.estimate)) if on]
        kind = c.kind + (f" ({', '.join(flags)})" if flags else "")
        desc = c.description.replace("|", "/")
        lines.append(
            f"| `{c.name}` | {kind} | {c.unit} | {bounds} | {', '.join(c.sources)} | {desc} |"
        )
    lines += [
        "",
        "## Services (BPE 2019 equipment codes)",
        "",
        "| service | French | BPE codes |",
        "|---|---|---|",
    ]
    lines += [f"| `{s.code}` | {s.label_fr} | {', '.join(s.bpe_codes)} |" for s in SERVICES]
    lines += [
        "",
        "## Sources",
        "",
        "Paths are relative to the raw folder (`../shared/data/raw`, described in its "
        "SOURCES.md). Only derived values are packaged; the raw files are not.",
        "",
        "| key | file | title | publisher | vintage | licence | caveat |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {key} | `{s.path}` | {s.title} | {s.publisher} | {s.vintage} | {s.licence} | "
        f"{s.caveat} |"
        for key, s in SOURCES.items()
    ]
    return "\n".join(lines) + "\n"


def crs_label(crs: object) -> str | None:
    """``EPSG:nnnn`` for a CRS with an EPSG code (GeoParquet stores PROJJSON), else its name."""
    if crs is None:
        return None
    epsg = crs.to_epsg()  # type: ignore[attr-defined]
    return f"EPSG:{epsg}" if epsg is not None else str(crs)
