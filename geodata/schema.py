"""The one definition of the packaged village table: sources, columns, units and ranges.

``geodata/DATA.md`` is generated from this module (``sohosolo data dictionary``) and a test
keeps the two identical; ``geodata.validate`` checks tables against it.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from geodata.cog import GEOGRAPHY, GERS_COMMUNE_COUNT

Kind = Literal["str", "int", "float", "bool", "geometry"]

CRS_STORED = "EPSG:4326"
CRS_METRIC = "EPSG:2154"  # Lambert-93: every distance and area is measured in it

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
# Ratio of road length to the straight line: 1.3 is the usual figure on a rural network. It
# lengthens the access legs, and the straight-line fallback where no road path exists:
# km x DETOUR_FACTOR / AVERAGE_SPEED_KMH, 70 km/h mixing départementales and the N124/N21.
DETOUR_FACTOR = 1.3
AVERAGE_SPEED_KMH = 70.0


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

FTTH_VINTAGE = "ARCEP 2025"
FTTH_2018_VINTAGE = "ARCEP T1 2018"
#: Publisher and year, like ftth_vintage, so that a sentence reads in French and in English;
#: the list is of January 2018.
MOBILE_VINTAGE = "ARCEP 2018"
PRICE_VINTAGE = "DVF 2024"
#: How far a commune point may lie outside its outline: the outlines are simplified, and four
#: datas.fun points sit 12 to 60 m outside theirs.
POINT_TOLERANCE_M = 100.0


@dataclass(frozen=True)
class Source:
    path: str  # relative to the raw folder
    title: str
    publisher: str  # who published the data (credited on maps and pages)
    vintage: str
    licence: str
    caveat: str = ""
    via: str = ""  # the third party the copy was obtained from, if any
    credit: str = ""  # the publisher and year in a few words, for map legends


SOURCES: dict[str, Source] = {
    "polygons": Source(
        "boundaries/communes-32-gers.geojson",
        "ADMIN EXPRESS COG 2018 commune outlines, simplified",
        "IGN",
        "COG 2018",
        "Licence Ouverte / Etalab",
        "462 communes of 2018, dissolved to COG 2025; simplified outlines, fine for maps.",
        via="gregoiredavid/france-geojson",
        credit="IGN 2018",
    ),
    "cantons": Source(
        "boundaries/cantons-32-gers.geojson",
        "ADMIN EXPRESS COG 2018 canton outlines",
        "IGN",
        "2018",
        "Licence Ouverte / Etalab",
        via="gregoiredavid/france-geojson",
        credit="IGN 2018",
    ),
    "cog2019": Source(
        "insee/cog2019_communes_gers_voisins.csv",
        "Code officiel géographique, communes",
        "INSEE",
        "COG 2019",
        "Licence Ouverte / Etalab 2.0",
        "Names are brought to COG 2025 through geodata.cog.RENAMED_SINCE_2019.",
        via="InseeFrLab/DoReMIFaSol",
        credit="INSEE, COG 2019",
    ),
    "points": Source(
        "insee/communes_datasfun_gers_voisins.csv",
        "Commune points, postcodes and legal populations 2021 (from COG 2024 and La Poste)",
        "INSEE / La Poste",
        "COG 2024",
        "Licence Ouverte / Etalab 2.0 (upstream)",
        "Approximate commune point (often off the village centre), not the town hall.",
        via="datas.fun (rcarlier/datas.fun)",
        credit="INSEE / La Poste 2024",
    ),
    "neighbours": Source(
        "boundaries/liste_communes_voisines_20km_gers.csv",
        "Communes of neighbouring départements within 20 km of the Gers, with points",
        "INSEE / La Poste",
        "COG 2024",
        "Licence Ouverte / Etalab 2.0 (upstream)",
        via="datas.fun (rcarlier/datas.fun)",
        credit="INSEE / La Poste 2024",
    ),
    "comparateur": Source(
        "insee/base_cc_comparateur_2025_gers.csv",
        "Base du comparateur de territoires (RP 2022, Filosofi 2021, Sirene 2024)",
        "INSEE",
        "COG 2025",
        "Licence Ouverte / Etalab 2.0",
        "RP counts are weighted estimates (decimals are normal); 's' marks statistical secrecy.",
        credit="INSEE, RP 2022",
    ),
    "bpe": Source(
        "insee/bpe2019_ensemble_gers_voisins.csv",
        "Base permanente des équipements, ensemble, commune/IRIS",
        "INSEE",
        "BPE 2019 (COG 2019)",
        "Licence Ouverte / Etalab 2.0",
        "About six years old: shops and doctors change. Codes of the 2019 nomenclature "
        "(services table below): D502 établissement d'accueil du jeune enfant, E107 to E109 "
        "passenger stations of national, regional and local interest.",
        via="InseeFrLab/DoReMIFaSol",
        credit="INSEE, BPE 2019",
    ),
    "stations": Source(
        "transport/gares_voyageurs_sncf_gers_20km.csv",
        "Référentiel des gares voyageurs",
        "SNCF Gares & Connexions",
        "2022",
        "ODbL",
        credit="SNCF 2022",
    ),
    "airports": Source(
        "transport/airports_openflights_near_gers.csv",
        "OpenFlights airports database (from OurAirports)",
        "OpenFlights",
        "2019",
        "ODbL",
        credit="OpenFlights 2019",
    ),
    "roads": Source(
        "roads/travelmapping_wpt_gers_voisins.csv",
        "Waypoints of the A, N, E and D roads of Occitanie and Nouvelle-Aquitaine, in route order",
        "© OpenStreetMap contributors, via the Travel Mapping project",
        "2026 (snapshot of 2026-08-22)",
        "ODbL (derived from OpenStreetMap; the repository has no licence file)",
        "A skeleton of straight segments between junctions: road km within about 15 % of a "
        "routing engine's; no speeds, traffic or closures (speeds per road class are "
        "geodata.schema's). No streets inside towns.",
        via="TravelMapping/HighwayData",
        credit="Travel Mapping / OpenStreetMap 2026",
    ),
    "ftth": Source(
        "broadband/arcep_ftth_pct_commune_vivrea_2026-02_gers_voisins.csv",
        "Le marché du haut et très haut débit fixe (déploiements), 'Commune' file: share of "
        "premises connectable to FttH",
        "ARCEP",
        FTTH_VINTAGE,
        "Licence Ouverte / Etalab 2.0",
        "The quarter is not stated: the file was downloaded on 2026-02-20, most likely T3 2025 "
        "(T2 or T4 possible). The share, min(ftth / Locaux, 1), was computed by the "
        "third party; ARCEP's Locaux can exceed the real premises, understating it. "
        "`sohosolo data build --ftth` reads a newer ARCEP file instead.",
        via="VoxNovalys/vivrea-project",
        credit=FTTH_VINTAGE,
    ),
    "ftth_2018": Source(
        "broadband/arcep_ftth_communes_2017T3_2018T1_gers_voisins.csv",
        "Observatoire du haut et très haut débit fixe, déploiements FttH par commune",
        "ARCEP",
        FTTH_2018_VINTAGE,
        "Licence Ouverte / Etalab",
        "History only (ftth_share_2018): the Gers fibre rollout came after 2018.",
        credit=FTTH_2018_VINTAGE,
    ),
    "antennas": Source(
        "broadband/arcep_sites_mobiles_2018_01_gers_20km.csv",
        "Sites mobiles 2G/3G/4G, France métropolitaine",
        "ARCEP",
        "January 2018",
        "Licence Ouverte / Etalab",
        "Site density is a proxy for 4G coverage, not the ARCEP coverage map; an old, "
        "secondary signal beside fibre.",
        credit=MOBILE_VINTAGE,
    ),
    "apl": Source(
        "health/apl_medecins_generalistes_2023_gers.csv",
        "Accessibilité potentielle localisée (APL) aux médecins généralistes",
        "DREES",
        "APL 2023",
        "Licence Ouverte / Etalab 2.0",
        "Which DREES variant (all GPs, or those aged 65 or under) is not stated. Rows of "
        "COG 2024: the four communes merged into Cap d'Astarac are averaged.",
        via="jbesan/13_odis_stream2 (Data For Good)",
        credit="DREES, APL 2023",
    ),
    "rents": Source(
        "housing_rents/anil2022_loyers_dvf2022_2023_communes_gers_jonathands30.csv",
        "Carte des loyers: predicted advertised rent per m², charges included, flats and houses",
        "ANIL / DHUP",
        "2022",
        "Licence Ouverte / Etalab 2.0",
        "Only the 313 Gers communes with DVF sales in 2022-2023; many rural communes carry "
        "the value of their model area, not an estimate of their own.",
        via="JonathanDS30/Optimized-Rental-Yield-Visualization-for-Occitanie-Region",
        credit="ANIL, carte des loyers 2022",
    ),
    "ptod_iris": Source(
        "derived_ptod/ptod_agg_iris_32_gers.csv",
        "House sales and prices per IRIS (DVF 2024), EPCI and COG 2025 names, aggregated by "
        "the ptod observatory",
        "DGFiP (DVF)",
        "DVF 2024 (COG 2025)",
        "no licence file (derived from Licence Ouverte data)",
        "Third-party indicators; a village median often rests on 1 to 5 sales.",
        via="ptod observatory (vincentroue/ptod-observatoire-territorial)",
        credit=PRICE_VINTAGE,
    ),
    "ptod_epci": Source(
        "derived_ptod/ptod_dvf_prix_volumes_epci_2010_2024_gers_voisins.csv",
        "House price and sales series per intercommunality, aggregated by the ptod observatory",
        "DGFiP (DVF)",
        "DVF 2024",
        "no licence file (derived from Licence Ouverte data)",
        via="ptod observatory (vincentroue/ptod-observatoire-territorial)",
        credit=PRICE_VINTAGE,
    ),
    "soho_solo": Source(
        "soho_solo/soho_solo_mentions_gers.csv",
        "Soho Solo mentions in the press and on soho-solo-gers.com, with quotations",
        "press (La Dépêche du Midi, LCI) and soho-solo-gers.com",
        "2011-2022",
        "short quotations with their URLs",
        credit="presse 2011-2022",
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
    #: What the column measures, in words, for map titles and legends (numeric columns).
    label_fr: str = ""
    label_en: str = ""
    #: A column of the table that states the vintage of this one's values, where it may vary
    #: (a refreshed source, a scenario); else the first source's credit applies.
    vintage_column: str = ""

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en


@dataclass(frozen=True)
class Service:
    """A service counted from the BPE, with the equipment codes that make it up."""

    code: str
    label_fr: str
    label_en: str
    bpe_codes: tuple[str, ...]
    #: The BPE 2019 nomenclature's label of each code.
    code_labels: tuple[str, ...]
    #: "à l'école la plus proche": the French for "to the nearest ..." in map legends.
    nearest_fr: str


SERVICES: tuple[Service, ...] = (
    Service(
        "primary_school",
        "école",
        "primary school",
        ("C101", "C102", "C104", "C105"),
        (
            "école maternelle",
            "école maternelle de regroupement pédagogique intercommunal (RPI) dispersé",
            "école élémentaire",
            "école élémentaire de RPI dispersé",
        ),
        "à l'école la plus proche",
    ),
    Service(
        "middle_school",
        "collège",
        "middle school (collège)",
        ("C201",),
        ("collège",),
        "au collège le plus proche",
    ),
    Service(
        "high_school",
        "lycée",
        "high school (lycée)",
        ("C301", "C302", "C303"),
        (
            "lycée d'enseignement général et/ou technologique",
            "lycée d'enseignement professionnel",
            "lycée d'enseignement technique et/ou professionnel agricole",
        ),
        "au lycée le plus proche",
    ),
    Service(
        "childcare",
        "établissement d'accueil du jeune enfant",
        "childcare centre (crèche, micro-crèche, halte-garderie)",
        ("D502",),
        ("établissement d'accueil du jeune enfant (EAJE)",),
        "à l'établissement d'accueil du jeune enfant le plus proche",
    ),
    Service(
        "doctor",
        "médecin généraliste",
        "general practitioner",
        ("D201",),
        ("médecin omnipraticien",),
        "au médecin généraliste le plus proche",
    ),
    Service(
        "pharmacy",
        "pharmacie",
        "pharmacy",
        ("D301",),
        ("pharmacie",),
        "à la pharmacie la plus proche",
    ),
    Service(
        "bakery",
        "boulangerie",
        "bakery",
        ("B203",),
        ("boulangerie",),
        "à la boulangerie la plus proche",
    ),
    Service(
        "grocery",
        "commerce alimentaire",
        "grocery or supermarket",
        ("B101", "B102", "B201", "B202"),
        ("hypermarché", "supermarché", "supérette", "épicerie"),
        "au commerce alimentaire le plus proche",
    ),
    Service(
        "post_office",
        "bureau ou agence postale",
        "post office",
        ("A206", "A207", "A208"),
        ("bureau de poste", "relais poste", "agence postale"),
        "au bureau ou à l'agence postale le plus proche",
    ),
    Service(
        "train_station",
        "gare voyageurs",
        "passenger station",
        ("E107", "E108", "E109"),
        (
            "gare de voyageurs d'intérêt national",
            "gare de voyageurs d'intérêt régional",
            "gare de voyageurs d'intérêt local",
        ),
        "à la commune la plus proche ayant une gare de voyageurs",
    ),
)

#: Breakdown of primary schools the issue asks for, kept beside the service count.
SCHOOL_BREAKDOWN: dict[str, tuple[str, ...]] = {
    "n_nursery_school": ("C101",),
    "n_elementary_school": ("C104",),
    "n_rpi_classes": ("C102", "C105"),
}

_ROAD_NOTE = (
    "Road time by the fastest path on the Travel Mapping road skeleton (speed per road class, "
    "see 'Road speeds'), from the commune point through access legs (straight line x "
    f"{DETOUR_FACTOR} at {ACCESS_SPEED_KMH:g} km/h) to its nearest junctions; where no road "
    f"path exists, straight-line km x {DETOUR_FACTOR} / {AVERAGE_SPEED_KMH:g} km/h, flagged "
    "by travel_estimated."
)
_ROAD_KM_NOTE = (
    "Road km along the fastest path (see the minutes beside it); where no road path exists, "
    f"straight-line km x {DETOUR_FACTOR}, flagged by travel_estimated."
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
                label_fr=f"Nombre d'équipements : {s.label_fr}",
                label_en=f"Number of equipments: {s.label_en}",
            ),
            Column(
                f"minutes_to_{s.code}",
                "float",
                "min",
                ("bpe", "roads", "points", "neighbours"),
                f"Minutes by road to the nearest commune with a {s.label_en}, searching the "
                f"Gers and the communes within 20 km of it; 0 when the commune has one. "
                f"{_ROAD_NOTE}",
                0,
                240,
                estimate=True,
                label_fr=f"Minutes de route {s.nearest_fr}",
                label_en=f"Minutes by road to the nearest {s.label_en}",
            ),
            Column(
                f"nearest_{s.code}",
                "str",
                "INSEE code",
                ("bpe", "roads", "points", "neighbours"),
                f"The commune the minutes to a {s.label_en} are measured to, the nearest by "
                "road (itself when it has one); may lie outside the Gers.",
            ),
        ]
    return cols


_ACCESS_TARGETS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("auch", "Auch (its commune point)", "Auch", "Auch", ("points",)),
    (
        "toulouse",
        "Toulouse Matabiau station",
        "la gare de Toulouse-Matabiau",
        "Toulouse Matabiau station",
        ("stations",),
    ),
    (
        "station",
        "the nearest passenger station of the SNCF file (every station within 20 km of the "
        "Gers, and the major ones within 60 km)",
        "la gare la plus proche",
        "the nearest station",
        ("stations",),
    ),
    (
        "airport",
        "Toulouse-Blagnac airport (LFBO)",
        "l'aéroport de Toulouse-Blagnac",
        "Toulouse-Blagnac airport",
        ("airports",),
    ),
)


def _access_columns() -> list[Column]:
    cols: list[Column] = []
    for target, label, fr, en, sources in _ACCESS_TARGETS:
        road_sources = tuple(dict.fromkeys(("roads", "points", *sources)))
        reached = ", the one the road reaches first" if target == "station" else ""
        cols += [
            Column(
                f"km_to_{target}",
                "float",
                "km",
                road_sources,
                f"Road km to {label}. {_ROAD_KM_NOTE}",
                0,
                300,
                estimate=True,
                label_fr=f"Kilomètres de route jusqu'à {fr}",
                label_en=f"Road km to {en}",
            ),
            Column(
                f"minutes_to_{target}",
                "float",
                "min",
                road_sources,
                f"Minutes by road to {label}. {_ROAD_NOTE}",
                0,
                300,
                estimate=True,
                label_fr=f"Minutes de route jusqu'à {fr}",
                label_en=f"Minutes by road to {en}",
            ),
            Column(
                f"km_straight_to_{target}",
                "float",
                "km",
                tuple(dict.fromkeys(("points", *sources))),
                f"Straight-line km to {label}{reached}, measured in Lambert-93.",
                0,
                250,
                label_fr=f"Distance à vol d'oiseau jusqu'à {fr}",
                label_en=f"Straight-line km to {en}",
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
        label_fr="Longitude du point de la commune",
        label_en="Longitude of the commune point",
    ),
    Column(
        "point_lat",
        "float",
        "degree (EPSG:4326)",
        ("points",),
        "See point_lon.",
        43.2,
        44.1,
        label_fr="Latitude du point de la commune",
        label_en="Latitude of the commune point",
    ),
    # people and housing
    Column(
        "population",
        "int",
        "inhabitants",
        ("comparateur",),
        "Population 2022 (P22_POP).",
        1,
        label_fr="Population",
        label_en="Population",
    ),
    Column(
        "area_km2",
        "float",
        "km²",
        ("comparateur",),
        "Official area (SUPERF).",
        0.1,
        200,
        label_fr="Superficie",
        label_en="Area",
    ),
    Column(
        "density_per_km2",
        "float",
        "inhabitants/km²",
        ("comparateur",),
        "population / area_km2.",
        0,
        label_fr="Densité de population",
        label_en="Population density",
    ),
    Column(
        "dwellings",
        "float",
        "dwellings",
        ("comparateur",),
        "Dwellings 2022 (P22_LOG).",
        0,
        label_fr="Logements",
        label_en="Dwellings",
    ),
    Column(
        "main_homes",
        "float",
        "dwellings",
        ("comparateur",),
        "Main homes 2022 (P22_RP).",
        0,
        label_fr="Résidences principales",
        label_en="Main homes",
    ),
    Column(
        "vacant_dwellings",
        "float",
        "dwellings",
        ("comparateur",),
        "Vacant dwellings 2022 (P22_LOGVAC).",
        0,
        label_fr="Logements vacants",
        label_en="Vacant dwellings",
    ),
    Column(
        "second_homes",
        "float",
        "dwellings",
        ("comparateur",),
        "Second and occasional homes 2022 (P22_RSECOCC).",
        0,
        label_fr="Résidences secondaires et logements occasionnels",
        label_en="Second and occasional homes",
    ),
    Column(
        "vacancy_share",
        "float",
        "share",
        ("comparateur",),
        "vacant_dwellings / dwellings.",
        0,
        1,
        label_fr="Part des logements vacants",
        label_en="Share of vacant dwellings",
    ),
    Column(
        "owners_share",
        "float",
        "share",
        ("comparateur",),
        "Owner-occupied main homes / main homes, 2022 (P22_RP_PROP / P22_RP).",
        0,
        1,
        label_fr="Part des résidences principales occupées par leur propriétaire",
        label_en="Share of main homes occupied by their owner",
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
        label_fr="Revenu disponible médian par unité de consommation (Filosofi 2021)",
        label_en="Median disposable income per consumption unit (Filosofi 2021)",
    ),
    Column(
        "jobs",
        "float",
        "jobs",
        ("comparateur",),
        "Jobs at place of work 2022 (P22_EMPLT).",
        0,
        label_fr="Emplois au lieu de travail",
        label_en="Jobs at place of work",
    ),
    Column(
        "establishments",
        "int",
        "establishments",
        ("comparateur",),
        "Establishments 2024 (ETTOT24, Sirene).",
        0,
        label_fr="Établissements (Sirene 2024)",
        label_en="Establishments (Sirene 2024)",
    ),
    # services
    *_service_columns(),
    *(
        Column(
            name,
            "int",
            "count",
            ("bpe",),
            f"BPE {'+'.join(codes)} in the commune.",
            0,
            label_fr=f"Équipements BPE {'+'.join(codes)}",
            label_en=f"BPE equipments {'+'.join(codes)}",
        )
        for name, codes in SCHOOL_BREAKDOWN.items()
    ),
    Column(
        "apl_doctors",
        "float",
        "consultations per inhabitant per year",
        ("apl", "points"),
        "Accessibilité potentielle localisée (APL) to general practitioners, 2023: the "
        "consultations and visits accessible per inhabitant per year (national average about "
        "3.3), counting the doctors' activity, the population's age and the doctors of "
        "neighbouring communes. Cap d'Astarac (32365): the mean of its four communes of 2024 "
        "(32067, 32260, 32365, 32413) weighted by their legal population 2021 (datas.fun), "
        "rounded to 0.1 as the source.",
        0,
        15,
        label_fr="Accessibilité aux médecins généralistes (consultations par habitant et par an)",
        label_en="Access to general practitioners (consultations per inhabitant per year)",
    ),
    # access
    *_access_columns(),
    Column(
        "nearest_station",
        "str",
        "",
        ("stations", "roads"),
        "Name of the passenger station the road reaches first. Use km_to_station and "
        "minutes_to_station for access to trains: they measure to the station itself; "
        "minutes_to_train_station measures to the commune point of the nearest commune with a "
        "BPE station.",
    ),
    Column(
        "travel_estimated",
        "bool",
        "",
        ("roads", "points"),
        "True where at least one km_to_ or minutes_to_ value of the commune is the "
        "straight-line estimate, because no road path joins it to that target; False where "
        "every one is a road time.",
    ),
    # broadband
    Column(
        "ftth_share",
        "float",
        "share",
        ("ftth",),
        "Share of premises connectable to fibre (FttH): ARCEP's connectable premises (ftth) / "
        "its premises (Locaux), capped at 1; from the third-party file to 0.1 %, or "
        "recomputed from ARCEP's own file by `sohosolo data build --ftth`.",
        0,
        1,
        label_fr="Part des locaux raccordables à la fibre",
        label_en="Share of premises connectable to fibre",
        vintage_column="ftth_vintage",
    ),
    Column(
        "ftth_vintage",
        "str",
        "",
        ("ftth",),
        f"Vintage of ftth_share: '{FTTH_VINTAGE}' for the packaged file (quarter not stated), "
        "'ARCEP Tn YYYY' after a refresh.",
    ),
    Column(
        "ftth_share_2018",
        "float",
        "share",
        ("ftth_2018", "comparateur"),
        f"History, not for scoring: premises connectable to fibre in {FTTH_2018_VINTAGE} / "
        "(dwellings 2022 + establishments 2024), capped at 1 (that file has no premises "
        "count, so the denominator is estimated).",
        0,
        1,
        estimate=True,
        label_fr="Part des locaux raccordables à la fibre en 2018",
        label_en="Share of premises connectable to fibre in 2018",
    ),
    Column(
        "sites_4g",
        "int",
        "operator sites",
        ("antennas",),
        f"4G antenna sites (one per operator and mast) within {ANTENNA_RADIUS_KM:g} km of the "
        "commune point, January 2018.",
        0,
        label_fr=f"Sites 4G à moins de {ANTENNA_RADIUS_KM:g} km",
        label_en=f"4G sites within {ANTENNA_RADIUS_KM:g} km",
        vintage_column="mobile_vintage",
    ),
    Column(
        "operators_4g",
        "int",
        "operators",
        ("antennas",),
        f"Distinct operators with a 4G site within {ANTENNA_RADIUS_KM:g} km, January 2018: an "
        "old, secondary signal beside fibre.",
        0,
        4,
        label_fr=f"Opérateurs ayant un site 4G à moins de {ANTENNA_RADIUS_KM:g} km",
        label_en=f"Operators with a 4G site within {ANTENNA_RADIUS_KM:g} km",
        vintage_column="mobile_vintage",
    ),
    Column(
        "mobile_vintage",
        "str",
        "",
        ("antennas",),
        f"Vintage of sites_4g and operators_4g: '{MOBILE_VINTAGE}' (the list of January 2018).",
    ),
    # housing price and rents
    Column(
        "house_price_m2",
        "float",
        "€/m²",
        ("ptod_iris", "ptod_epci"),
        "Median price per m² of houses sold in 2024, the commune's own median shrunk toward "
        "its intercommunality's by its number of sales: exp(w ln(commune) + (1 - w) "
        "ln(EPCI)), w = house_price_commune_weight; the EPCI's where the commune has no sale.",
        300,
        6000,
        estimate=True,
        label_fr="Prix des maisons au m², médiane de la commune rapprochée de celle de "
        "l'intercommunalité",
        label_en="House price per m², the commune median drawn toward its intercommunality's",
        vintage_column="price_vintage",
    ),
    Column(
        "house_price_sales",
        "int",
        "sales",
        ("ptod_iris",),
        "Number of 2024 house sales in the commune: what its own median rests on.",
        0,
        label_fr="Ventes de maisons dans la commune",
        label_en="House sales in the commune",
        vintage_column="price_vintage",
    ),
    Column(
        "house_price_commune_weight",
        "float",
        "share",
        ("ptod_iris", "ptod_epci"),
        f"w = n / (n + {HOUSE_PRICE_SHRINKAGE_K:g}), n = house_price_sales: the weight of the "
        "commune's own median in house_price_m2 (empirical Bayes; the constant is estimated "
        "from the 2024 medians, see HOUSE_PRICE_SHRINKAGE_K in geodata/schema.py). 0 where "
        "the commune has no sale.",
        0,
        1,
        label_fr="Poids des ventes de la commune dans son prix au m²",
        label_en="Weight of the commune's own sales in its price per m²",
    ),
    Column(
        "house_price_level",
        "str",
        "",
        ("ptod_iris", "ptod_epci"),
        "Which median house_price_m2 mostly is: 'commune' when house_price_commune_weight is "
        f"at least {HOUSE_PRICE_COMMUNE_LEVEL:g} (at least "
        f"{math.ceil(HOUSE_PRICE_SHRINKAGE_K)} sales), 'epci' otherwise (including no sale, "
        "where it is the intercommunality's alone).",
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
        label_fr="Prix médian des maisons au m² dans la commune, sans correction",
        label_en="Median house price per m² in the commune, uncorrected",
        vintage_column="price_vintage",
    ),
    Column(
        "epci_house_price_m2",
        "float",
        "€/m²",
        ("ptod_epci",),
        "The intercommunality's 2024 median house price per m² (all its house sales).",
        300,
        6000,
        label_fr="Prix médian des maisons au m² dans l'intercommunalité",
        label_en="Median house price per m² in the intercommunality",
        vintage_column="price_vintage",
    ),
    Column(
        "epci_house_sales",
        "int",
        "sales",
        ("ptod_epci",),
        "Number of 2024 house sales in the intercommunality (all its communes, also outside "
        "the Gers).",
        1,
        label_fr="Ventes de maisons dans l'intercommunalité",
        label_en="House sales in the intercommunality",
        vintage_column="price_vintage",
    ),
    Column("price_vintage", "str", "", ("ptod_iris",), "Vintage of the price figures."),
    Column(
        "rent_m2_house",
        "float",
        "€/m² per month",
        ("rents", "ptod_iris", "points"),
        "Advertised rent per m² of a house, charges included (ANIL carte des loyers 2022): "
        "the commune's value, else as rent_level says.",
        3,
        20,
        label_fr="Loyer des maisons au m² (charges comprises)",
        label_en="House rent per m² (charges included)",
    ),
    Column(
        "rent_m2_flat",
        "float",
        "€/m² per month",
        ("rents", "ptod_iris", "points"),
        "Advertised rent per m² of a flat, charges included, as rent_m2_house.",
        3,
        20,
        label_fr="Loyer des appartements au m² (charges comprises)",
        label_en="Flat rent per m² (charges included)",
    ),
    Column(
        "rent_level",
        "str",
        "",
        ("rents", "ptod_iris", "points"),
        "Where the rents come from: 'commune' (its own row; for Cap d'Astarac the mean of its "
        "rows weighted by the file's populations), 'epci' (the median of its "
        f"intercommunality's communes in the file, when at least {RENT_EPCI_MIN_COMMUNES}), "
        f"'neighbours' (else the median of the {RENT_NEIGHBOURS} nearest communes in it).",
        choices=("commune", "epci", "neighbours"),
    ),
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
        ("soho_solo", "roads", "points"),
        "Minutes by road to the nearest commune with a tiers-lieu or shared office known to "
        "Soho Solo (the five places of the mentions file, all in the Gers; 0 in one). Other "
        f"tiers-lieux exist: this undercounts. {_ROAD_NOTE}",
        0,
        240,
        estimate=True,
        label_fr="Minutes de route jusqu'au tiers-lieu Soho Solo le plus proche",
        label_en="Minutes by road to the nearest Soho Solo tiers-lieu",
    ),
    Column(
        "nearest_tiers_lieu",
        "str",
        "INSEE code",
        ("soho_solo", "roads", "points"),
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


def column_vintage(column: Column) -> str:
    """The vintages of a column's sources, each once, in the order of its sources."""
    vintages: list[str] = []
    for key in column.sources:
        if SOURCES[key].vintage not in vintages:
            vintages.append(SOURCES[key].vintage)
    return "; ".join(vintages)


