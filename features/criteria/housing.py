"""Housing: the budget against the estimated price or rent of a home with the bedrooms needed,
and the homes on offer that fit."""

from collections.abc import Mapping
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from features.criteria.base import Columns, Criterion, Evaluation, Facts, Inputs, Villages, Widening
from features.homes import Homes
from features.i18n import Lang, euros, euros_and_cents, number, per_m2, plural_s
from features.numeric import bounded, round_up
from geodata.schema import SOURCES

# Housing: surface of a home with b bedrooms.
SURFACE_BASE_M2 = 40.0
SURFACE_PER_BEDROOM_M2 = 20.0  # 3 bedrooms -> 100 m², the median house sold in the Gers EPCIs
#: Homes of this many bedrooms or fewer are rented as flats (ANIL's flat rent per m²), larger
#: ones as houses.
FLAT_BEDROOMS = 1
#: A commune's own house price rests on few sales below this many: reasons say so.
FEW_SALES = 10
# A budget under 70 % of the estimated price scores 0; from 130 % it scores 1.
AFFORDABILITY_RANGE = (0.7, 1.3)
# Without a housing project, cheaper is better: from 1,000 €/m² (1) to 2,500 €/m² (0), the
# range of the Gers medians, fixed so that a village's value does not depend on the others.
PRICE_RANGE_M2 = (1000.0, 2500.0)
# 15 % of dwellings vacant: a real stock of homes to find, worth half of a listing that fits.
VACANCY_STOCK = 0.15
#: Euros estimated prices and budgets are rounded to: a price to buy, a monthly rent.
PRICE_STEP = {True: 1000.0, False: 10.0}


