"""Village table -> numeric village table -> the village matrix (``VillageVectorizer``).

Also the homes on offer (listings staff enter per village), which feed the housing criterion.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from features._base import Columns, DerivingTransformer, closeness
from features.exceptions import FeaturesError
from features.vocab import FULL_LOCAL_MARKET, TIERS_LIEU_MINUTES

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

HOME_COLUMNS = ("insee", "tenure", "price_eur", "bedrooms")


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
    def from_frame(cls, listings: pd.DataFrame | None, codes: pd.Index) -> "Homes":
        """Listings (``insee, tenure, price_eur, bedrooms``) of the villages in ``codes``."""
        if listings is None or listings.empty:
            return cls.empty()
        missing = [c for c in HOME_COLUMNS if c not in listings.columns]
        if missing:
            raise FeaturesError(f"homes: expected columns {list(HOME_COLUMNS)}, missing {missing}")
        listings = listings.assign(insee=listings["insee"].astype(str))
        bad_tenure = listings.loc[~listings["tenure"].isin(["buy", "rent"]), "tenure"]
        if not bad_tenure.empty:
            raise FeaturesError(
                f"homes: tenure expected 'buy' or 'rent', found {bad_tenure.iloc[0]!r}"
            )
        for column in ("price_eur", "bedrooms"):
            values = pd.to_numeric(listings[column], errors="coerce")
            bad = listings.loc[~(np.isfinite(values) & (values >= 0)), column]
            if not bad.empty:
                raise FeaturesError(
                    f"homes: {column} expected a finite number >= 0, found {bad.tolist()[0]!r} "
                    f"(listing of {listings.loc[bad.index[0], 'insee']})"
                )
        listings = listings[listings["insee"].isin(codes)]
        return cls(
            codes.get_indexer(pd.Index(listings["insee"])).astype(np.intp),
            (listings["tenure"] == "buy").to_numpy(),
            listings["price_eur"].to_numpy(np.float64),
            listings["bedrooms"].to_numpy(np.float64),
        )

    def fits(self, buy: NDArray[np.float64], bedrooms: NDArray[np.float64]) -> NDArray[np.bool_]:
        """(P, H): listing h is in prospect p's tenure and has the bedrooms p needs."""
        return ((buy[:, None] > 0) == self.buy[None, :]) & (
            self.bedrooms[None, :] >= bedrooms[:, None]
        )


def village_frame(
    villages: pd.DataFrame,
    homes: pd.DataFrame | None = None,
    solos_settled: pd.Series | None = None,
) -> pd.DataFrame:
    """The numeric table ``VillageVectorizer`` reads, indexed by INSEE code.

    Parameters
    ----------
    villages
        Rows of ``geodata.read_villages()`` (any set of Gers communes).
    homes
        Listings with an ``insee`` column; their count per village is ``homes_listed``.
    solos_settled
        Solos who settled, per INSEE code.
    """
    missing = [
        c for c in VILLAGE_COLUMNS if c not in villages.columns and c not in OPTIONAL_COLUMNS
    ]
    if missing:
        raise FeaturesError(f"villages: expected columns {missing}, not found")
    frame = pd.DataFrame(index=pd.Index(villages["insee"].astype(str), name="insee"))
    for column in VILLAGE_COLUMNS:
        if column in villages.columns:
            frame[column] = villages[column].to_numpy(dtype=np.float64)
        else:
            frame[column] = OPTIONAL_COLUMNS[column]
    if homes is not None and not homes.empty:
        frame["homes_listed"] = (
            homes["insee"]
            .astype(str)
            .value_counts()
            .reindex(frame.index, fill_value=0)
            .astype(np.float64)
        )
    if solos_settled is not None:
        frame["solos_settled"] = solos_settled.reindex(frame.index, fill_value=0).astype(np.float64)
    bad = frame.columns[~np.isfinite(frame.to_numpy()).all(axis=0)]
    if len(bad):
        raise FeaturesError(
            f"villages: column {bad[0]!r} expected finite numbers, found an empty value"
        )
    return frame


# Minutes at which a service is fully close (value 1) and too far to count (value 0).
HEALTH_MINUTES = {"doctor": (5.0, 25.0), "pharmacy": (5.0, 25.0)}
SHOP_MINUTES = {"grocery": (5.0, 20.0), "bakery": (5.0, 20.0), "post_office": (5.0, 20.0)}
TOULOUSE_MINUTES = (30.0, 120.0)
STATION_MINUTES = (5.0, 40.0)
AIRPORT_MINUTES = (30.0, 120.0)


class VillageVectorizer(DerivingTransformer):
    """Village table -> the same columns plus prospect-independent criterion inputs in [0, 1].

    Every derived value uses fixed anchors (minutes, population), never the other villages
    of the table, so a village's values do not depend on which villages it is ranked among.
    """

    required = VILLAGE_COLUMNS

    def _derive(self, columns: Columns) -> dict[str, NDArray[np.float64]]:
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
