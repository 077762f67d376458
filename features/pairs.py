"""Criterion values for every (prospect, village) pair at once, vectorised over both.

Each criterion gives a value in [0, 1] (1 = ideal for this prospect) and a feasibility: whether
the village meets the criterion's hard threshold, used when the prospect lists it in ``must``.
The thresholds are defined in ``features.vocab``, whose ``CRITERIA`` state them to users.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from features._base import closeness
from features.village import Homes
from features.vocab import (
    CHILDCARE_MINUTES,
    CRITERION_CODES,
    MOBILE_CEILING,
    MUST_DOCTOR_MINUTES,
    MUST_GROCERY_MINUTES,
    MUST_STATION_MINUTES,
    MUST_TOULOUSE_MINUTES,
    MUST_VALUE,
    OPERATORS_NEEDED,
    SCHOOL_MINUTES,
    SMALL_TOWN,
)

Arrays = Mapping[str, NDArray[np.float64]]

# Housing: surface of a home with b bedrooms, and the gross yield that turns a price into rent.
SURFACE_BASE_M2 = 40.0
SURFACE_PER_BEDROOM_M2 = 20.0  # 3 bedrooms -> 100 m², the median house sold in the Gers EPCIs
GROSS_RENTAL_YIELD = 0.055  # yearly rent / price; an assumption, flagged as an estimate
# A budget under 70 % of the estimated price scores 0; from 130 % it scores 1.
AFFORDABILITY_RANGE = (0.7, 1.3)
# Without a housing project, cheaper is better: from 1,000 €/m² (1) to 2,500 €/m² (0), the
# range of the Gers medians, fixed so that a village's value does not depend on the others.
PRICE_RANGE_M2 = (1000.0, 2500.0)
# 15 % of dwellings vacant: a real stock of homes to find, worth half of a listing that fits.
VACANCY_STOCK = 0.15


@dataclass(frozen=True)
class PairValues:
    """Criterion values of P prospects against V villages."""

    values: NDArray[np.float64]  # (P, V, C), in [0, 1]
    feasible: NDArray[np.bool_]  # (P, V, C): meets the criterion's ``must`` threshold
    importance: NDArray[np.float64]  # (P, C), from the prospect vectorizer
    must: NDArray[np.bool_]  # (P, C): criteria the prospect made hard constraints
    homes_matching: NDArray[np.float64]  # (P, V): listings in tenure, budget and bedrooms
    housing_cost: NDArray[np.float64]  # (P, V): estimated price (buy) or monthly rent (rent)
    eligible: NDArray[np.bool_]  # (P, V): the village meets every ``must`` of the prospect


def estimated_housing_cost(
    price_m2: NDArray[np.float64], bedrooms: NDArray[np.float64], buy: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Price of a house with ``bedrooms`` at ``price_m2``, or its monthly rent (broadcasts)."""
    price = price_m2 * (SURFACE_BASE_M2 + SURFACE_PER_BEDROOM_M2 * np.maximum(bedrooms, 1.0))
    return np.where(buy > 0, price, price * GROSS_RENTAL_YIELD / 12.0)


def homes_matching(prospects: Arrays, homes: Homes, n_villages: int) -> NDArray[np.float64]:
    """(P, V) number of listings in the prospect's tenure, budget and bedrooms."""
    n = len(prospects["budget_eur"])
    if len(homes.village) == 0:
        return np.zeros((n, n_villages))
    fits = (
        (prospects["has_housing"][:, None] > 0)
        & homes.fits(prospects["buy"], prospects["bedrooms_needed"])
        & (homes.price_eur[None, :] <= prospects["budget_eur"][:, None])
    )
    one_hot = np.zeros((len(homes.village), n_villages))
    one_hot[np.arange(len(homes.village)), homes.village] = 1.0
    return fits.astype(np.float64) @ one_hot


