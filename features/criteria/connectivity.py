"""Connectivity: fibre, or enough 4G operators nearby, for the prospect's use of the internet."""

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
)
from features.i18n import NNBSP, Lang, decimal, percent, plural_s, year_of
from features.vocab import CONNECTIVITY

#: 4G operators within 5 km for full value, and the most 4G alone can give, by need (basic,
#: video_calls, large_uploads). Large uploads want fibre: 4G alone reaches 0.5.
OPERATORS_NEEDED = (1, 2, 3)
MOBILE_CEILING = (1.0, 0.8, 0.5)
_ops = OPERATORS_NEEDED


class Connectivity(Criterion):
    code = "connectivity"
    texts: ClassVar = {
        "fr": {
            "label": "Connexion",
            "must": f"au moins {decimal(100 * MUST_VALUE, 'fr')}{NNBSP}% des locaux raccordables à "
            f"la fibre, ou assez d'opérateurs 4G à moins de 5 km : {_ops[0]} pour courriel et web, "
            f"{_ops[1]} pour la visio, {_ops[2]} pour les gros fichiers",
            "fibre": "Fibre : {share} des locaux raccordables ({vintage}) ; "
            "4G : {ops} opérateur{s} à moins de 5 km",
            "no_fibre": "4G : {ops} opérateur{s} à moins de 5 km ; pas de fibre ({vintage})",
            "weak": "Connexion insuffisante pour : {use} (fibre {share} en {year}, "
            "4G : {ops} opérateur{s}, il en faut {wanted})",
        },
        "en": {
            "label": "Connectivity",
            "must": f"at least {MUST_VALUE:.0%} of premises connectable to fibre, or enough 4G "
            f"operators within 5 km: {_ops[0]} for mail and web, {_ops[1]} for video calls, "
            f"{_ops[2]} for large uploads",
            "fibre": "Fibre: {share} of premises connectable ({vintage}); "
            "4G: {ops} operator{s} within 5 km",
            "no_fibre": "4G: {ops} operator{s} within 5 km; no fibre ({vintage})",
            "weak": "Connectivity too weak for {use} (fibre {share} in {year}, "
            "4G: {ops} operator{s}, {wanted} needed)",
        },
    }
    importance_inputs = ("connectivity_level", "prof_large_uploads")
    value_inputs = ("connectivity_level",)
    village_columns = ("ftth_share", "operators_4g")
    failure_inputs = ("connectivity_level",)

    def importance(self, p: Columns) -> NDArray[np.float64]:
        # Large files matter more to professions that move them, whatever was ticked.
        level, uploads = p["connectivity_level"], p["prof_large_uploads"]
        return np.minimum(1.0, 0.5 + 0.25 * level + 0.25 * uploads)

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        level = p["connectivity_level"].astype(np.intp)
        needed = np.asarray(OPERATORS_NEEDED, dtype=np.float64)[level][:, None]
        ceiling = np.asarray(MOBILE_CEILING)[level][:, None]
        mobile = np.minimum(1.0, villages.columns["operators_4g"][None, :] / needed)
        values = np.maximum(villages.columns["ftth_share"][None, :], mobile * ceiling)
        return Evaluation(values, values >= MUST_VALUE)

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        share = village["ftth_share"]
        return self.say(
            lang,
            "fibre" if share > 0 else "no_fibre",
            share=percent(share, lang),
            vintage=village["ftth_vintage"],
            ops=int(village["operators_4g"]),
            s=plural_s(village["operators_4g"], lang),
        )

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        need = int(p["connectivity_level"])
        use = list(CONNECTIVITY.values())[need][0 if lang == "fr" else 1].lower()
        return self.say(
            lang,
            "weak",
            use=use,
            share=percent(village["ftth_share"], lang),
            year=year_of(str(village["ftth_vintage"])),
            ops=int(village["operators_4g"]),
            s=plural_s(village["operators_4g"], lang),
            wanted=OPERATORS_NEEDED[need],
        )

    def village_facts(self, village: Facts) -> dict[str, object]:
        return {
            "ftth_share": village["ftth_share"],
            "operators_4g": village["operators_4g"],
            "ftth_vintage": str(village["ftth_vintage"]),
        }
