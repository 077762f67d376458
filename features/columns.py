"""The numeric columns of prospects and villages, and the columns derived from them.

Plain numpy functions: ``ProspectVectorizer`` and ``VillageVectorizer`` (scikit-learn
transformers, for analysts and learning) derive their columns with them, and so does the
serving path, which does not load scikit-learn.
"""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from features.exceptions import FeaturesError
from features.numeric import Columns, bounded, closeness
from features.profile import Profile, parse_profiles
from features.vocab import (
    CONNECTIVITY_LEVELS,
    CRITERION_CODES,
    FULL_LOCAL_MARKET,
    PROFESSIONS_BY_CODE,
    TIERS_LIEU_MINUTES,
    school_level,
)

if TYPE_CHECKING:
    import pandas as pd

# -- prospects ------------------------------------------------------------------------------

#: Columns of the profile table, one row per prospect.
PROFILE_COLUMNS: tuple[str, ...] = (
    "remote_days",
    "connectivity_level",  # 0 basic, 1 video_calls, 2 large_uploads
    "prof_local_clients",
    "prof_travel",
    "prof_large_uploads",
    "adults",
    "n_creche",
    "n_ecole",
    "n_college",
    "n_lycee",
    "has_housing",
    "buy",
    "budget_eur",
    "min_bedrooms",
    "max_minutes_to_auch",
    "needs_train_station",
    "wants_village",
    "wants_small_town",
    *(f"must_{c}" for c in CRITERION_CODES),
)

# Full-time remote workers rarely go anywhere; every day on site raises the need for access.
FULL_REMOTE_DAYS = 5


def profile_row(p: Profile) -> tuple[float, ...]:
    """One validated profile's values of ``PROFILE_COLUMNS``, as Python floats."""
    profession = PROFESSIONS_BY_CODE[p.profession.value]
    levels = [school_level(age) for age in p.household.children_ages]
    musts = {m.value for m in p.must}
    return (
        float(p.remote_days_per_week),
        float(CONNECTIVITY_LEVELS.index(p.connectivity.value)),
        float(profession.local_clients),
        float(profession.travel),
        float(profession.large_uploads),
        float(p.household.adults),
        float(levels.count("creche")),
        float(levels.count("ecole")),
        float(levels.count("college")),
        float(levels.count("lycee")),
        float(p.housing is not None),
        float(p.housing is not None and p.housing.tenure == "buy"),
        float(p.housing.budget_eur) if p.housing is not None else 0.0,
        float(p.housing.min_bedrooms) if p.housing is not None else 0.0,
        float(p.max_minutes_to_auch),
        float(p.preferences.needs_train_station),
        float(p.preferences.settlement == "village"),
        float(p.preferences.settlement == "small_town"),
        *(float(c in musts) for c in CRITERION_CODES),
    )


def profile_matrix(profiles: Sequence[Profile | dict[str, Any]]) -> NDArray[np.float64]:
    """The rows of ``profile_table`` as a bare (P, len(PROFILE_COLUMNS)) array."""
    rows = [profile_row(p) for p in parse_profiles(list(profiles))]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(PROFILE_COLUMNS))


def prospect_derived(columns: Columns) -> dict[str, NDArray[np.float64]]:
    """What ``ProspectVectorizer`` appends to the profile columns (see its docstring)."""
    remote = bounded(columns["remote_days"], 0, FULL_REMOTE_DAYS)
    on_site = (FULL_REMOTE_DAYS - remote) / FULL_REMOTE_DAYS
    travel = np.maximum(columns["prof_travel"], on_site * (1.0 - columns["prof_local_clients"]))
    children = columns["n_creche"] + columns["n_ecole"] + columns["n_college"] + columns["n_lycee"]
    children_at_school = columns["n_ecole"] + columns["n_college"] + columns["n_lycee"]
    household = 1.0 + children + np.maximum(columns["adults"] - 2.0, 0.0)
    bedrooms = np.where(columns["min_bedrooms"] > 0, columns["min_bedrooms"], household)
    ones = np.ones_like(remote)
    importance = {
        # Large files matter more to professions that move them, whatever was ticked.
        "connectivity": np.minimum(
            1.0,
            0.5 + 0.25 * columns["connectivity_level"] + 0.25 * columns["prof_large_uploads"],
        ),
        "housing": 0.5 + 0.5 * (columns["has_housing"] > 0),
        "schools": (children_at_school > 0).astype(np.float64),
        "childcare": (columns["n_creche"] > 0).astype(np.float64),
        "health": ones,
        "shops": ones,
        # Auch is the prefecture, hospital and lycées: the same moderate need for everyone.
        "access_auch": 0.5 * ones,
        "access_toulouse": 0.2 + 0.8 * np.maximum(travel, columns["needs_train_station"]),
        "settlement": np.maximum(columns["wants_village"], columns["wants_small_town"]),
        "ecosystem": 0.5 + 0.5 * columns["prof_local_clients"],
        "community": ones,
    }
    return {"travel_need": travel, "bedrooms_needed": bedrooms} | {
        f"importance_{c}": importance[c] for c in CRITERION_CODES
    }


