"""The numeric columns of prospects and villages that the criteria read.

A profile becomes one row of ``profile_columns()``, plus the two derivations several
criteria share (``travel_need``, ``bedrooms_needed``); the villages' columns are the village
table's (checked here). Everything a criterion makes of them is in ``features.criteria``.
Plain numpy: the vectorizers (``features.prospect``, ``features.village``, for analysts) and
the serving path, which does not load scikit-learn, both derive through these functions.
"""

import functools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from features import criteria
from features.exceptions import FeaturesError
from features.numeric import MAX_CASES, CaseCache, Columns, bounded
from features.profile import Profile, parse_profiles
from features.vocab import (
    CONNECTIVITY_LEVELS,
    MAX_CHILD_AGE,
    PROFESSION_CODES,
    PROFESSIONS_BY_CODE,
    school_level,
)

# -- prospects ------------------------------------------------------------------------------

#: Columns of the profile table, one row per prospect, before the ``must_<criterion>`` ones.
PROFILE_FIELDS: tuple[str, ...] = (
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
    "profession_index",  # the profession's position in features.vocab.PROFESSIONS
    *(f"n_aged_{age}" for age in range(MAX_CHILD_AGE + 1)),  # children of each age, up to 17
)
#: Columns derived from the profile columns, that several criteria read.
DERIVED_COLUMNS = ("travel_need", "bedrooms_needed")

# Full-time remote workers rarely go anywhere; every day on site raises the need for access.
FULL_REMOTE_DAYS = 5


def profile_columns() -> tuple[str, ...]:
    """The profile table's columns: the fields, then ``must_<criterion>`` per criterion."""
    return PROFILE_FIELDS + must_columns(criteria.codes())


@functools.lru_cache(maxsize=16)
def must_columns(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The ``must_<criterion>`` column of each criterion."""
    return tuple(f"must_{code}" for code in codes)


def profile_row(p: Profile) -> tuple[float, ...]:
    """One validated profile's values of ``profile_columns()``."""
    profession = PROFESSIONS_BY_CODE[p.profession.value]
    ages = p.household.children_ages
    levels = [school_level(age) for age in ages]
    housing = p.housing
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
        float(housing is not None),
        float(housing is not None and housing.tenure == "buy"),
        float(housing.budget_eur) if housing is not None else 0.0,
        float(housing.min_bedrooms) if housing is not None else 0.0,
        float(p.max_minutes_to_auch),
        float(p.preferences.needs_train_station),
        float(p.preferences.settlement == "village"),
        float(p.preferences.settlement == "small_town"),
        float(PROFESSION_CODES.index(p.profession.value)),
        *(float(ages.count(age)) for age in range(MAX_CHILD_AGE + 1)),
        *(float(code in p.must) for code in criteria.codes()),
    )


def profile_matrix(profiles: Sequence[Profile | dict[str, Any]]) -> NDArray[np.float64]:
    """The profile table as a bare (P, len(profile_columns())) array."""
    rows = [profile_row(p) for p in parse_profiles(list(profiles))]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(profile_columns()))


class ProspectTable(Mapping[str, NDArray[np.float64]]):
    """P prospects' numeric columns, by name, over one (P, K) matrix: each column a view made
    on first use, each row in Python floats (what sentences and per-case keys read)."""

    def __init__(self, matrix: NDArray[np.float64], names: Sequence[str]) -> None:
        self.matrix = matrix
        self.names = tuple(names)
        self._index = _positions(self.names)
        self._views: dict[str, NDArray[np.float64]] = {}
        self._rows: list[list[float]] | None = None

    @classmethod
    def from_columns(cls, columns: Mapping[str, NDArray[np.float64]]) -> "ProspectTable":
        if isinstance(columns, ProspectTable):
            return columns
        names = list(columns)
        matrix = np.array([columns[name] for name in names], dtype=np.float64).T
        return cls(matrix.reshape(-1, len(names)), names)

    def __getitem__(self, name: str) -> NDArray[np.float64]:
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = self.matrix[:, self._index[name]]
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    @property
    def n(self) -> int:
        """The number of prospects."""
        return len(self.matrix)

    def row(self, i: int) -> dict[str, float]:
        """Prospect ``i``'s values by column name."""
        if self._rows is None:
            self._rows = self.matrix.tolist()
        return dict(zip(self.names, self._rows[i], strict=True))

    def key(self, names: Sequence[str]) -> bytes:
        """The first prospect's values of ``names``: the case it is of, as compact bytes (a
        cache keeps thousands of them)."""
        values: NDArray[np.float64] = self.matrix[0, _columns_at(self.names, tuple(names))]
        return values.tobytes()

    def sliced(self, start: int, stop: int) -> "ProspectTable":
        return ProspectTable(self.matrix[start:stop], self.names)

    def joined(self, columns: Mapping[str, NDArray[np.float64]]) -> "ProspectTable":
        """The table with more columns, each (P,)."""
        more = np.array([columns[name] for name in columns], dtype=np.float64).T
        matrix = np.concatenate([self.matrix, more.reshape(self.n, len(columns))], axis=1)
        return ProspectTable(matrix, self.names + tuple(columns))


