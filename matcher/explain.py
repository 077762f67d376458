"""Reasons a person can read: why a village ranks, why one is excluded.

Text is French by default and English on request, from the catalogue ``TEXT``; every reason
carries its figure and unit, and estimates and old data say so ("estimation", "ARCEP 2018").
"""

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from features.vocab import (
    CHILDCARE_MINUTES,
    CONNECTIVITY,
    CRITERION_CODES,
    MUST_DOCTOR_MINUTES,
    MUST_GROCERY_MINUTES,
    MUST_STATION_MINUTES,
    MUST_TOULOUSE_MINUTES,
    NNBSP,
    OPERATORS_NEEDED,
    SCHOOL_MINUTES,
    SMALL_TOWN,
    Lang,
)

Facts = Mapping[str, Any]  # one village's row of the village table
Prospect = Mapping[str, float]  # one prospect's row of the prospect matrix

#: How many criteria a result's reasons cover, and below what value a criterion that matters
#: to the prospect is flagged as a point to check.
REASONS_PER_RESULT = 3
WEAK_VALUE = 0.3


TEXT: dict[Lang, dict[str, str]] = {
    "fr": {
        "in_commune": "{what} dans la commune",
        "away": "{what} à {minutes}",
        "fibre": "Fibre : {share} des locaux raccordables ({vintage}) ; "
        "4G : {ops} opérateur{s} à moins de 5 km",
        "homes_on_offer": "{n} logement{s} disponible{s} dans votre budget",
        "house_prices": "Maisons : {price} en médiane {year}{level}",
        "house_cost": "Maison de {bedrooms} chambre{s} estimée à {cost} ({price} en {year}{level})",
        "rent_cost": "Loyer estimé à {cost} par mois pour {bedrooms} chambre{s}",
        "epci": " pour l'intercommunalité",
        "auch": "Auch à {minutes} (estimation)",
        "toulouse": "Toulouse à {minutes}, gare {of_station} à {station_minutes} (estimations)",
        "no_fibre": "4G : {ops} opérateur{s} à moins de 5 km ; pas de fibre ({vintage})",
        "auch_too_far": "Auch à {minutes}, estimation (maximum {most})",
        "under_a_minute": "moins d'1 min",
        "village": "Village de {population} habitants",
        "small_town": "Petite ville de {population} habitants",
        "venue_here": "{venue} dans la commune",
        "local_clients": "{text}, clientèle locale : {population} habitants",
        "committee": "Comité d'accueil Soho Solo",
        "no_committee": "Pas de comité d'accueil Soho Solo",
        "solos": "{text}, {n} Solo{s} installé{s}",
        "check": "À vérifier : {text}",
        "too_far": "{what} à {minutes} (maximum {most})",
        "weak_connection": "Connexion insuffisante pour : {use} (fibre {share} en {year}, "
        "4G : {ops} opérateur{s}, il en faut {wanted})",
        "no_house": "Aucun logement dans le budget : maison de {bedrooms} chambre{s} estimée "
        "à {cost}, il manque {short}",
        "no_rent": "Aucun logement dans le budget : loyer estimé à {cost} par mois, "
        "il manque {short}",
        "village_asked": "{text} (village demandé)",
        "town_asked": "{text} (petite ville demandée)",
        "no_ecosystem": "Ni tiers-lieu proche ni marché local suffisant : {text}",
        "primary_school": "École",
        "middle_school": "Collège",
        "high_school": "Lycée",
        "childcare": "Crèche",
        "doctor": "Médecin",
        "pharmacy": "pharmacie",
        "grocery": "Commerce alimentaire",
        "bakery": "boulangerie",
        "tiers_lieu": "Tiers-lieu",
        "station": "Gare ({station})",
    },
    "en": {
        "in_commune": "{what} in the commune",
        "away": "{what} {minutes} away",
        "fibre": "Fibre: {share} of premises connectable ({vintage}); "
        "4G: {ops} operator{s} within 5 km",
        "homes_on_offer": "{n} home{s} on offer within your budget",
        "house_prices": "Houses: {price} median in {year}{level}",
        "house_cost": "A {bedrooms}-bedroom house estimated at {cost} ({price} in {year}{level})",
        "rent_cost": "Rent estimated at {cost} a month for {bedrooms} bedroom{s}",
        "epci": " for the intercommunality",
        "auch": "Auch {minutes} away (estimate)",
        "toulouse": "Toulouse {minutes} away, {of_station} station {station_minutes} away "
        "(estimates)",
        "no_fibre": "4G: {ops} operator{s} within 5 km; no fibre ({vintage})",
        "auch_too_far": "Auch {minutes} away, an estimate (at most {most})",
        "under_a_minute": "under 1 min",
        "village": "Village of {population} inhabitants",
        "small_town": "Small town of {population} inhabitants",
        "venue_here": "{venue} in the commune",
        "local_clients": "{text}, local clients: {population} inhabitants",
        "committee": "Soho Solo welcome committee",
        "no_committee": "No Soho Solo welcome committee",
        "solos": "{text}, {n} Solo{s} settled",
        "check": "Check: {text}",
        "too_far": "{what} {minutes} away (at most {most})",
        "weak_connection": "Connectivity too weak for {use} (fibre {share} in {year}, "
        "4G: {ops} operator{s}, {wanted} needed)",
        "no_house": "No home within budget: a {bedrooms}-bedroom house is estimated at {cost}, "
        "{short} short",
        "no_rent": "No home within budget: rent estimated at {cost} a month, {short} short",
        "village_asked": "{text} (village asked for)",
        "town_asked": "{text} (small town asked for)",
        "no_ecosystem": "Neither a tiers-lieu nearby nor a large enough local market: {text}",
        "primary_school": "Primary school",
        "middle_school": "Collège",
        "high_school": "Lycée",
        "childcare": "Crèche",
        "doctor": "Doctor",
        "pharmacy": "pharmacy",
        "grocery": "Grocery",
        "bakery": "bakery",
        "tiers_lieu": "Tiers-lieu",
        "station": "Station ({station})",
    },
}


