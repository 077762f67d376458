"""Every criterion's value for every (prospect, village) pair, vectorised over both.

``PairEvaluator`` prepares the registered criteria for a set of villages once (each one's
``village_features``), then evaluates any number of prospects: each criterion's values and
feasibility (whether it passes the criterion's ``must`` threshold), its importance for each
prospect, and which villages meet every ``must`` of each prospect.

One prospect is a batch of one, through the same code. What makes it fast is reuse, not a
second copy of any rule: a criterion whose value depends on the prospect only through a few
discrete inputs (a connectivity need, a settlement wish, children per school level) is
evaluated once per case and kept; so is each criterion's importance.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from features import criteria
from features.columns import ProspectTable, must_columns
from features.criteria import Criterion, Evaluation, Villages
from features.criteria.base import restricted
from features.exceptions import FeaturesError
from features.homes import Homes
from features.needs import VillageNeeds
from features.numeric import MAX_CASES, CaseCache, Columns

T = TypeVar("T")
T_co = TypeVar("T_co", bound=np.generic, covariant=True)


@dataclass(frozen=True)
class PairValues:
    """Criterion values of P prospects against V villages, C criteria in registry order."""

    values: NDArray[np.float64]  # (P, V, C), in [0, 1]
    feasible: NDArray[np.bool_]  # (P, V, C): meets the criterion's ``must`` threshold
    importance: NDArray[np.float64]  # (P, C)
    must: NDArray[np.bool_]  # (P, C): criteria the prospect made hard constraints
    eligible: NDArray[np.bool_]  # (P, V): the village meets every ``must`` of the prospect
    details: Mapping[str, NDArray[np.float64]]  # (P, V) figures criteria give of each pair


class PairEvaluator:
    """The registered criteria, prepared for a set of villages.

    Parameters
    ----------
    columns
        The villages' columns (``features.columns.village_inputs``), each (V,).
    homes
        Listings on offer in those villages.
    needs
        What those villages need.
    """

    def __init__(
        self, columns: Columns, homes: Homes | None = None, needs: VillageNeeds | None = None
    ) -> None:
        self.criteria: tuple[Criterion, ...] = criteria.all_criteria()
        self.codes = tuple(c.code for c in self.criteria)
        n = len(columns["population"])
        self.villages = Villages(
            dict(columns) | _features(self.criteria, columns),
            homes or Homes.empty(),
            needs or VillageNeeds.empty(n),
        )
        #: Criteria evaluated per case (their values kept for one prospect), and the others.
        self._by_case = np.array([i for i, c in enumerate(self.criteria) if c.by_case], np.intp)
        self._direct = [i for i, c in enumerate(self.criteria) if not c.by_case]
        self._case_inputs = _union(self.criteria[i].value_inputs for i in self._by_case)
        self._cases = CaseCache(MAX_CASES)  # (V, C) values each: a few kB
        # What depends on the prospect alone: each criterion's importance and must.
        self._must_columns = must_columns(self.codes)
        self._person_inputs = (
            _union(c.importance_inputs for c in self.criteria) + self._must_columns
        )
        self._persons = CaseCache(MAX_CASES * 4)  # rows of C numbers: more can be kept

    @property
    def features(self) -> dict[str, NDArray[np.float64]]:
        """The villages' columns with every criterion's features."""
        return dict(self.villages.columns)

    def evaluate(self, prospects: Columns) -> PairValues:
        """Values, feasibility, importance and eligibility of every prospect against every
        village; ``prospects`` are the columns of ``features.columns.prospect_columns``."""
        prospects = ProspectTable.from_columns(prospects)
        n_p = prospects.n
        shape = (n_p, self.villages.n, len(self.criteria))
        values, feasible = np.empty(shape), np.empty(shape, dtype=bool)
        cases = self._kept(self._cases, self._case_inputs, prospects, self._evaluate_by_case)
        values[:, :, self._by_case], feasible[:, :, self._by_case] = cases.values, cases.feasible
        details = dict(cases.details)
        for i in self._direct:
            found = self._evaluate(i, prospects)
            values[:, :, i], feasible[:, :, i] = found.values, found.feasible
            details.update(found.details)
        importance, must = self._kept(self._persons, self._person_inputs, prospects, self._person)
        return PairValues(
            values=values,
            feasible=feasible,
            importance=importance,
            must=must,
            eligible=np.asarray((feasible | ~must[:, None, :]).all(axis=2)),
            details=details,
        )

    @staticmethod
    def _kept(
        cache: CaseCache,
        names: tuple[str, ...],
        prospects: ProspectTable,
        make: Callable[[ProspectTable], T],
    ) -> T:
        """``make(prospects)``, kept per case of ``names`` when there is one prospect."""
        if prospects.n != 1:
            return make(prospects)
        return cache.get(prospects.key(names), lambda: make(prospects))

    def _evaluate(self, i: int, prospects: ProspectTable) -> Evaluation:
        criterion = self.criteria[i]
        return criterion.evaluate(restricted(prospects, criterion.value_inputs), self.villages)

    def _evaluate_by_case(self, prospects: ProspectTable) -> Evaluation:
        """The criteria evaluated per case, their values stacked (P, V, C by case)."""
        found = [self._evaluate(i, prospects) for i in self._by_case.tolist()]
        shape = (prospects.n, self.villages.n)
        return Evaluation(
            _criteria_last([e.values for e in found], shape),
            _criteria_last([e.feasible for e in found], shape),
            {name: array for e in found for name, array in e.details.items()},
        )

    def _person(self, prospects: ProspectTable) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """(P, C) each criterion's importance, and whether it is a must, for each prospect."""
        n_p = prospects.n
        found = [c.importance(restricted(prospects, c.importance_inputs)) for c in self.criteria]
        importance = np.array([np.broadcast_to(f, (n_p,)) for f in found], dtype=np.float64).T
        must = np.array([prospects[name] for name in self._must_columns]).T > 0
        return importance, must


