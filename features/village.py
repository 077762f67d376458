"""Village table -> numeric village table -> the village matrix (``VillageVectorizer``).

Also the homes on offer (listings staff enter per village), which feed the housing criterion.
"""

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from features._base import DerivingTransformer
from features.columns import (
    HOME_COLUMNS,
    OPTIONAL_COLUMNS,
    VILLAGE_COLUMNS,
    Homes,
    village_derived,
    village_inputs,
)
from features.numeric import Columns

__all__ = [
    "HOME_COLUMNS",
    "OPTIONAL_COLUMNS",
    "VILLAGE_COLUMNS",
    "Homes",
    "VillageVectorizer",
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
        {c: villages[c].to_numpy(dtype=np.float64) for c in VILLAGE_COLUMNS if c in villages},
        codes,
        None if homes is None or homes.empty else homes["insee"].astype(str).tolist(),
        None if solos_settled is None else {str(k): v for k, v in solos_settled.items()},
    )
    return pd.DataFrame(columns, index=pd.Index(codes, name="insee"))


class VillageVectorizer(DerivingTransformer):
    """Village table -> the same columns plus prospect-independent criterion inputs in [0, 1].

    Every derived value uses fixed anchors (minutes, population), never the other villages
    of the table, so a village's values do not depend on which villages it is ranked among.
    """

    required = VILLAGE_COLUMNS

    def _derive(self, columns: Columns) -> dict[str, NDArray[np.float64]]:
        return village_derived(columns)