def prospect_derived_row(row: Mapping[str, float]) -> dict[str, float]:
    """``prospect_derived`` of one prospect, in Python floats: a dozen numpy calls on arrays
    of one value cost more than ranking it. The same operations in the same order, so the
    same bits (IEEE +, -, *, / and min/max do not depend on numpy)."""
    remote = min(max(row["remote_days"], 0.0), float(FULL_REMOTE_DAYS))
    on_site = (FULL_REMOTE_DAYS - remote) / FULL_REMOTE_DAYS
    travel = max(row["prof_travel"], on_site * (1.0 - row["prof_local_clients"]))
    n_creche, n_ecole, n_college, n_lycee = (
        row["n_creche"],
        row["n_ecole"],
        row["n_college"],
        row["n_lycee"],
    )
    children = n_creche + n_ecole + n_college + n_lycee
    children_at_school = n_ecole + n_college + n_lycee
    household = 1.0 + children + max(row["adults"] - 2.0, 0.0)
    importance = {
        "connectivity": min(
            1.0, 0.5 + 0.25 * row["connectivity_level"] + 0.25 * row["prof_large_uploads"]
        ),
        "housing": 0.5 + 0.5 * (row["has_housing"] > 0),
        "schools": float(children_at_school > 0),
        "childcare": float(n_creche > 0),
        "health": 1.0,
        "shops": 1.0,
        "access_auch": 0.5 * 1.0,
        "access_toulouse": 0.2 + 0.8 * max(travel, row["needs_train_station"]),
        "settlement": max(row["wants_village"], row["wants_small_town"]),
        "ecosystem": 0.5 + 0.5 * row["prof_local_clients"],
        "community": 1.0,
    }
    bedrooms = row["min_bedrooms"] if row["min_bedrooms"] > 0 else household
    return {"travel_need": travel, "bedrooms_needed": bedrooms} | {
        f"importance_{c}": importance[c] for c in CRITERION_CODES
    }


# -- villages -------------------------------------------------------------------------------

#: Village facts the model reads, all numeric. ``homes_listed`` and ``solos_settled`` come
#: from the service's database (homes on offer, Solos who settled); 0 where unknown.
VILLAGE_COLUMNS: tuple[str, ...] = (
    "population",
    "ftth_share",
    "operators_4g",
    "house_price_m2",
    "vacancy_share",
    "minutes_to_primary_school",
    "minutes_to_middle_school",
    "minutes_to_high_school",
    "minutes_to_childcare",
    "minutes_to_doctor",
    "minutes_to_pharmacy",
    "minutes_to_bakery",
    "minutes_to_grocery",
    "minutes_to_post_office",
    "minutes_to_auch",
    "minutes_to_toulouse",
    "minutes_to_station",
    "minutes_to_airport",
    "minutes_to_tiers_lieu",
    "partner",
    "homes_listed",
    "solos_settled",
)
OPTIONAL_COLUMNS = {"partner": 0.0, "homes_listed": 0.0, "solos_settled": 0.0}

# Minutes at which a service is fully close (value 1) and too far to count (value 0).
HEALTH_MINUTES = {"doctor": (5.0, 25.0), "pharmacy": (5.0, 25.0)}
SHOP_MINUTES = {"grocery": (5.0, 20.0), "bakery": (5.0, 20.0), "post_office": (5.0, 20.0)}
TOULOUSE_MINUTES = (30.0, 120.0)
STATION_MINUTES = (5.0, 40.0)
AIRPORT_MINUTES = (30.0, 120.0)


def village_derived(columns: Columns) -> dict[str, NDArray[np.float64]]:
    """What ``VillageVectorizer`` appends to the village columns (see its docstring)."""

    def near(service: str, bounds: tuple[float, float]) -> NDArray[np.float64]:
        return closeness(columns[f"minutes_to_{service}"], *bounds)

    population = np.maximum(columns["population"], 1.0)
    return {
        "health_access": 0.6 * near("doctor", HEALTH_MINUTES["doctor"])
        + 0.4 * near("pharmacy", HEALTH_MINUTES["pharmacy"]),
        "shops_access": 0.6 * near("grocery", SHOP_MINUTES["grocery"])
        + 0.2 * near("bakery", SHOP_MINUTES["bakery"])
        + 0.2 * near("post_office", SHOP_MINUTES["post_office"]),
        # 100 inhabitants or fewer: no local market; FULL_LOCAL_MARKET or more: a full one.
        "local_market": np.clip(
            (np.log10(population) - 2.0) / (np.log10(FULL_LOCAL_MARKET) - 2.0), 0.0, 1.0
        ),
        "tiers_lieu_access": near("tiers_lieu", TIERS_LIEU_MINUTES),
        "toulouse_access": near("toulouse", TOULOUSE_MINUTES),
        "station_access": near("station", STATION_MINUTES),
        "airport_access": near("airport", AIRPORT_MINUTES),
        # A welcome committee, and other Solos already there (three make a community).
        "community_base": 0.6 * (columns["partner"] > 0)
        + 0.4 * np.clip(columns["solos_settled"] / 3.0, 0.0, 1.0),
    }


