"""Childcare: the minutes to a crèche, for children under 3."""

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
from features.i18n import Lang, decimal
from features.numeric import closeness

#: Minutes at which a crèche is fully close, beyond which it counts for nothing, and the most
#: a ``must`` allows.
CHILDCARE_MINUTES = (5.0, 25.0, 15.0)
_most = CHILDCARE_MINUTES[2]


class Childcare(Criterion):
    code = "childcare"
    texts: ClassVar = {
        "fr": {
            "label": "Garde d'enfants",
            "must": f"une crèche à {decimal(_most, 'fr')} min au plus (enfant de moins de 3 ans)",
        },
        "en": {
            "label": "Childcare",
            "must": f"a crèche within {_most:g} min (child under 3)",
        },
    }
    importance_inputs = ("n_creche",)
    value_inputs = ("n_creche",)
    village_columns = ("minutes_to_childcare",)

    def importance(self, p: Columns) -> NDArray[np.float64]:
        return (p["n_creche"] > 0).astype(np.float64)

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        good, bad, _ = CHILDCARE_MINUTES
        return {"childcare_closeness": closeness(v["minutes_to_childcare"], good, bad)}

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        n = len(p["n_creche"])
        values = np.broadcast_to(v["childcare_closeness"], (n, villages.n))
        near = v["minutes_to_childcare"] <= _most
        return Evaluation(values, (p["n_creche"][:, None] == 0) | near[None, :])

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return place(village["minutes_to_childcare"], lang, service(lang, "childcare"))

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return too_far(village["minutes_to_childcare"], _most, service(lang, "childcare"), lang)