def say(lang: Lang, key: str, **fields: Any) -> str:
    return TEXT[lang][key].format(**fields)


def number(value: float, lang: Lang) -> str:
    text = f"{value:,.0f}"
    return text.replace(",", NNBSP) if lang == "fr" else text


def euros(value: float, lang: Lang) -> str:
    return f"{number(value, lang)}{NNBSP}€" if lang == "fr" else f"€{number(value, lang)}"


def per_m2(value: float, lang: Lang) -> str:
    return f"{euros(value, lang)}/m²"


def percent(share: float, lang: Lang) -> str:
    return f"{number(100 * share, lang)}{NNBSP if lang == 'fr' else ''}%"


def minutes(value: float, lang: Lang = "fr") -> str:
    if 0 < value < 0.5:
        return TEXT[lang]["under_a_minute"]
    return f"{round(value)} min"


def of_place(name: str, lang: Lang) -> str:
    """ "de Mauvezin", "d'Auch" in French; the bare name in English."""
    if lang != "fr":
        return name
    return f"d'{name}" if name[:1].lower() in "aeiouyhéèêâîôû" else f"de {name}"


def year_of(vintage: str) -> str:
    """The year of a vintage label such as "DVF 2024" or "ARCEP T1 2018"."""
    return vintage.split()[-1]


def plural(n: float, lang: Lang) -> str:
    # French puts 0 and 1 in the singular, English only 1.
    return "s" if (n >= 2 if lang == "fr" else n != 1) else ""


#: Euros estimated prices and budgets are rounded to: a price to buy, a monthly rent.
PRICE_STEP = {True: 1000.0, False: 10.0}


