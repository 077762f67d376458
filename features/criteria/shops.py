"""Daily shops: the minutes to a grocery, a bakery and a post office."""

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

#: Minutes at which a shop is fully close (value 1) and too far to count (value 0).
SHOP_MINUTES = {"grocery": (5.0, 20.0), "bakery": (5.0, 20.0), "post_office": (5.0, 20.0)}
MUST_GROCERY_MINUTES = 15.0


class Shops(Criterion):
    code = "shops"
    texts: ClassVar = {
        "fr": {
            "label": "Commerces",
            "must": f"un commerce alimentaire à {decimal(MUST_GROCERY_MINUTES, 'fr')} min au plus",
        },
        "en": {
            "label": "Daily shops",
            "must": f"a grocery within {MUST_GROCERY_MINUTES:g} min",
        },
    }
    village_columns = ("minutes_to_grocery", "minutes_to_bakery", "minutes_to_post_office")

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        def near(shop: str) -> NDArray[np.float64]:
            return closeness(v[f"minutes_to_{shop}"], *SHOP_MINUTES[shop])

        return {
            "shops_access": 0.6 * near("grocery") + 0.2 * near("bakery") + 0.2 * near("post_office")
        }

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        return Evaluation(
            v["shops_access"][None, :], (v["minutes_to_grocery"] <= MUST_GROCERY_MINUTES)[None, :]
        )

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        grocery = place(village["minutes_to_grocery"], lang, service(lang, "grocery"))
        return grocery + ", " + place(village["minutes_to_bakery"], lang, service(lang, "bakery"))

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return too_far(
            village["minutes_to_grocery"], MUST_GROCERY_MINUTES, service(lang, "grocery"), lang
        )
