"""Small numpy helpers shared by the derivations, written for arrays of a few dozen values.

On such arrays every numpy call costs about a microsecond whatever its work, so these take the
cheapest route; they import nothing but numpy, so that the serving path does not load
scikit-learn.
"""

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

Columns = Mapping[str, NDArray[np.float64]]


def closeness(minutes: NDArray[np.float64], good: float, bad: float) -> NDArray[np.float64]:
    """1 at or under ``good`` minutes, 0 at or beyond ``bad``, linear in between."""
    return bounded((bad - minutes) / (bad - good))


def bounded(
    values: NDArray[np.float64], low: float = 0.0, high: float = 1.0
) -> NDArray[np.float64]:
    """``np.clip`` in two ufunc calls: clip's checks cost more than its work on the small
    arrays of one prospect, and rankings clip a dozen of them."""
    return np.minimum(np.maximum(values, low), high)


def stacked(columns: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    """(P, N) from N columns of shape (P,): ``np.column_stack``, a third of its cost."""
    return np.array(columns).T
