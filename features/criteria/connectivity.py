"""Connectivity: the share of premises that can have fibre, for the prospect's use of the
internet; 4G antennas of 2018 only as an old, secondary signal."""

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
from features.i18n import NNBSP, Lang, lowercase_first, percent, plural_s, year_of
from features.vocab import CONNECTIVITY

#: Fibre counts from this share of premises connectable (value 0) to all of them (1), by need
#: (basic, video_calls, large_uploads): the more data a use moves, the surer its home must be
#: to have fibre. A ``must`` (value ``MUST_VALUE``) then asks for 50, 70 and 80 % of premises.
FIBRE_FLOOR = (0.0, 0.4, 0.6)
#: 4G operators within 5 km for full value, and the most 4G alone can give, by need; large
#: uploads want fibre. The antenna list is of January 2018: it counts for OLD_MOBILE of that.
OPERATORS_NEEDED = (1, 2, 3)
MOBILE_CEILING = (1.0, 0.8, 0.5)
OLD_MOBILE = 0.8
#: Below this fibre share, reasons also say what 4G offers.
SAY_MOBILE_BELOW = 0.5


def fibre_needed(level: int) -> float:
    """The share of premises connectable to fibre that meets a ``must`` for a need."""
    return FIBRE_FLOOR[level] + MUST_VALUE * (1.0 - FIBRE_FLOOR[level])


def _mobile_meets_must(level: int) -> bool:
    return MOBILE_CEILING[level] * OLD_MOBILE >= MUST_VALUE


_share = [f"{fibre_needed(level):.0%}".replace("%", "") for level in range(3)]
_ops = [n for level, n in enumerate(OPERATORS_NEEDED) if _mobile_meets_must(level)]


class Connectivity(Criterion):
    code = "connectivity"
    texts: ClassVar = {
        "fr": {
            "label": "Connexion",
            "must": f"des locaux raccordables à la fibre : au moins {_share[0]}{NNBSP}% pour "
            f"courriel et web, {_share[1]}{NNBSP}% pour la visio, {_share[2]}{NNBSP}% pour les "
            "gros fichiers ; à défaut, assez d'opérateurs 4G à moins de 5 km (antennes de "
            f"2018) : {_ops[0]} pour courriel et web, {_ops[1]} pour la visio",
            "fibre": "Fibre : {share} des locaux raccordables ({vintage})",
            "no_fibre": "Pas de fibre ({vintage})",
            "mobile": "{fibre} ; 4G : {ops} opérateur{s} à moins de 5 km ({mobile_vintage})",
            "weak": "Connexion insuffisante pour : {use} (fibre : {share} des locaux en {year}, "
            "il en faut {wanted})",
            "weak_mobile": "Connexion insuffisante pour : {use} (fibre : {share} des locaux en "
            "{year}, il en faut {wanted} ; 4G : {ops} opérateur{s} en {mobile_year}, il en faut "
            "{wanted_ops})",
        },
        "en": {
            "label": "Connectivity",
            "must": f"premises connectable to fibre: at least {_share[0]}% for mail and web, "
            f"{_share[1]}% for video calls, {_share[2]}% for large uploads; failing that, enough "
            f"4G operators within 5 km (antennas of 2018): {_ops[0]} for mail and web, {_ops[1]} "
            "for video calls",
            "fibre": "Fibre: {share} of premises connectable ({vintage})",
            "no_fibre": "No fibre ({vintage})",
            "mobile": "{fibre}; 4G: {ops} operator{s} within 5 km ({mobile_vintage})",
            "weak": "Connectivity too weak for {use} (fibre: {share} of premises in {year}, "
            "{wanted} needed)",
            "weak_mobile": "Connectivity too weak for {use} (fibre: {share} of premises in "
            "{year}, {wanted} needed; 4G: {ops} operator{s} in {mobile_year}, {wanted_ops} "
            "needed)",
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
        floor = np.asarray(FIBRE_FLOOR)[level][:, None]
        fibre = np.clip((villages.columns["ftth_share"][None, :] - floor) / (1.0 - floor), 0, 1)
        needed = np.asarray(OPERATORS_NEEDED, dtype=np.float64)[level][:, None]
        ceiling = OLD_MOBILE * np.asarray(MOBILE_CEILING)[level][:, None]
        mobile = np.minimum(1.0, villages.columns["operators_4g"][None, :] / needed) * ceiling
        values = np.maximum(fibre, mobile)
        return Evaluation(values, values >= MUST_VALUE)

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        share, vintage = village["ftth_share"], village["ftth_vintage"]
        fibre = (
            self.say(lang, "fibre", share=percent(share, lang), vintage=vintage)
            if share > 0
            else self.say(lang, "no_fibre", vintage=vintage)
        )
        if share >= SAY_MOBILE_BELOW:
            return fibre
        ops = int(village["operators_4g"])
        return self.say(
            lang,
            "mobile",
            fibre=fibre,
            ops=ops,
            s=plural_s(ops, lang),
            mobile_vintage=village["mobile_vintage"],
        )

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        level = int(p["connectivity_level"])
        ops = int(village["operators_4g"])
        return self.say(
            lang,
            "weak_mobile" if _mobile_meets_must(level) else "weak",
            use=lowercase_first(list(CONNECTIVITY.values())[level][0 if lang == "fr" else 1]),
            share=percent(village["ftth_share"], lang),
            year=year_of(str(village["ftth_vintage"])),
            wanted=percent(fibre_needed(level), lang),
            ops=ops,
            s=plural_s(ops, lang),
            mobile_year=year_of(str(village["mobile_vintage"])),
            wanted_ops=OPERATORS_NEEDED[level],
        )

    def village_facts(self, village: Facts) -> dict[str, object]:
        return {
            "ftth_share": village["ftth_share"],
            "ftth_vintage": str(village["ftth_vintage"]),
            "operators_4g": village["operators_4g"],
            "mobile_vintage": str(village["mobile_vintage"]),
        }
