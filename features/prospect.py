"""Prospect profiles -> a numeric table -> the prospect matrix (``ProspectVectorizer``)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from features._base import Columns, DerivingTransformer, bounded
from features.profile import Profile, parse_profiles
from features.vocab import (
    CONNECTIVITY_LEVELS,
    CRITERION_CODES,
    PROFESSIONS_BY_CODE,
    school_level,
)

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


def profile_table(profiles: Sequence[Profile | dict[str, Any]]) -> pd.DataFrame:
    """One numeric row per profile (the input of ``ProspectVectorizer``)."""
    return pd.DataFrame(profile_matrix(profiles), columns=list(PROFILE_COLUMNS))


def profile_matrix(profiles: Sequence[Profile | dict[str, Any]]) -> NDArray[np.float64]:
    """The rows of ``profile_table`` as a bare (P, len(PROFILE_COLUMNS)) array."""
    rows = []
    for p in parse_profiles(list(profiles)):
        profession = PROFESSIONS_BY_CODE[p.profession.value]
        levels = [school_level(age) for age in p.household.children_ages]
        musts = {m.value for m in p.must}
        rows.append(
            (
                p.remote_days_per_week,
                CONNECTIVITY_LEVELS.index(p.connectivity.value),
                profession.local_clients,
                profession.travel,
                float(profession.large_uploads),
                p.household.adults,
                levels.count("creche"),
                levels.count("ecole"),
                levels.count("college"),
                levels.count("lycee"),
                float(p.housing is not None),
                float(p.housing is not None and p.housing.tenure == "buy"),
                p.housing.budget_eur if p.housing is not None else 0.0,
                p.housing.min_bedrooms if p.housing is not None else 0,
                p.max_minutes_to_auch,
                float(p.preferences.needs_train_station),
                float(p.preferences.settlement == "village"),
                float(p.preferences.settlement == "small_town"),
                *(float(c in musts) for c in CRITERION_CODES),
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(PROFILE_COLUMNS))


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
        remote = bounded(columns["remote_days"], 0, FULL_REMOTE_DAYS)
        on_site = (FULL_REMOTE_DAYS - remote) / FULL_REMOTE_DAYS
        travel = np.maximum(columns["prof_travel"], on_site * (1.0 - columns["prof_local_clients"]))
        children = (
            columns["n_creche"] + columns["n_ecole"] + columns["n_college"] + columns["n_lycee"]
        )
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