def estimate(value: float, buy: bool) -> float:
    """Round an estimated price to 1,000 € (a monthly rent to 10 €): no false precision."""
    return round(value / PRICE_STEP[buy]) * PRICE_STEP[buy]


def place(value: float, lang: Lang, what: str) -> str:
    """ "Collège à 8 min", or "Collège dans la commune" when the commune has one."""
    if value == 0:
        return say(lang, "in_commune", what=what)
    return say(lang, "away", what=what, minutes=minutes(value, lang))


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def _housing(f: Facts, p: Prospect, matching: float, cost: float, lang: Lang) -> str:
    level = "" if f["house_price_level"] == "commune" else say(lang, "epci")
    price = per_m2(f["house_price_m2"], lang)
    if matching > 0:
        return say(lang, "homes_on_offer", n=int(matching), s=plural(matching, lang))
    year = year_of(str(f["price_vintage"]))
    if p["has_housing"] == 0:
        return say(lang, "house_prices", price=price, level=level, year=year)
    bedrooms = int(max(p["bedrooms_needed"], 1))
    key = "house_cost" if p["buy"] > 0 else "rent_cost"
    cost = estimate(cost, p["buy"] > 0)
    return say(
        lang,
        key,
        bedrooms=bedrooms,
        s=plural(bedrooms, lang),
        cost=euros(cost, lang),
        price=price,
        level=level,
        year=year,
    )


def _schools(f: Facts, p: Prospect, lang: Lang) -> str:
    parts = [
        place(f[f"minutes_to_{service}"], lang, TEXT[lang][service])
        for level, (service, *_) in SCHOOL_MINUTES.items()
        if p[f"n_{level}"] > 0
    ]
    return ", ".join(parts[:1] + [_lower_first(x) for x in parts[1:]])


def _settlement(f: Facts, lang: Lang) -> str:
    key = "village" if f["population"] < SMALL_TOWN else "small_town"
    return say(lang, key, population=number(f["population"], lang))


def _ecosystem(f: Facts, p: Prospect, lang: Lang) -> str:
    if isinstance(f["tiers_lieu"], str):
        venue = f["tiers_lieu"]
        return say(lang, "venue_here", venue=venue[0].upper() + venue[1:])
    text = place(f["minutes_to_tiers_lieu"], lang, TEXT[lang]["tiers_lieu"])
    if p["prof_local_clients"] >= 0.5:
        text = say(lang, "local_clients", text=text, population=number(f["population"], lang))
    return text


def _community(f: Facts, lang: Lang) -> str:
    text = say(lang, "committee" if f.get("partner") else "no_committee")
    solos = int(f.get("solos_settled", 0) or 0)
    return say(lang, "solos", text=text, n=solos, s=plural(solos, lang)) if solos else text


def criterion_reason(
    code: str, f: Facts, p: Prospect, matching: float, cost: float, lang: Lang
) -> str:
    """One sentence on a criterion for this village and prospect, with its figures."""
    t = TEXT[lang]
    sentences: dict[str, Callable[[], str]] = {
        "connectivity": lambda: say(
            lang,
            "fibre" if f["ftth_share"] > 0 else "no_fibre",
            share=percent(f["ftth_share"], lang),
            vintage=f["ftth_vintage"],
            ops=int(f["operators_4g"]),
            s=plural(f["operators_4g"], lang),
        ),
        "housing": lambda: _housing(f, p, matching, cost, lang),
        "schools": lambda: _schools(f, p, lang),
        "childcare": lambda: place(f["minutes_to_childcare"], lang, t["childcare"]),
        "health": lambda: (
            place(f["minutes_to_doctor"], lang, t["doctor"])
            + ", "
            + place(f["minutes_to_pharmacy"], lang, t["pharmacy"])
        ),
        "shops": lambda: (
            place(f["minutes_to_grocery"], lang, t["grocery"])
            + ", "
            + place(f["minutes_to_bakery"], lang, t["bakery"])
        ),
        "access_auch": lambda: say(lang, "auch", minutes=minutes(f["minutes_to_auch"], lang)),
        "access_toulouse": lambda: say(
            lang,
            "toulouse",
            minutes=minutes(f["minutes_to_toulouse"], lang),
            of_station=of_place(str(f["nearest_station"]), lang),
            station_minutes=minutes(f["minutes_to_station"], lang),
        ),
        "settlement": lambda: _settlement(f, lang),
        "ecosystem": lambda: _ecosystem(f, p, lang),
        "community": lambda: _community(f, lang),
    }
    return sentences[code]()