def value_vintage(column: Column, row: Mapping[str, object]) -> str:
    """The vintage of a column's value in a row: the row's own where a column states it (a
    refreshed source), else its first source's publisher and year ("ARCEP 2025")."""
    if column.vintage_column and row.get(column.vintage_column):
        return str(row[column.vintage_column])
    return SOURCES[column.sources[0]].credit


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
        "Columns marked *estimate* are computed, not observed: travel times and road km come "
        "from a road skeleton with one assumed speed per road class (below); house prices are "
        "a commune median drawn toward its intercommunality's; the 2018 fibre share has an "
        "estimated denominator.",
        "",
        "## Columns",
        "",
        "| column | type | unit | range | sources | vintage | description |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_column_row(c) for c in COLUMNS]
    lines += _road_speed_lines() + _service_lines() + _source_lines()
    return "\n".join(lines) + "\n"


def _column_row(c: Column) -> str:
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
    return (
        f"| `{c.name}` | {kind} | {c.unit} | {bounds} | {', '.join(c.sources)} | "
        f"{column_vintage(c)} | {desc} |"
    )


def _road_speed_lines() -> list[str]:
    lines = [
        "",
        "## Road speeds (travel times)",
        "",
        "The road skeleton (source `roads`) joins the waypoints of each route in order; "
        f"waypoints of different routes within {JUNCTION_RADIUS_M:g} m are one junction, and "
        "only the largest connected network is kept. A place (commune point, station, "
        "airport) is joined to the nearest junction in each quadrant (north-east, north-west, "
        f"south-east, south-west) within {ACCESS_RADIUS_KM:g} km, by a leg of straight-line "
        f"km x {DETOUR_FACTOR} at {ACCESS_SPEED_KMH:g} km/h; a place with none that near would "
        "get the straight-line estimate, flagged by travel_estimated (none does). Times are "
        "by the fastest path; km along it. The reasons for each speed are in "
        "geodata/schema.py.",
        "",
        "| road class | Travel Mapping systems | speed (km/h) | what |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c.name} | {', '.join(f'`{x}`' for x in c.systems.split('|'))} | {c.speed_kmh:g} | "
        f"{c.note} |"
        for c in ROAD_CLASSES
    ]
    return [*lines, f"| access leg | | {ACCESS_SPEED_KMH:g} | village streets, communal roads |"]


