"""Schools: for each child of school age, the minutes to their école, collège or lycée."""

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import (
    Columns,
    Criterion,
    Evaluation,
    Facts,
    Inputs,
    Villages,
    place,
    service,
    too_far,
)
from features.i18n import Lang, decimal, lowercase_first
from features.numeric import closeness

#: School levels: (service, minutes at which it is fully close, minutes beyond which it counts
#: for nothing, the most a ``must`` allows).
SCHOOL_MINUTES: dict[str, tuple[str, float, float, float]] = {
    "ecole": ("primary_school", 5.0, 20.0, 15.0),
    "college": ("middle_school", 10.0, 30.0, 20.0),
    "lycee": ("high_school", 15.0, 45.0, 30.0),
}
_most = {level: limits[3] for level, limits in SCHOOL_MINUTES.items()}
_COUNTS = tuple(f"n_{level}" for level in SCHOOL_MINUTES)


class Schools(Criterion):
    code = "schools"
    texts: ClassVar = {
        "fr": {
            "label": "Écoles",
            "must": f"pour chaque enfant, son école à {decimal(_most['ecole'], 'fr')} min, "
            f"collège à {decimal(_most['college'], 'fr')} min, lycée à "
            f"{decimal(_most['lycee'], 'fr')} min au plus",
        },
        "en": {
            "label": "Schools",
            "must": f"for each child, their school within {_most['ecole']:g} min, collège "
            f"{_most['college']:g} min, lycée {_most['lycee']:g} min",
        },
    }
    importance_inputs = _COUNTS
    value_inputs = _COUNTS
    village_columns = tuple(f"minutes_to_{name}" for name, *_ in SCHOOL_MINUTES.values())
    sentence_inputs = _COUNTS
    failure_inputs = _COUNTS

    def importance(self, p: Columns) -> NDArray[np.float64]:
        at_school = p["n_ecole"] + p["n_college"] + p["n_lycee"]
        return (at_school > 0).astype(np.float64)

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        return {
            f"{level}_closeness": closeness(v[f"minutes_to_{name}"], good, bad)
            for level, (name, good, bad, _) in SCHOOL_MINUTES.items()
        }

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        counts = np.array([p[name] for name in _COUNTS]).T  # (P, 3)
        children = counts.sum(axis=1, keepdims=True)
        # Level by level, not a matrix product: BLAS may sum a row of a many-row product in
        # another order than the same row alone, and one prospect must get the batch's bits.
        total = sum(
            p[f"n_{level}"][:, None] * v[f"{level}_closeness"][None, :] for level in SCHOOL_MINUTES
        )
        values = np.divide(total, children, out=np.ones_like(total), where=children > 0)
        too_far_ = np.array(
            [v[f"minutes_to_{name}"] > most for name, _, _, most in SCHOOL_MINUTES.values()],
            dtype=np.float64,
        )
        return Evaluation(values, ((counts > 0) @ too_far_) == 0)

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        parts = [
            place(village[f"minutes_to_{name}"], lang, service(lang, name))
            for level, (name, *_) in SCHOOL_MINUTES.items()
            if p[f"n_{level}"] > 0
        ]
        return ", ".join(parts[:1] + [lowercase_first(x) for x in parts[1:]])

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return "; ".join(
            too_far(village[f"minutes_to_{name}"], most, service(lang, name), lang)
            for level, (name, _, _, most) in SCHOOL_MINUTES.items()
            if p[f"n_{level}"] > 0 and village[f"minutes_to_{name}"] > most
        )