@functools.lru_cache(maxsize=64)
def _positions(names: tuple[str, ...]) -> dict[str, int]:
    return {name: i for i, name in enumerate(names)}


@functools.lru_cache(maxsize=256)
def _columns_at(names: tuple[str, ...], wanted: tuple[str, ...]) -> NDArray[np.intp]:
    position = _positions(names)
    return np.array([position[name] for name in wanted], dtype=np.intp)


def prospect_columns(profiles: Sequence[Profile | Mapping[str, Any]]) -> ProspectTable:
    """The profile columns and their derivations (``DERIVED_COLUMNS``), each (P,), of
    validated profiles (or dicts of their shape)."""
    table = ProspectTable(profile_matrix(list(profiles)), profile_columns())  # type: ignore[arg-type]
    if table.n != 1:
        return table.joined(prospect_derived(table))
    key = table.key(DERIVED_INPUTS)
    return table.joined(_DERIVED.get(key, lambda: prospect_derived(table)))


def prospect_derived(columns: Columns) -> dict[str, NDArray[np.float64]]:
    """``travel_need`` (0 to 1): how often the person goes to Toulouse or further, from the
    profession and the days on site (a trade's days on site are local, so they do not count);
    ``bedrooms_needed``: the bedrooms asked for, else one per child and one per couple."""
    remote = bounded(columns["remote_days"], 0, FULL_REMOTE_DAYS)
    on_site = (FULL_REMOTE_DAYS - remote) / FULL_REMOTE_DAYS
    travel = np.maximum(columns["prof_travel"], on_site * (1.0 - columns["prof_local_clients"]))
    children = columns["n_creche"] + columns["n_ecole"] + columns["n_college"] + columns["n_lycee"]
    household = 1.0 + children + np.maximum(columns["adults"] - 2.0, 0.0)
    bedrooms = np.where(columns["min_bedrooms"] > 0, columns["min_bedrooms"], household)
    return {"travel_need": travel, "bedrooms_needed": bedrooms}


#: The profile columns ``prospect_derived`` reads; one prospect's derivations are kept per
#: case of them (they take few values).
DERIVED_INPUTS = (
    "remote_days",
    "prof_travel",
    "prof_local_clients",
    "n_creche",
    "n_ecole",
    "n_college",
    "n_lycee",
    "adults",
    "min_bedrooms",
)
_DERIVED = CaseCache(MAX_CASES * 4)


# -- villages -------------------------------------------------------------------------------

#: Village columns that may be absent (0 then): the partner flag, and what the service's
#: database adds (homes on offer, Solos who settled).
OPTIONAL_COLUMNS = {"partner": 0.0, "homes_listed": 0.0, "solos_settled": 0.0}


def village_columns() -> tuple[str, ...]:
    """The village table's numeric columns the criteria read, in a stable order."""
    names = dict.fromkeys(("population", *OPTIONAL_COLUMNS))
    for criterion in criteria.all_criteria():
        names.update(dict.fromkeys(criterion.village_columns))
    return tuple(names)


def village_inputs(
    columns: Mapping[str, ArrayLike],
    codes: Sequence[str],
    homes_insee: Sequence[str] | None = None,
    solos_settled: Mapping[str, float] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """The ``village_columns()`` of villages, as float arrays in the order of ``codes``.

    Parameters
    ----------
    columns
        The village table's columns (any that the criteria do not read are ignored).
    codes
        The villages' INSEE codes, in the order of the columns.
    homes_insee
        The village of every listing on offer: their count per village is ``homes_listed``.
    solos_settled
        Solos who settled, per INSEE code.
    """
    wanted = village_columns()
    missing = [c for c in wanted if c not in columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise FeaturesError(f"villages: expected columns {missing}, not found")
    n = len(codes)
    out = {
        c: np.asarray(columns[c], dtype=np.float64)
        if c in columns
        else np.full(n, OPTIONAL_COLUMNS[c])
        for c in wanted
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