def village_inputs(
    columns: Mapping[str, ArrayLike],
    codes: Sequence[str],
    homes_insee: Sequence[str] | None = None,
    solos_settled: Mapping[str, float] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """The ``VILLAGE_COLUMNS`` of villages, as float arrays in the order of ``codes``.

    Parameters
    ----------
    columns
        The village table's columns (any that are not in ``VILLAGE_COLUMNS`` are ignored).
    codes
        The villages' INSEE codes, in the order of the columns.
    homes_insee
        The village of every listing on offer: their count per village is ``homes_listed``.
    solos_settled
        Solos who settled, per INSEE code.
    """
    missing = [c for c in VILLAGE_COLUMNS if c not in columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise FeaturesError(f"villages: expected columns {missing}, not found")
    n = len(codes)
    out = {
        c: np.asarray(columns[c], dtype=np.float64)
        if c in columns
        else np.full(n, OPTIONAL_COLUMNS[c])
        for c in VILLAGE_COLUMNS
    }
    if homes_insee:
        listed = Counter(homes_insee)
        out["homes_listed"] = np.array([listed.get(code, 0) for code in codes], dtype=np.float64)
    if solos_settled is not None:
        out["solos_settled"] = np.array(
            [solos_settled.get(code, 0) for code in codes], dtype=np.float64
        )
    for name, values in out.items():
        if not np.isfinite(values).all():
            raise FeaturesError(
                f"villages: column {name!r} expected finite numbers, found an empty value"
            )
    return out


# -- homes on offer -------------------------------------------------------------------------

HOME_COLUMNS = ("insee", "tenure", "price_eur", "bedrooms")
#: One listing: INSEE code, tenure ('buy' or 'rent'), price in euros, bedrooms.
Listing = tuple[str, str, float, float]


@dataclass(frozen=True)
class Homes:
    """Homes on offer, aligned to a list of villages: one entry per listing."""

    village: NDArray[np.intp]  # position of the listing's village in the village table
    buy: NDArray[np.bool_]
    price_eur: NDArray[np.float64]
    bedrooms: NDArray[np.float64]

    @classmethod
    def empty(cls) -> "Homes":
        return cls(np.zeros(0, np.intp), np.zeros(0, bool), np.zeros(0), np.zeros(0))

    @classmethod
    def from_frame(cls, listings: "pd.DataFrame | None", codes: Sequence[str]) -> "Homes":
        """Listings (``insee, tenure, price_eur, bedrooms``) of the villages in ``codes``."""
        if listings is None or listings.empty:
            return cls.empty()
        missing = [c for c in HOME_COLUMNS if c not in listings.columns]
        if missing:
            raise FeaturesError(f"homes: expected columns {list(HOME_COLUMNS)}, missing {missing}")
        rows = zip(*(listings[c].tolist() for c in HOME_COLUMNS), strict=True)
        return cls.from_rows([(str(i), t, p, b) for i, t, p, b in rows], codes)

    @classmethod
    def from_rows(cls, listings: Sequence[Listing], codes: Sequence[str]) -> "Homes":
        """Listings given as ``(insee, tenure, price_eur, bedrooms)`` tuples, checked, of the
        villages in ``codes``."""
        for _, tenure, _, _ in listings:
            if tenure not in ("buy", "rent"):
                raise FeaturesError(f"homes: tenure expected 'buy' or 'rent', found {tenure!r}")
        for column, at in (("price_eur", 2), ("bedrooms", 3)):
            for listing in listings:
                if not _finite_non_negative(listing[at]):
                    raise FeaturesError(
                        f"homes: {column} expected a finite number >= 0, found {listing[at]!r} "
                        f"(listing of {listing[0]})"
                    )
        position = {code: i for i, code in enumerate(codes)}
        kept = [listing for listing in listings if listing[0] in position]
        return cls(
            np.array([position[insee] for insee, _, _, _ in kept], dtype=np.intp),
            np.array([tenure == "buy" for _, tenure, _, _ in kept], dtype=bool),
            np.array([float(price) for _, _, price, _ in kept], dtype=np.float64),
            np.array([float(bedrooms) for _, _, _, bedrooms in kept], dtype=np.float64),
        )

    def fits(self, buy: NDArray[np.float64], bedrooms: NDArray[np.float64]) -> NDArray[np.bool_]:
        """(P, H): listing h is in prospect p's tenure and has the bedrooms p needs."""
        return ((buy[:, None] > 0) == self.buy[None, :]) & (
            self.bedrooms[None, :] >= bedrooms[:, None]
        )


def _finite_non_negative(value: object) -> bool:
    # As pandas.to_numeric(errors="coerce") reads a cell: numbers and numeric text.
    if isinstance(value, bool | np.bool_):
        return True
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and number >= 0
