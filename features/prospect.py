"""Prospect profiles -> a numeric table -> the prospect matrix (``ProspectVectorizer``)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from features._base import DerivingTransformer
from features.columns import profile_columns, profile_matrix, prospect_derived
from features.numeric import Columns
from features.pairs import importance_columns
from features.profile import Profile

__all__ = ["ProspectVectorizer", "profile_columns", "profile_matrix", "profile_table"]


def profile_table(profiles: Sequence[Profile | dict[str, Any]]) -> pd.DataFrame:
    """One numeric row per profile (the input of ``ProspectVectorizer``)."""
    return pd.DataFrame(profile_matrix(profiles), columns=list(profile_columns()))


class ProspectVectorizer(DerivingTransformer):
    """Profile table -> the same columns, plus what the criteria derive from a profile.

    ``travel_need`` (0 to 1): how often the person goes to Toulouse or further, from the
    profession and the days on site (a trade's days on site are local, so they do not count).
    ``bedrooms_needed``: the bedrooms asked for, else one per child and one per couple.
    ``importance_<criterion>`` (0 to 1): how much the criterion matters to this prospect, 0
    where it does not apply (schools without school-age children). The matcher multiplies it
    by the analysts' weight.
    """

    @property
    def required(self) -> tuple[str, ...]:  # type: ignore[override]
        return profile_columns()

    def _derive(self, columns: Columns) -> dict[str, NDArray[np.float64]]:
        derived = prospect_derived(columns)
        return derived | importance_columns(dict(columns) | derived)