def select_reasons(
    contributions: NDArray[np.float64],
    mean: NDArray[np.float64],
    values: NDArray[np.float64],
    importance: NDArray[np.float64],
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """For N results, each row one (prospect, village) pair: the criteria its reasons cover,
    and the weakest criterion to flag (``-1`` where none is weak or it is already covered).

    ``contributions`` and ``values`` are the pair's, ``mean`` the prospect's mean contribution
    over the candidate villages, ``importance`` the prospect's; all (N, C), or (C,) for the
    last two when the N results are one prospect's.

    Reasons say what sets a village apart: the criteria where its contribution most exceeds
    the mean over the candidate villages (``-1`` past those that exceed it), or, for a village
    better on nothing, its largest contribution alone. A criterion every village shares (all
    partners have a welcome committee) is therefore not a reason to prefer one of them.
    """
    # Plain indexing rather than take_along_axis: for the ten results of one ranking, numpy's
    # Python-side overhead is most of the cost.
    n = np.arange(len(contributions))
    advantage = contributions - mean
    top = np.argsort(-advantage, axis=1, kind="stable")[:, :REASONS_PER_RESULT]
    top = np.where(advantage[n[:, None], top] > 1e-9, top, -1)
    largest = contributions.argmax(axis=1)
    top[:, 0] = np.where((top[:, 0] < 0) & (contributions[n, largest] > 0), largest, top[:, 0])
    masked = np.where(importance > 0, values, np.inf)
    weakest = masked.argmin(axis=1)
    weak = masked[n, weakest] < WEAK_VALUE
    covered = (top == weakest[:, None]).any(axis=1)
    return top, np.where(weak & ~covered, weakest, -1)


def variants(p: Prospect) -> list[tuple[object, ...]]:
    """Per criterion, what of the prospect its sentence depends on (the rest is the village's,
    and for housing the listings that match)."""
    found: dict[str, tuple[object, ...]] = {
        "housing": (p["has_housing"] > 0, p["buy"] > 0, int(max(p["bedrooms_needed"], 1))),
        "schools": (p["n_ecole"] > 0, p["n_college"] > 0, p["n_lycee"] > 0),
        "ecosystem": (p["prof_local_clients"] >= 0.5,),
    }
    return [found.get(code, ()) for code in CRITERION_CODES]


def failure_variants(p: Prospect) -> list[tuple[object, ...]]:
    """Per criterion, what of the prospect a failed ``must``'s sentence depends on (housing
    aside: its shortfall depends on the exact budget)."""
    found: dict[str, tuple[object, ...]] = {
        "connectivity": (p["connectivity_level"],),
        "schools": (p["n_ecole"] > 0, p["n_college"] > 0, p["n_lycee"] > 0),
        # The sentence shows the limit as ``minutes`` writes it: under 1 minute, or rounded.
        "access_auch": (0 < p["max_minutes_to_auch"] < 0.5, round(p["max_minutes_to_auch"])),
        "access_toulouse": (p["needs_train_station"] > 0,),
        "settlement": (p["wants_village"] > 0,),
        "ecosystem": (p["prof_local_clients"] >= 0.5,),
    }
    return [found.get(code, ()) for code in CRITERION_CODES]


HOUSING = CRITERION_CODES.index("housing")


class Explainer:
    """Sentences for the villages of rankings, each written once and reused.

    A criterion's sentence depends on the village and on a small variant of the prospect, so
    a batch of thousands of prospects reuses a few hundred sentences. They are kept in one
    table per (kind, criterion, language, variant), of the villages' sentences: a ranking
    finds its tables once, then each sentence by village.
    """

    def __init__(self, facts: list[dict[str, Any]]) -> None:
        self.facts = facts
        self._tables: dict[tuple[object, ...], dict[object, str]] = {}
        # Each combination of a result's variants met, with its tables (a few hundred at most:
        # the variants are flags and small counts).
        self._combinations: dict[tuple[object, ...], list[dict[object, str]]] = {}

    def for_prospect(self, p: Prospect, lang: Lang = "fr") -> "ProspectReasons":
        return ProspectReasons(self, p, lang)

    def tables(
        self, kind: str, lang: Lang, variants: list[tuple[object, ...]]
    ) -> list[dict[object, str]]:
        """Per criterion, the table of its sentences for a prospect of these variants."""
        key = (kind, lang, *variants)
        found = self._combinations.get(key)
        if found is None:
            tables = self._tables
            found = [tables.setdefault((kind, c, lang, v), {}) for c, v in enumerate(variants)]
            self._combinations[key] = found
        return found

    def table(
        self, kind: str, c: int, lang: Lang, variant: tuple[object, ...]
    ) -> dict[object, str]:
        """The table of criterion ``c``'s sentences for one variant."""
        return self._tables.setdefault((kind, c, lang, variant), {})


class ProspectReasons:
    """The sentences of one prospect's ranking."""

    def __init__(self, explainer: Explainer, p: Prospect, lang: Lang) -> None:
        self.facts, self.p, self.lang = explainer.facts, p, lang
        reasons = variants(p)
        self._reasons = explainer.tables("reason", lang, reasons)
        self._checks = explainer.tables("check", lang, reasons)
        self._explainer = explainer
        # A failed must's sentences, by criterion: found when a village first fails it. Kept
        # per criterion, not per combination of failures: the variants of all criteria
        # together (minutes to Auch among them) make too many combinations to keep.
        self._failure_variants = failure_variants(p)
        self._failures: list[dict[object, str] | None] = [None] * len(CRITERION_CODES)

    def reason(self, c: int, v: int, matching: float, cost: float) -> str:
        key = (v, int(matching)) if c == HOUSING else v
        text = self._reasons[c].get(key)
        if text is None:
            code = CRITERION_CODES[c]
            text = criterion_reason(code, self.facts[v], self.p, matching, cost, self.lang)
            self._reasons[c][key] = text
        return text

    def result_reasons(
        self, v: int, top: list[int], weakest: int, matching: float, cost: float
    ) -> list[str]:
        """Reasons for a ranked village: its largest contributions, then its weakest point."""
        # The lookups written out, as ``reason`` does them: this runs for every result.
        tables, housing_key = self._reasons, (v, int(matching))
        reasons = []
        for c in top:
            if c >= 0:
                text = tables[c].get(housing_key if c == HOUSING else v)
                reasons.append(text if text is not None else self.reason(c, v, matching, cost))
        if weakest >= 0:
            key = housing_key if weakest == HOUSING else v
            checks = self._checks[weakest]
            text = checks.get(key)
            if text is None:
                weak = self.reason(weakest, v, matching, cost)
                text = checks[key] = say(self.lang, "check", text=weak)
            reasons.append(text)
        return reasons

    def exclusion_reasons(self, v: int, failed: int, cost: float) -> tuple[str, ...]:
        """Which ``must`` criteria a village fails, and by how much; ``failed`` has bit c set
        for criterion c of ``CRITERION_CODES``."""
        f, p, lang = self.facts[v], self.p, self.lang
        reasons = []
        for c in criteria_in(failed):
            if c == HOUSING:  # the shortfall depends on the exact budget: not kept
                reasons.append(_failure("housing", f, p, cost, lang))
                continue
            table = self._failures[c]
            if table is None:
                variant = self._failure_variants[c]
                table = self._failures[c] = self._explainer.table("must", c, lang, variant)
            text = table.get(v)
            if text is None:
                text = table[v] = _failure(CRITERION_CODES[c], f, p, cost, lang)
            reasons.append(text)
        return tuple(reasons)


#: Criterion ``c`` is bit ``c`` of a village's mask of failed criteria.
CRITERION_BITS = 1 << np.arange(len(CRITERION_CODES))


@functools.cache
def criteria_in(mask: int) -> tuple[int, ...]:
    """The criteria whose bits are set in ``mask``, in ``CRITERION_CODES`` order (at most
    2 ** 11 masks)."""
    return tuple(c for c in range(len(CRITERION_CODES)) if mask >> c & 1)


def _too_far(value: float, most: float, what: str, lang: Lang) -> str:
    return say(lang, "too_far", what=what, minutes=minutes(value, lang), most=minutes(most, lang))


def _failure(code: str, f: Facts, p: Prospect, cost: float, lang: Lang) -> str:
    t = TEXT[lang]
    if code == "connectivity":
        need = int(p["connectivity_level"])
        use = list(CONNECTIVITY.values())[need][0 if lang == "fr" else 1].lower()
        return say(
            lang,
            "weak_connection",
            use=use,
            share=percent(f["ftth_share"], lang),
            year=str(f["ftth_vintage"]).split()[-1],
            ops=int(f["operators_4g"]),
            s=plural(f["operators_4g"], lang),
            wanted=int(OPERATORS_NEEDED[need]),
        )
    if code == "housing":
        bedrooms = int(max(p["bedrooms_needed"], 1))
        # The cost is rounded up, as suggested budgets are, and the shortfall is what brings
        # the budget to it: never 0, always enough, and consistent with the suggestions.
        needed = round_up(cost, PRICE_STEP[p["buy"] > 0])
        return say(
            lang,
            "no_house" if p["buy"] > 0 else "no_rent",
            bedrooms=bedrooms,
            s=plural(bedrooms, lang),
            cost=euros(needed, lang),
            short=euros(needed - p["budget_eur"], lang),
        )
    if code == "schools":
        return "; ".join(
            _too_far(f[f"minutes_to_{service}"], most, t[service], lang)
            for level, (service, _, _, most) in SCHOOL_MINUTES.items()
            if p[f"n_{level}"] > 0 and f[f"minutes_to_{service}"] > most
        )
    if code == "childcare":
        return _too_far(f["minutes_to_childcare"], CHILDCARE_MINUTES[2], t["childcare"], lang)
    if code == "health":
        return _too_far(f["minutes_to_doctor"], MUST_DOCTOR_MINUTES, t["doctor"], lang)
    if code == "shops":
        return _too_far(f["minutes_to_grocery"], MUST_GROCERY_MINUTES, t["grocery"], lang)
    if code == "access_auch":
        limit = p["max_minutes_to_auch"]
        return say(
            lang,
            "auch_too_far",
            minutes=minutes(f["minutes_to_auch"], lang),
            most=minutes(limit, lang),
        )
    if code == "access_toulouse":
        if p["needs_train_station"] > 0:
            station = t["station"].format(station=f["nearest_station"])
            return _too_far(f["minutes_to_station"], MUST_STATION_MINUTES, station, lang)
        return _too_far(f["minutes_to_toulouse"], MUST_TOULOUSE_MINUTES, "Toulouse", lang)
    if code == "settlement":
        key = "village_asked" if p["wants_village"] > 0 else "town_asked"
        return say(lang, key, text=_settlement(f, lang))
    if code == "ecosystem":
        return say(lang, "no_ecosystem", text=_ecosystem(f, p, lang))
    if code == "community":
        return _community(f, lang)
    raise KeyError(code)


def round_up(value: float, step: float) -> float:
    return math.ceil(value / step) * step
