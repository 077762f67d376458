"""Access to Auch, the prefecture (hospital, lycées, administrations), within the prospect's
chosen time."""

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import Columns, Criterion, Evaluation, Facts, Inputs, Villages, Widening
from features.i18n import Lang, decimal, minutes, number
from features.numeric import bounded, round_up
from features.vocab import DEFAULT_MAX_MINUTES_TO_AUCH

#: Step a suggested maximum time is rounded up to.
MINUTES_STEP = 5.0


class AccessAuch(Criterion):
    code = "access_auch"
    texts: ClassVar = {
        "fr": {
            "label": "Accès à Auch",
            "must": "Auch dans le temps maximal choisi "
            f"({decimal(DEFAULT_MAX_MINUTES_TO_AUCH, 'fr')} min par défaut)",
            "auch": "Auch à {minutes} par la route ({km} km)",
            "auch_estimated": "Auch à {minutes}, estimation à vol d'oiseau",
            "too_far": "Auch à {minutes} par la route (maximum {most})",
            "widen": "En acceptant Auch à {to}",
        },
        "en": {
            "label": "Access to Auch",
            "must": "Auch within the chosen maximum time "
            f"({DEFAULT_MAX_MINUTES_TO_AUCH:g} min by default)",
            "auch": "Auch {minutes} away by road ({km} km)",
            "auch_estimated": "Auch {minutes} away, a straight-line estimate",
            "too_far": "Auch {minutes} away by road (at most {most})",
            "widen": "Accepting Auch {to} away",
        },
    }
    value_inputs = ("max_minutes_to_auch",)
    # The limit may be any number of minutes, but prospects state a few (30, 45, 60): kept
    # per case like the discrete inputs (up to a bound).
    village_columns = ("minutes_to_auch",)
    failure_inputs = ("max_minutes_to_auch",)
    widens = "preferences.max_minutes_to_auch"
    widening_unit = "minutes"

    def importance(self, p: Columns) -> float:
        # Auch is the prefecture, hospital and lycées: the same moderate need for everyone.
        return 0.5

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        limit = p["max_minutes_to_auch"][:, None]
        to_auch = villages.columns["minutes_to_auch"][None, :]
        values = bounded((limit + 10.0 - to_auch) / (limit / 2.0 + 10.0))
        return Evaluation(values, to_auch <= limit)

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        key = "auch_estimated" if village["travel_estimated"] else "auch"
        to_auch = minutes(village["minutes_to_auch"], lang)
        return self.say(lang, key, minutes=to_auch, km=number(village["km_to_auch"], lang))

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return self.say(
            lang,
            "too_far",
            minutes=minutes(village["minutes_to_auch"], lang),
            most=minutes(p["max_minutes_to_auch"], lang),
        )

    def village_facts(self, village: Facts) -> dict[str, object]:
        return {"minutes_to_auch": village["minutes_to_auch"], "km_to_auch": village["km_to_auch"]}

    def widening(
        self,
        alone: list[int],
        p: Inputs,
        details: Mapping[str, NDArray[np.float64]],
        villages: Villages,
    ) -> Widening:
        to_auch = villages.columns["minutes_to_auch"].tolist()
        to = round_up(min(to_auch[v] for v in alone), MINUTES_STEP)
        return Widening(self.widens or "", to, [v for v in alone if to_auch[v] <= to])
