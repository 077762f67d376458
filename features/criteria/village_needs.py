"""Village needs: how well a prospect answers what a village asks for: children of the ages its
school lacks, a profession or a service it has lost, premises fit for the prospect's trade."""

from datetime import date
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import Columns, Criterion, Evaluation, Facts, Inputs, Villages
from features.i18n import Lang, counted, euros, joined, number, plural_s, uppercase_first
from features.needs import SCHOOL_AGES, Need
from features.vocab import (
    MAX_CHILD_AGE,
    PREMISES_USES,
    PROFESSION_CODES,
    PROFESSIONS_BY_CODE,
    SERVICES_BY_CODE,
    premises_label,
)

#: A family that brings the school some of the pupils it lacks answers half of the need; all of
#: them, the whole of it.
SOME_PUPILS = 0.5
#: Premises fit for a prospect's work answer this much of the need for a remote worker, all
#: of it for a trade living on local clients (a shop, a workshop, a practice).
PREMISES_BASE = 0.5
_AGES = tuple(f"n_aged_{age}" for age in range(MAX_CHILD_AGE + 1))
#: The professions that can answer some village's trade or premises need.
_PROVIDERS = frozenset(
    {p for service in SERVICES_BY_CODE.values() for p in service.providers}
    | {p for _, _, users in PREMISES_USES.values() for p in users}
)


class VillageNeeds(Criterion):
    code = "village_needs"
    texts: ClassVar = {
        "fr": {
            "label": "Besoins du village",
            "must": "un besoin actuel du village auquel vous répondez (élèves pour son école, "
            "métier ou service qui lui manque, local pour votre activité)",
            "school": "{school} cherche {pupils} élève{s} de {age_min} à {age_max} ans pour la "
            "rentrée {year} : {yours}",
            "your_children": ["votre enfant compte", "vos {n} enfants comptent"],
            "trade": "Le village cherche : {what} ; votre métier y répond",
            "premises": "Local à louer pour votre activité : {use}{surface}{rent}",
            "surface": " de {surface} m²",
            "rent": ", {rent} par mois",
            "none": "Aucun besoin actuel du village auquel vous répondez",
            "needs": ["{n} besoin actuel", "{n} besoins actuels"],
        },
        "en": {
            "label": "Village needs",
            "must": "a current need of the village that you answer (pupils for its school, a "
            "trade or service it lacks, premises for your work)",
            "school": "{school} needs {pupils} pupil{s} aged {age_min} to {age_max} for the "
            "{year} school year: {yours}",
            "your_children": ["your child counts", "your {n} children count"],
            "trade": "The village needs: {what}; your trade answers it",
            "premises": "Premises to let for your work: {use}{surface}{rent}",
            "surface": " of {surface} m²",
            "rent": ", {rent} a month",
            "none": "No current need of the village that you answer",
            "needs": ["{n} current need", "{n} current needs"],
        },
    }
    importance_inputs = ("profession_index", *_AGES[SCHOOL_AGES[0] :])
    value_inputs = ("profession_index", "prof_local_clients", *_AGES)
    weak_point = False  # most villages have no current need: that is no weakness
    highlighted = True  # a village that needs the prospect is worth widening the search for
    sentence_details = ("need_index", "need_answer")

    def importance(self, p: Columns) -> NDArray[np.float64]:
        """1 for a prospect who could answer some kind of need (a child of school age, a
        trade or a practice villages ask for), 0 for the others: their scores stay as they are."""
        children = sum(p[name] for name in _AGES[SCHOOL_AGES[0] :])
        provider = np.isin(p["profession_index"], [PROFESSION_CODES.index(c) for c in _PROVIDERS])
        return ((np.asarray(children) > 0) | provider).astype(np.float64)

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        n_p, n_v = len(p["profession_index"]), villages.n
        values = np.zeros((n_p, n_v))
        best = np.full((n_p, n_v), -1.0)
        answer = np.zeros((n_p, n_v))
        for v, needs in enumerate(villages.needs.of_village):
            for i, need in enumerate(needs):
                value, count = self.answer(need, p, villages.needs.today)
                better = value > values[:, v]
                values[:, v] = np.where(better, value, values[:, v])
                best[:, v] = np.where(better, i, best[:, v])
                answer[:, v] = np.where(better, count, answer[:, v])
        return Evaluation(values, values > 0, {"need_index": best, "need_answer": answer})

    @staticmethod
    def answer(
        need: Need, p: Columns, today: date
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(P,) how well each prospect (``p``: the prospect columns) answers ``need``, and with
        how many children (or 1 for a trade)."""
        if need.kind == "school_pupils":
            # A child aged a now is a + shift when the school counts its pupils.
            shift = need.years_until(today)
            count = np.zeros(len(p["profession_index"]))
            for age in range(
                max(need.age_min - shift, 0), min(need.age_max - shift, MAX_CHILD_AGE) + 1
            ):
                count = count + p[f"n_aged_{age}"]
            share = np.minimum(1.0, count / need.pupils)
            return np.where(count > 0, SOME_PUPILS + (1 - SOME_PUPILS) * share, 0.0), count
        providers = [PROFESSION_CODES.index(code) for code in need.providers()]
        fits = np.isin(p["profession_index"], providers).astype(np.float64)
        if need.kind == "premises":
            # Premises matter to a trade that receives its clients; less to remote work.
            return fits * (PREMISES_BASE + (1 - PREMISES_BASE) * p["prof_local_clients"]), fits
        return fits, fits

    # -- sentences ---------------------------------------------------------------------------

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        index = int(details["need_index"])
        if index < 0:
            return self.say(lang, "none")
        need: Need = village["needs"][index]
        if need.kind == "school_pupils":
            return self._school(village, need, int(details["need_answer"]), lang)
        if need.kind == "trade":
            return self.say(lang, "trade", what=_trade(need, lang))
        return self._premises(need, lang)

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        return self.say(lang, "none")

    def _school(self, village: Facts, need: Need, children: int, lang: Lang) -> str:
        school = need.school or _school_of(str(village["name"]), lang)
        yours = counted(lang, f"criterion.{self.code}.your_children", children)
        return self.say(
            lang,
            "school",
            school=uppercase_first(school),
            pupils=need.pupils,
            s=plural_s(need.pupils, lang),
            age_min=need.age_min,
            age_max=need.age_max,
            year=need.by.year if need.by else "",
            yours=yours,
        )

    def _premises(self, need: Need, lang: Lang) -> str:
        use = premises_label(need.use or "office", lang)
        surface = need.surface_m2
        return self.say(
            lang,
            "premises",
            use=use,
            surface=self.say(lang, "surface", surface=number(surface, lang)) if surface else "",
            rent=self.say(lang, "rent", rent=euros(need.rent_eur, lang)) if need.rent_eur else "",
        )

    def village_facts(self, village: Facts) -> dict[str, object]:
        return {"needs_current": len(village["needs"])}


def _trade(need: Need, lang: Lang) -> str:
    """What a trade need asks for, in words: its service and professions."""
    wanted = [SERVICES_BY_CODE[need.service].label(lang)] if need.service else []
    wanted += [PROFESSIONS_BY_CODE[code].label(lang).lower() for code in need.professions]
    return joined(wanted, lang)


def _school_of(village: str, lang: Lang) -> str:
    if lang != "fr":
        return f"{village}'s school"
    return (
        f"l'école d'{village}"
        if village[:1].lower() in "aeiouyhéèêâîôû"
        else f"l'école de {village}"
    )