def pair_values(prospects: Arrays, villages: Arrays, homes: Homes | None = None) -> PairValues:
    """Criterion values and feasibility for every prospect against every village.

    Parameters
    ----------
    prospects
        Columns of ``ProspectVectorizer``'s output, each of shape (P,).
    villages
        Columns of ``VillageVectorizer``'s output, each of shape (V,).
    homes
        Listings on offer in those villages.
    """
    p = {k: np.asarray(v, dtype=np.float64)[:, None] for k, v in prospects.items()}
    v = {k: np.asarray(x, dtype=np.float64)[None, :] for k, x in villages.items()}
    n_p, n_v = len(prospects["remote_days"]), len(villages["population"])
    shape = (n_p, n_v)
    values: dict[str, NDArray[np.float64]] = {}
    feasible: dict[str, NDArray[np.bool_]] = {}

    need = p["connectivity_level"].astype(np.intp)
    needed, ceiling = np.asarray(OPERATORS_NEEDED, float)[need], np.asarray(MOBILE_CEILING)[need]
    mobile = np.minimum(1.0, v["operators_4g"] / needed) * ceiling
    values["connectivity"] = np.maximum(v["ftth_share"], mobile)
    feasible["connectivity"] = values["connectivity"] >= MUST_VALUE

    cost = estimated_housing_cost(v["house_price_m2"], p["bedrooms_needed"], p["buy"])
    matching = homes_matching(prospects, homes or Homes.empty(), n_v)
    low, high = AFFORDABILITY_RANGE
    afford = np.clip((p["budget_eur"] / cost - low) / (high - low), 0.0, 1.0)
    # Homes to be found: the vacant stock, or listings that fit, whichever says more; a listing
    # that does not fit never makes a village worse.
    stock = 0.5 * np.clip(v["vacancy_share"] / VACANCY_STOCK, 0.0, 1.0)
    on_offer = np.maximum(stock, 1.0 - np.exp(-matching / 2.0))
    base = 0.7 * afford + 0.3 * on_offer
    with_project = np.where(matching > 0, np.maximum(base, 0.85), base)
    cheap, dear = PRICE_RANGE_M2
    without_project = np.clip((dear - v["house_price_m2"]) / (dear - cheap), 0.0, 1.0)
    values["housing"] = np.where(p["has_housing"] > 0, with_project, without_project)
    feasible["housing"] = (p["has_housing"] == 0) | (matching > 0) | (p["budget_eur"] >= cost)

    total = np.zeros(shape)
    ok = np.ones(shape, dtype=bool)
    children = np.zeros((n_p, 1))
    for level, (service, good, bad, most) in SCHOOL_MINUTES.items():
        count, minutes = p[f"n_{level}"], v[f"minutes_to_{service}"]
        total = total + count * closeness(minutes, good, bad)
        ok = ok & ((count == 0) | (minutes <= most))
        children = children + count
    values["schools"] = np.divide(total, children, out=np.ones(shape), where=children > 0)
    feasible["schools"] = ok

    good, bad, most = CHILDCARE_MINUTES
    values["childcare"] = closeness(v["minutes_to_childcare"], good, bad)
    feasible["childcare"] = (p["n_creche"] == 0) | (v["minutes_to_childcare"] <= most)

    values["health"] = v["health_access"]
    feasible["health"] = v["minutes_to_doctor"] <= MUST_DOCTOR_MINUTES
    values["shops"] = v["shops_access"]
    feasible["shops"] = v["minutes_to_grocery"] <= MUST_GROCERY_MINUTES

    limit = p["max_minutes_to_auch"]
    values["access_auch"] = np.clip(
        (limit + 10.0 - v["minutes_to_auch"]) / (limit / 2.0 + 10.0), 0.0, 1.0
    )
    feasible["access_auch"] = v["minutes_to_auch"] <= limit

    train = p["needs_train_station"] > 0
    values["access_toulouse"] = np.where(
        train,
        0.3 * v["toulouse_access"] + 0.6 * v["station_access"] + 0.1 * v["airport_access"],
        0.5 * v["toulouse_access"] + 0.3 * v["station_access"] + 0.2 * v["airport_access"],
    )
    feasible["access_toulouse"] = np.where(
        train,
        v["minutes_to_station"] <= MUST_STATION_MINUTES,
        v["minutes_to_toulouse"] <= MUST_TOULOUSE_MINUTES,
    )

    pop = v["population"]
    village_fit = np.clip((2 * SMALL_TOWN - pop) / SMALL_TOWN, 0.0, 1.0)  # 1 up to 2,000
    town_fit = np.clip((pop - SMALL_TOWN / 4) / (SMALL_TOWN * 3 / 4), 0.0, 1.0)  # 1 from 2,000
    values["settlement"] = np.where(
        p["wants_village"] > 0, village_fit, np.where(p["wants_small_town"] > 0, town_fit, 1.0)
    )
    feasible["settlement"] = np.where(
        p["wants_village"] > 0,
        pop < SMALL_TOWN,
        np.where(p["wants_small_town"] > 0, pop >= SMALL_TOWN, True),
    )

    # A place to work among peers, or, for trades and practices living on local clients, a local
    # market: either will do, as the must says.
    local = p["prof_local_clients"] * v["local_market"]
    values["ecosystem"] = np.maximum(v["tiers_lieu_access"], local)
    feasible["ecosystem"] = values["ecosystem"] >= MUST_VALUE

    values["community"] = v["community_base"]
    feasible["community"] = v["partner"] > 0

    # Each criterion's array broadcasts into its slice: (P, 1), (1, V) or (P, V).
    all_values = np.empty((n_p, n_v, len(CRITERION_CODES)))
    all_feasible = np.empty((n_p, n_v, len(CRITERION_CODES)), dtype=bool)
    for i, code in enumerate(CRITERION_CODES):
        all_values[:, :, i] = values[code]
        all_feasible[:, :, i] = feasible[code]
    must = np.column_stack([prospects[f"must_{c}"] > 0 for c in CRITERION_CODES])
    return PairValues(
        values=all_values,
        feasible=all_feasible,
        importance=np.column_stack([prospects[f"importance_{c}"] for c in CRITERION_CODES]),
        must=must,
        homes_matching=matching,
        housing_cost=cost,
        eligible=~np.any(must[:, None, :] & ~all_feasible, axis=2),
    )
