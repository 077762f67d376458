"""Village table -> numeric village table -> the village matrix (``VillageVectorizer``)."""

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from features._base import DerivingTransformer
from features.columns import OPTIONAL_COLUMNS, village_columns, village_inputs
from features.homes import HOME_COLUMNS, Homes
from features.numeric import Columns
from features.pairs import village_features

__all__ = [
    "HOME_COLUMNS",
    "OPTIONAL_COLUMNS",
    "Homes",
    "VillageVectorizer",
    "village_columns",
    "village_frame",
]


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
    codes = villages["insee"].astype(str).tolist()
    columns = village_inputs(
        {c: villages[c].to_numpy(dtype=np.float64) for c in village_columns() if c in villages},
        codes,
        None if homes is None or homes.empty else homes["insee"].astype(str).tolist(),
        None if solos_settled is None else {str(k): v for k, v in solos_settled.items()},
    )
    return pd.DataFrame(columns, index=pd.Index(codes, name="insee"))


class VillageVectorizer(DerivingTransformer):
    """Village table -> the same columns plus every criterion's prospect-independent values.

    Every derived value uses fixed anchors (minutes, population), never the other villages
    of the table, so a village's values do not depend on which villages it is ranked among.
    """

    @property
    def required(self) -> tuple[str, ...]:  # type: ignore[override]
        return village_columns()

    def _derive(self, columns: Columns) -> dict[str, NDArray[np.float64]]:
        return village_features(columns)
