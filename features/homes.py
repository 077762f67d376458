"""Homes on offer: the listings committees and staff enter per village, aligned to the villages
a ranking considers. They feed the housing criterion."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from features.exceptions import FeaturesError

if TYPE_CHECKING:
    import pandas as pd

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
        fits: NDArray[np.bool_] = ((buy[:, None] > 0) == self.buy[None, :]) & (
            self.bedrooms[None, :] >= bedrooms[:, None]
        )
        return fits


def _finite_non_negative(value: object) -> bool:
    # As pandas.to_numeric(errors="coerce") reads a cell: numbers and numeric text.
    if isinstance(value, bool | np.bool_):
        return True
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and number >= 0
