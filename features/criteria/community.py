"""Community: a Soho Solo welcome committee, and other Solos already settled."""

from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import Columns, Criterion, Evaluation, Facts, Inputs, Villages
from features.i18n import Lang, plural_s

#: Solos already settled that make a community (the value's share for them is full).
COMMUNITY_SOLOS = 3.0


class Community(Criterion):
    code = "community"
    texts: ClassVar = {
        "fr": {
            "label": "Accueil",
            "must": "un comité d'accueil Soho Solo (village partenaire)",
            "committee": "Comité d'accueil Soho Solo",
            "no_committee": "Pas de comité d'accueil Soho Solo",
            "solos": "{text}, {n} Solo{s} installé{s}",
        },
        "en": {
            "label": "Community",
            "must": "a Soho Solo welcome committee (partner village)",
            "committee": "Soho Solo welcome committee",
            "no_committee": "No Soho Solo welcome committee",
            "solos": "{text}, {n} Solo{s} settled",
        },
    }
    village_columns = ("partner", "solos_settled")

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        settled = np.clip(v["solos_settled"] / COMMUNITY_SOLOS, 0.0, 1.0)
        return {"community_base": 0.6 * (v["partner"] > 0) + 0.4 * settled}

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        return Evaluation(v["community_base"][None, :], (v["partner"] > 0)[None, :])

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        said = self.say(lang, "committee" if village.get("partner") else "no_committee")
        solos = int(village.get("solos_settled", 0) or 0)
        if not solos:
            return said
        return self.say(lang, "solos", text=said, n=solos, s=plural_s(solos, lang))

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return self.reason(village, p, details, lang)
