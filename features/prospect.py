"""Prospect profiles -> a numeric table -> the prospect matrix (``ProspectVectorizer``)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from features._base import DerivingTransformer
from features.columns import PROFILE_COLUMNS, profile_matrix, prospect_derived
from features.numeric import Columns
from features.profile import Profile

__all__ = ["PROFILE_COLUMNS", "ProspectVectorizer", "profile_matrix", "profile_table"]


def profile_table(profiles: Sequence[Profile | dict[str, Any]]) -> pd.DataFrame:
    """One numeric row per profile (the input of ``ProspectVectorizer``)."""
    return pd.DataFrame(profile_matrix(profiles), columns=list(PROFILE_COLUMNS))


class ProspectVectorizer(DerivingTransformer):
    """Profile table -> the same columns, plus what the pair step derives from a profile.

    ``travel_need`` (0 to 1): how often the person goes to Toulouse or further, from the
    profession and the days on site (a trade's days on site are local, so they do not count).
    ``bedrooms_needed``: the bedrooms asked for, else one per child and one per couple.
    ``importance_<criterion>`` (0 to 1): how much the criterion matters to this prospect, 0
    where it does not apply (schools without school-age children). The matcher multiplies it
    by the analysts' weight.
    """

    required = PROFILE_COLUMNS

    def _derive(self, columns: Columns) -> dict[str, NDArray[np.float64]]:
        return prospect_derived(columns)