def surface_m2(bedrooms: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """The surface of a home with ``bedrooms`` (at least one)."""
    return SURFACE_BASE_M2 + SURFACE_PER_BEDROOM_M2 * np.maximum(bedrooms, 1.0)


def estimated_housing_cost(
    v: Columns, bedrooms: NDArray[np.float64], buy: NDArray[np.float64]
) -> NDArray[np.float64]:
    """(P, V) price of a house with ``bedrooms`` (P, 1) at each village's price per m², or its
    monthly rent at its rent per m² (ANIL) for a flat or a house by size."""
    surface = surface_m2(bedrooms)
    rent_m2 = np.where(bedrooms <= FLAT_BEDROOMS, v["rent_m2_flat"], v["rent_m2_house"])
    return np.where(buy > 0, v["house_price_m2"] * surface, rent_m2 * surface)


def estimate(value: float, buy: bool) -> float:
    """Round an estimated price to 1,000 € (a monthly rent to 10 €): no false precision."""
    return round(value / PRICE_STEP[buy]) * PRICE_STEP[buy]


def homes_matching(p: Columns, homes: Homes, n_villages: int) -> NDArray[np.float64]:
    """(P, V) number of listings in the prospect's tenure, budget and bedrooms."""
    n = len(p["budget_eur"])
    if len(homes.village) == 0:
        return np.zeros((n, n_villages))
    fits = (
        (p["has_housing"][:, None] > 0)
        & homes.fits(p["buy"], p["bedrooms_needed"])
        & (homes.price_eur[None, :] <= p["budget_eur"][:, None])
    )
    one_hot = np.zeros((len(homes.village), n_villages))
    one_hot[np.arange(len(homes.village)), homes.village] = 1.0
    return fits.astype(np.float64) @ one_hot


class Housing(Criterion):
    code = "housing"
    texts: ClassVar = {
        "fr": {
            "label": "Logement",
            "must": "un logement disponible dans le budget, ou un budget qui couvre le prix estimé",
            "homes_on_offer": "{n} logement{s} disponible{s} dans votre budget",
            "house_prices": "Maisons : {price} en médiane ({vintage}, {basis})",
            "house_cost": "Maison de {bedrooms} chambre{s} estimée à {cost} ({price} ; {vintage}, "
            "{basis})",
            "rent_cost": "Loyer estimé à {cost} par mois pour {bedrooms} chambre{s} ({home} de "
            "{surface} m² à {rent}/m², {source}{level})",
            "sales": "{n} ventes dans la commune",
            "few_sales": "peu de ventes dans la commune ({n}) : prix rapproché de celui de "
            "l'intercommunalité",
            "no_sales": "aucune vente dans la commune : prix de l'intercommunalité",
            "house": "maison",
            "flat": "appartement",
            "rent_epci": ", valeur de l'intercommunalité",
            "rent_neighbours": ", valeur des communes voisines",
            "no_house": "Aucun logement dans le budget : maison de {bedrooms} chambre{s} estimée "
            "à {cost}, il manque {short}",
            "no_rent": "Aucun logement dans le budget : loyer estimé à {cost} par mois, "
            "il manque {short}",
            "widen_buy": "Avec un budget de {to}",
            "widen_rent": "Avec un loyer jusqu'à {to} par mois",
        },
        "en": {
            "label": "Housing",
            "must": "a home on offer within budget, or a budget that covers the estimated price",
            "homes_on_offer": "{n} home{s} on offer within your budget",
            "house_prices": "Houses: {price} median ({vintage}, {basis})",
            "house_cost": "A {bedrooms}-bedroom house estimated at {cost} ({price}; {vintage}, "
            "{basis})",
            "rent_cost": "Rent estimated at {cost} a month for {bedrooms} bedroom{s} (a {home} of "
            "{surface} m² at {rent}/m², {source}{level})",
            "sales": "{n} sales in the commune",
            "few_sales": "few sales in the commune ({n}): price drawn toward the "
            "intercommunality's",
            "no_sales": "no sale in the commune: the intercommunality's price",
            "house": "house",
            "flat": "flat",
            "rent_epci": ", the intercommunality's value",
            "rent_neighbours": ", the neighbouring communes' value",
            "no_house": "No home within budget: a {bedrooms}-bedroom house is estimated at "
            "{cost}, {short} short",
            "no_rent": "No home within budget: rent estimated at {cost} a month, {short} short",
            "widen_buy": "With a budget of {to}",
            "widen_rent": "With a rent up to {to} a month",
        },
    }
    importance_inputs = ("has_housing",)
    value_inputs = ("has_housing", "buy", "budget_eur", "bedrooms_needed")
    by_case = False  # the budget is any amount
    village_columns = (
        "house_price_m2",
        "house_price_sales",
        "rent_m2_house",
        "rent_m2_flat",
        "vacancy_share",
        "homes_listed",
    )
    sentence_inputs = ("has_housing", "buy", "bedrooms_needed")
    sentence_details = ("homes_matching", "housing_cost")
    failure_inputs = ("buy", "bedrooms_needed", "budget_eur")
    failure_details = ("housing_cost",)
    fact_inputs = ("has_housing", "buy")
    fact_details = ("homes_matching", "housing_cost")
    widens = "housing.budget_eur"

    def importance(self, p: Columns) -> NDArray[np.float64]:
        return 0.5 + 0.5 * (p["has_housing"] > 0).astype(np.float64)

    def village_features(self, v: Columns) -> dict[str, NDArray[np.float64]]:
        cheap, dear = PRICE_RANGE_M2
        return {
            # The value of the vacant stock, up to 0.5; the value without a housing project.
            "vacant_stock": 0.5 * np.clip(v["vacancy_share"] / VACANCY_STOCK, 0.0, 1.0),
            "price_value": np.clip((dear - v["house_price_m2"]) / (dear - cheap), 0.0, 1.0),
        }

    def evaluate(self, p: Columns, villages: Villages) -> Evaluation:
        v = villages.columns
        buy, budget = p["buy"][:, None], p["budget_eur"][:, None]
        cost = estimated_housing_cost(v, p["bedrooms_needed"][:, None], buy)
        matching = homes_matching(p, villages.homes, villages.n)
        with_project, within_reach = self._with_project(villages, budget, cost, matching)
        has_housing = p["has_housing"][:, None] > 0
        return Evaluation(
            np.where(has_housing, with_project, v["price_value"]),
            ~has_housing | within_reach,
            {"homes_matching": matching, "housing_cost": cost},
        )

    @staticmethod
    def _with_project(
        villages: Villages,
        budget: NDArray[np.float64],
        cost: NDArray[np.float64],
        matching: NDArray[np.float64],
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """(P, V) value and feasibility for prospects with a housing project."""
        low, high = AFFORDABILITY_RANGE
        afford = bounded((budget / cost - low) / (high - low))
        vacant_stock = villages.columns["vacant_stock"]
        if not len(villages.homes.village):  # no listing anywhere: the same, in fewer steps
            return 0.7 * afford + 0.3 * vacant_stock, budget >= cost
        # Homes to be found: the vacant stock, or listings that fit, whichever says more; a
        # listing that does not fit never makes a village worse.
        on_offer = np.maximum(vacant_stock, 1.0 - np.exp(-matching / 2.0))
        base = 0.7 * afford + 0.3 * on_offer
        return np.where(matching > 0, np.maximum(base, 0.85), base), (matching > 0) | (
            budget >= cost
        )

    def reason(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        matching = details["homes_matching"]
        if matching > 0:
            return self.say(lang, "homes_on_offer", n=int(matching), s=plural_s(matching, lang))
        price = per_m2(village["house_price_m2"], lang)
        vintage = str(village["price_vintage"])
        if p["has_housing"] == 0:
            return self.say(
                lang, "house_prices", price=price, vintage=vintage, basis=self._basis(village, lang)
            )
        bedrooms = int(max(p["bedrooms_needed"], 1))
        cost = euros(estimate(details["housing_cost"], p["buy"] > 0), lang)
        if p["buy"] > 0:
            return self.say(
                lang,
                "house_cost",
                bedrooms=bedrooms,
                s=plural_s(bedrooms, lang),
                cost=cost,
                price=price,
                vintage=vintage,
                basis=self._basis(village, lang),
            )
        return self._rent(village, bedrooms, cost, lang)

    def _basis(self, village: Facts, lang: Lang) -> str:
        """What a price rests on: the commune's sales, or few, or none."""
        sales = int(village["house_price_sales"])
        key = "sales" if sales >= FEW_SALES else "few_sales" if sales else "no_sales"
        return self.say(lang, key, n=sales)

    def _rent(self, village: Facts, bedrooms: int, cost: str, lang: Lang) -> str:
        flat = bedrooms <= FLAT_BEDROOMS
        level = village["rent_level"]
        return self.say(
            lang,
            "rent_cost",
            bedrooms=bedrooms,
            s=plural_s(bedrooms, lang),
            cost=cost,
            home=self.say(lang, "flat" if flat else "house"),
            surface=number(float(surface_m2(bedrooms)), lang),
            rent=euros_and_cents(village["rent_m2_flat" if flat else "rent_m2_house"], lang),
            source=f"ANIL {SOURCES['rents'].vintage}",
            level="" if level == "commune" else self.say(lang, f"rent_{level}"),
        )

    def failure(self, village: Facts, p: Inputs, details: Inputs, lang: Lang) -> str:
        bedrooms = int(max(p["bedrooms_needed"], 1))
        # The cost is rounded up, as suggested budgets are, and the shortfall is what brings
        # the budget to it: never 0, always enough, and consistent with the suggestions.
        needed = round_up(details["housing_cost"], PRICE_STEP[p["buy"] > 0])
        return self.say(
            lang,
            "no_house" if p["buy"] > 0 else "no_rent",
            bedrooms=bedrooms,
            s=plural_s(bedrooms, lang),
            cost=euros(needed, lang),
            short=euros(needed - p["budget_eur"], lang),
        )

    def village_facts(self, village: Facts) -> dict[str, object]:
        return {
            "house_price_m2": village["house_price_m2"],
            "house_price_sales": int(village["house_price_sales"]),
            "homes_available": int(village["homes_listed"]),
        }

    def pair_facts(self, p: Inputs, details: Inputs) -> dict[str, object]:
        facts: dict[str, object] = {"homes_matching": int(details["homes_matching"])}
        if p["has_housing"] > 0:
            cost = estimate(details["housing_cost"], p["buy"] > 0)
            facts["estimated_housing_cost_eur"] = cost
        return facts

    def widening(
        self,
        alone: list[int],
        p: Inputs,
        details: Mapping[str, NDArray[np.float64]],
        villages: Villages,
    ) -> Widening:
        needed = self._budget_needed(details["housing_cost"], p, villages.homes).tolist()
        to = round_up(min(needed[v] for v in alone), PRICE_STEP[p["buy"] > 0])
        return Widening(self.widens or "", to, [v for v in alone if needed[v] <= to])

    @staticmethod
    def _budget_needed(cost: NDArray[np.float64], p: Inputs, homes: Homes) -> NDArray[np.float64]:
        """Per village, the budget that meets the housing ``must``: the estimated cost, or the
        cheapest listing in the prospect's tenure and bedrooms if that is lower."""
        if not len(homes.village):
            return cost
        needed = np.array(cost, dtype=np.float64)
        fits = homes.fits(np.array([p["buy"]]), np.array([p["bedrooms_needed"]]))[0]
        if fits.any():
            cheapest = np.full(len(needed), np.inf)
            np.minimum.at(cheapest, homes.village[fits], homes.price_eur[fits])
            needed = np.minimum(needed, cheapest)
        return needed