def _service_lines() -> list[str]:
    lines = [
        "",
        "## Services (BPE 2019 equipment codes)",
        "",
        "| service | French | BPE codes | what the codes are (BPE 2019 nomenclature) |",
        "|---|---|---|---|",
    ]
    return lines + [
        f"| `{s.code}` | {s.label_fr} | {', '.join(s.bpe_codes)} | "
        + "; ".join(
            f"{code} {label}" for code, label in zip(s.bpe_codes, s.code_labels, strict=True)
        )
        + " |"
        for s in SERVICES
    ]


def _source_lines() -> list[str]:
    lines = [
        "",
        "## Sources",
        "",
        "Paths are relative to the raw folder (`../shared/data/raw`, described in its "
        "SOURCES.md). Only derived values are packaged; the raw files are not.",
        "",
        "| key | file | title | publisher | vintage | licence | obtained via | caveat |",
        "|---|---|---|---|---|---|---|---|",
    ]
    return lines + [
        f"| {key} | `{s.path}` | {s.title} | {s.publisher} | {s.vintage} | {s.licence} | "
        f"{s.via} | {s.caveat} |"
        for key, s in SOURCES.items()
    ]


def crs_label(crs: object) -> str | None:
    """``EPSG:nnnn`` for a CRS with an EPSG code (GeoParquet stores PROJJSON), else its name."""
    if crs is None:
        return None
    epsg = crs.to_epsg()  # type: ignore[attr-defined]
    return f"EPSG:{epsg}" if epsg is not None else str(crs)
