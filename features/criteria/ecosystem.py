"""Professional ecosystem: a tiers-lieu nearby, or a local market for trades and practices."""

import math
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import (
    MUST_VALUE,
    Columns,
    Criterion,
    Evaluation,
    Facts,
    Inputs,
    Villages,
    place,
    service,
)
from features.i18n import Lang, decimal, number
from features.numeric import closeness

#: Minutes to a tiers-lieu (fully close, too far), and the population at which a commune is a
#: full local market for trades and practices (none at 100).
TIERS_LIEU_MINUTES = (5.0, 30.0)
FULL_LOCAL_MARKET = 3000
#: From this share of local clients, a profession's sentence names the local market.
LOCAL_CLIENTS = 0.5
_tiers_lieu_must = TIERS_LIEU_MINUTES[0] + (1 - MUST_VALUE) * (
    TIERS_LIEU_MINUTES[1] - TIERS_LIEU_MINUTES[0]
)
# The population at which a trade living wholly on local clients meets the must.
_market_must = round(10 ** (2 + MUST_VALUE * (math.log10(FULL_LOCAL_MARKET) - 2)), -1)


class Ecosystem(Criterion):
    code = "ecosystem"
    texts: ClassVar = {
        "fr": {
            "label": "Écosystème professionnel",
            "must": f"un tiers-lieu à {decimal(_tiers_lieu_must, 'fr')} min au plus, ou, pour un "
            "métier à clientèle locale, un marché local suffisant (environ "
            f"{decimal(_market_must, 'fr')} habitants pour un artisan du bâtiment)",
            "venue_here": "{venue} dans la commune",
            "local_clients": "{text}, clientèle locale : {population} habitants",
            "none": "Ni tiers-lieu proche ni marché local suffisant : {text}",
        },
        "en": {
            "label": "Professional ecosystem",
            "must": f"a tiers-lieu within {_tiers_lieu_must:g} min or, for a trade living on "
            f"local clients, a large enough local market (about {_market_must:.0f} inhabitants "
            "for a building artisan)",
            "venue_here": "{venue} in the commune",
            "local_clients": "{text}, local clients: {population} inhabitants",
            "none": "Neither a tiers-lieu nearby nor a large enough local market: {text}",
        },
    }
    importance_inputs = ("prof_local_clients",)
    value_inputs = ("prof_local_clients",)
    village_columns = ("minutes_to_tiers_lieu", "population")
    sentence_inputs = ("prof_local_clients",)
    failure_inputs = ("prof_local_clients",)

    def importance(self, p: Columns) -> NDArray[np.float64]:
        return 0.5 + 0.5 * p["prof_local_clients"]

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        population = np.maximum(v["population"], 1.0)
        full = np.log10(FULL_LOCAL_MARKET) - 2.0
        return {
            # 100 inhabitants or fewer: no local market; FULL_LOCAL_MARKET or more: a full one.
            "local_market": np.clip((np.log10(population) - 2.0) / full, 0.0, 1.0),
            "tiers_lieu_access": closeness(v["minutes_to_tiers_lieu"], *TIERS_LIEU_MINUTES),
        }

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        # A place to work among peers, or, for trades and practices living on local clients, a
        # local market: either will do, as the must says.
        local = p["prof_local_clients"][:, None] * v["local_market"][None, :]
        values = np.maximum(v["tiers_lieu_access"][None, :], local)
        return Evaluation(values, values >= MUST_VALUE)

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        if isinstance(village["tiers_lieu"], str):
            venue = village["tiers_lieu"]
            return self.say(lang, "venue_here", venue=venue[0].upper() + venue[1:])
        said = place(village["minutes_to_tiers_lieu"], lang, service(lang, "tiers_lieu"))
        if p["prof_local_clients"] >= LOCAL_CLIENTS:
            population = number(village["population"], lang)
            said = self.say(lang, "local_clients", text=said, population=population)
        return said

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return self.say(lang, "none", text=self.reason(village, p, details, lang))
