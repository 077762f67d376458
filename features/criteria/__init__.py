"""The criteria a village is matched on: one object each, in a registry every other part reads.

Vocabulary (``Profile.must``), weights, scoring, explanations, pages and the command line find
the criteria here rather than naming them, so that adding one is adding one object in one file
and registering it::

    from features import criteria

    criteria.codes()  # ("connectivity", "housing", ...), in registration order
    criteria.get("schools").label("en")  # "Schools"
    with criteria.registered(MyCriterion()):  # for a test or an experiment
        ...
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from features.criteria.access_auch import AccessAuch
from features.criteria.access_toulouse import AccessToulouse
from features.criteria.base import Criterion, Evaluation, Villages, Widening
from features.criteria.childcare import Childcare
from features.criteria.community import Community
from features.criteria.connectivity import Connectivity
from features.criteria.ecosystem import Ecosystem
from features.criteria.health import Health
from features.criteria.housing import Housing
from features.criteria.schools import Schools
from features.criteria.settlement import Settlement
from features.criteria.shops import Shops
from features.criteria.village_needs import VillageNeeds
from features.exceptions import FeaturesError
from features.i18n import CATALOGUE

__all__ = [
    "REGISTRY",
    "Criterion",
    "Evaluation",
    "Registry",
    "Villages",
    "Widening",
    "all_criteria",
    "codes",
    "get",
    "registered",
]

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class Registry:
    """The criteria in use, in order (the order of contributions, weights and reasons)."""

    def __init__(self) -> None:
        self._criteria: dict[str, Criterion] = {}
        self._codes: tuple[str, ...] = ()

    def register(self, criterion: Criterion) -> None:
        code = criterion.code
        if not _CODE.match(code):
            raise FeaturesError(f"criterion code: expected snake_case, found {code!r}")
        if code in self._criteria:
            raise FeaturesError(f"criterion {code!r}: already registered")
        CATALOGUE.add(f"criterion.{code}", criterion.texts)
        self._criteria[code] = criterion
        self._codes = tuple(self._criteria)

    def unregister(self, code: str) -> None:
        self._criteria.pop(code)
        self._codes = tuple(self._criteria)
        CATALOGUE.remove(f"criterion.{code}")

    def all(self) -> tuple[Criterion, ...]:
        return tuple(self._criteria.values())

    def codes(self) -> tuple[str, ...]:
        return self._codes

    def get(self, code: str) -> Criterion:
        try:
            return self._criteria[code]
        except KeyError:
            raise FeaturesError(
                f"criterion: expected one of {list(self._criteria)}, found {code!r}"
            ) from None

    def widened_by(self, change: str) -> Criterion | None:
        """The criterion whose suggestions change this profile field."""
        return next((c for c in self._criteria.values() if c.widens == change), None)


REGISTRY = Registry()
for _criterion in (
    Connectivity(),
    Housing(),
    Schools(),
    Childcare(),
    Health(),
    Shops(),
    AccessAuch(),
    AccessToulouse(),
    Settlement(),
    Ecosystem(),
    Community(),
    VillageNeeds(),
):
    REGISTRY.register(_criterion)


def codes() -> tuple[str, ...]:
    """The codes of the criteria in use, in order."""
    return REGISTRY.codes()


def all_criteria() -> tuple[Criterion, ...]:
    return REGISTRY.all()


def get(code: str) -> Criterion:
    return REGISTRY.get(code)


@contextmanager
def registered(criterion: Criterion) -> Iterator[Criterion]:
    """A criterion in use for the duration of a ``with`` block (tests, experiments)."""
    REGISTRY.register(criterion)
    try:
        yield criterion
    finally:
        REGISTRY.unregister(criterion.code)