def _features(criteria_: Sequence[Criterion], columns: Columns) -> dict[str, NDArray[np.float64]]:
    """Every criterion's village features, under names no other column has."""
    features: dict[str, NDArray[np.float64]] = {}
    for criterion in criteria_:
        made = criterion.village_features(columns)
        clash = sorted((set(made) & set(features)) | (set(made) & set(columns)))
        if clash:
            raise FeaturesError(f"criterion {criterion.code!r}: feature names {clash} taken")
        features |= made
    return features


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in groups for name in group))


def _criteria_last(arrays: list[NDArray[T_co]], shape: tuple[int, int]) -> NDArray[T_co]:
    """(P, V, C) from C arrays of (P, V), or (1, V) for a village's value that stands for
    every prospect (``np.stack`` costs more than its work on one prospect's arrays)."""
    spread = [a if a.shape == shape else np.broadcast_to(a, shape) for a in arrays]
    return np.array(spread).transpose(1, 2, 0)


def village_features(columns: Columns) -> dict[str, NDArray[np.float64]]:
    """Every registered criterion's prospect-independent features of the villages."""
    return {
        name: values
        for criterion in criteria.all_criteria()
        for name, values in criterion.village_features(columns).items()
    }


def importance_columns(prospects: Columns) -> dict[str, NDArray[np.float64]]:
    """``importance_<criterion>`` of every prospect, each (P,)."""
    n_p = len(prospects["remote_days"])
    return {
        f"importance_{c.code}": np.broadcast_to(
            c.importance(restricted(prospects, c.importance_inputs)), (n_p,)
        ).astype(np.float64)
        for c in criteria.all_criteria()
    }


def criterion_index(codes: Sequence[str] | None = None) -> dict[str, int]:
    """Each criterion's position in the last axis of ``PairValues.values``."""
    return {code: i for i, code in enumerate(codes if codes is not None else criteria.codes())}
