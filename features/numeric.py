"""Small numpy helpers shared by the derivations, written for arrays of a few dozen values.

On such arrays every numpy call costs about a microsecond whatever its work, so these take the
cheapest route; they import nothing but numpy, so that the serving path does not load
scikit-learn.
"""

import math
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

Columns = Mapping[str, NDArray[np.float64]]
T = TypeVar("T")
#: Cases kept by default: prospect tables can hold any values in their columns.
MAX_CASES = 256


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


def round_up(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step`` (budgets, times suggested to widen a
    search: always enough)."""
    return math.ceil(value / step) * step


class CaseCache:
    """Results kept per case (a tuple of a criterion's inputs), up to ``most``; past that,
    made each time (varied traffic cannot make it grow)."""

    def __init__(self, most: int = MAX_CASES) -> None:
        self._kept: dict[Hashable, Any] = {}
        self._most = most

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        found = self._kept.get(key)
        if found is None:
            found = make()
            if len(self._kept) < self._most:
                self._kept[key] = found
        return found
