"""Settlement size: a village or a small town, as the prospect prefers (off for "any")."""

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import Columns, Criterion, Evaluation, Facts, Inputs, Villages
from features.i18n import Lang, decimal, number

#: A commune of at least this population counts as a small town (a bourg-centre with a
#: collège, shops and a market), below as a village.
SMALL_TOWN = 2000


class Settlement(Criterion):
    code = "settlement"
    texts: ClassVar = {
        "fr": {
            "label": "Taille de la commune",
            "must": f"village (moins de {decimal(SMALL_TOWN, 'fr')} habitants) ou petite ville, "
            "selon le choix",
            "village": "Village de {population} habitants",
            "small_town": "Petite ville de {population} habitants",
            "village_asked": "{text} (village demandé)",
            "town_asked": "{text} (petite ville demandée)",
        },
        "en": {
            "label": "Settlement size",
            "must": f"village (under {SMALL_TOWN:,} inhabitants) or small town, as chosen",
            "village": "Village of {population} inhabitants",
            "small_town": "Small town of {population} inhabitants",
            "village_asked": "{text} (village asked for)",
            "town_asked": "{text} (small town asked for)",
        },
    }
    importance_inputs = ("wants_village", "wants_small_town")
    value_inputs = ("wants_village", "wants_small_town")
    village_columns = ("population",)
    failure_inputs = ("wants_village",)

    def importance(self, p: Columns) -> NDArray[np.float64]:
        return np.maximum(p["wants_village"], p["wants_small_town"])

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        pop = v["population"]
        return {
            # 1 up to 2,000 inhabitants, 0 from 4,000; and 0 up to 500, 1 from 2,000.
            "village_value": np.clip((2 * SMALL_TOWN - pop) / SMALL_TOWN, 0.0, 1.0),
            "small_town_value": np.clip((pop - SMALL_TOWN / 4) / (SMALL_TOWN * 3 / 4), 0.0, 1.0),
        }

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        village = p["wants_village"][:, None] > 0  # a village wins over a town
        town = (p["wants_small_town"][:, None] > 0) & ~village
        is_village = v["population"] < SMALL_TOWN
        values = np.where(village, v["village_value"], np.where(town, v["small_town_value"], 1.0))
        feasible = np.where(village, is_village, np.where(town, ~is_village, True))
        return Evaluation(values, feasible)

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        key = "village" if village["population"] < SMALL_TOWN else "small_town"
        return self.say(lang, key, population=number(village["population"], lang))

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        key = "village_asked" if p["wants_village"] > 0 else "town_asked"
        return self.say(lang, key, text=self.reason(village, p, details, lang))

    def village_facts(self, village: Facts) -> dict[str, object]:
        return {"population": village["population"]}
