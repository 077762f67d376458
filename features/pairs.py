"""Criterion values for every (prospect, village) pair at once, vectorised over both.

Each criterion gives a value in [0, 1] (1 = ideal for this prospect) and a feasibility: whether
the village meets the criterion's hard threshold, used when the prospect lists it in ``must``.
The thresholds are defined in ``features.vocab``, whose ``CRITERIA`` state them to users.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from features.columns import Homes
from features.numeric import bounded, closeness, stacked
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


CRITERION_INDEX = {c: i for i, c in enumerate(CRITERION_CODES)}
#: Criteria whose value and feasibility depend on the village alone.
VILLAGE_ONLY = ("health", "shops", "community")
#: Variants of the settlement wish, in the order of ``settlement_variant``.
SETTLEMENTS = ("any", "village", "small_town")


@dataclass(frozen=True)
class VillageCriteria:
    """What ``pair_values`` needs of V villages, computed once for any number of prospects.

    A criterion that depends on the prospect only through a few cases (the connectivity
    need, the settlement wished for, whether a train station is needed) is tabulated for
    each case; the rest keeps the village columns its formula reads. Ranking one prospect
    then costs a few dozen array operations, whatever the number of villages.
    """

    n: int
    base_values: NDArray[np.float64]  # (V, C): VILLAGE_ONLY criteria set, the others 0
    base_feasible: NDArray[np.bool_]  # (V, C)
    connectivity: NDArray[np.float64]  # (3, V), by connectivity level
    school_closeness: NDArray[np.float64]  # (3, V), by school level of SCHOOL_MINUTES
    school_too_far: NDArray[np.float64]  # (3, V): 1 beyond the level's must
    childcare: NDArray[np.float64]  # (V,)
    childcare_near: NDArray[np.bool_]  # (V,)
    toulouse: NDArray[np.float64]  # (2, V): without, with a train station needed
    toulouse_near: NDArray[np.bool_]  # (2, V)
    settlement: NDArray[np.float64]  # (3, V), by SETTLEMENTS
    settlement_fits: NDArray[np.bool_]  # (3, V)
    tiers_lieu: NDArray[np.float64]  # (V,)
    local_market: NDArray[np.float64]  # (V,)
    house_price_m2: NDArray[np.float64]  # (V,)
    vacant_stock: NDArray[np.float64]  # (V,): the value of the vacant stock, up to 0.5
    price_value: NDArray[np.float64]  # (V,): housing value without a housing project
    minutes_to_auch: NDArray[np.float64]  # (V,)
    homes: Homes
    # (V, C) values and feasibility of one prospect's discrete case, made on first use (see
    # ``one_prospect_case``).
    _cases: dict[
        tuple[int, int, int, float, bool, bool], tuple[NDArray[np.float64], NDArray[np.bool_]]
    ] = field(default_factory=dict, init=False, repr=False, compare=False)
    # (V,) schools value and feasibility by children per school level (``one_prospect_schools``).
    _schools: dict[tuple[float, float, float], tuple[NDArray[np.float64], NDArray[np.bool_]]] = (
        field(default_factory=dict, init=False, repr=False, compare=False)
    )

    @classmethod
    def from_columns(cls, v: Arrays, homes: Homes | None = None) -> "VillageCriteria":
        """From the columns of ``VillageVectorizer``'s output, each of shape (V,)."""
        v = {k: np.asarray(x, dtype=np.float64) for k, x in v.items()}
        n = len(v["population"])
        index = CRITERION_INDEX
        base_values = np.zeros((n, len(CRITERION_CODES)))
        base_feasible = np.ones((n, len(CRITERION_CODES)), dtype=bool)
        base_values[:, index["health"]] = v["health_access"]
        base_feasible[:, index["health"]] = v["minutes_to_doctor"] <= MUST_DOCTOR_MINUTES
        base_values[:, index["shops"]] = v["shops_access"]
        base_feasible[:, index["shops"]] = v["minutes_to_grocery"] <= MUST_GROCERY_MINUTES
        base_values[:, index["community"]] = v["community_base"]
        base_feasible[:, index["community"]] = v["partner"] > 0

        needed = np.asarray(OPERATORS_NEEDED, float)[:, None]
        mobile = np.minimum(1.0, v["operators_4g"][None, :] / needed)
        connectivity = np.maximum(
            v["ftth_share"][None, :], mobile * np.asarray(MOBILE_CEILING)[:, None]
        )
        schools = [
            (v[f"minutes_to_{name}"], good, bad, most)
            for name, good, bad, most in SCHOOL_MINUTES.values()
        ]
        good, bad, most = CHILDCARE_MINUTES
        access = [v[f"{place}_access"] for place in ("toulouse", "station", "airport")]
        pop = v["population"]
        cheap, dear = PRICE_RANGE_M2
        return cls(
            n=n,
            base_values=base_values,
            base_feasible=base_feasible,
            connectivity=connectivity,
            school_closeness=np.array([closeness(m, g, b) for m, g, b, _ in schools]),
            school_too_far=np.array([m > limit for m, _, _, limit in schools], dtype=np.float64),
            childcare=closeness(v["minutes_to_childcare"], good, bad),
            childcare_near=v["minutes_to_childcare"] <= most,
            toulouse=np.array(
                [
                    0.5 * access[0] + 0.3 * access[1] + 0.2 * access[2],
                    0.3 * access[0] + 0.6 * access[1] + 0.1 * access[2],
                ]
            ),
            toulouse_near=np.array(
                [
                    v["minutes_to_toulouse"] <= MUST_TOULOUSE_MINUTES,
                    v["minutes_to_station"] <= MUST_STATION_MINUTES,
                ]
            ),
            settlement=np.array(
                [
                    np.ones(n),
                    np.clip((2 * SMALL_TOWN - pop) / SMALL_TOWN, 0.0, 1.0),  # 1 up to 2,000
                    np.clip((pop - SMALL_TOWN / 4) / (SMALL_TOWN * 3 / 4), 0.0, 1.0),  # from 2,000
                ]
            ),
            settlement_fits=np.array([np.ones(n, dtype=bool), pop < SMALL_TOWN, pop >= SMALL_TOWN]),
            tiers_lieu=v["tiers_lieu_access"],
            local_market=v["local_market"],
            house_price_m2=v["house_price_m2"],
            vacant_stock=0.5 * np.clip(v["vacancy_share"] / VACANCY_STOCK, 0.0, 1.0),
            price_value=np.clip((dear - v["house_price_m2"]) / (dear - cheap), 0.0, 1.0),
            minutes_to_auch=v["minutes_to_auch"],
            homes=homes or Homes.empty(),
        )


def housing_with_project(
    vc: "VillageCriteria",
    budget: "float | NDArray[np.float64]",
    cost: NDArray[np.float64],
    matching: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(P, V) housing value and feasibility for prospects with a housing project: their
    ``budget`` (one, or (P, 1)) against each village's estimated ``cost`` and the listings
    ``matching`` them. The batch and the one-prospect path both call it, so that they make
    the same operations and get the same bits."""
    low, high = AFFORDABILITY_RANGE
    afford = bounded((budget / cost - low) / (high - low))
    # Homes to be found: the vacant stock, or listings that fit, whichever says more; a listing
    # that does not fit never makes a village worse.
    if len(vc.homes.village):
        on_offer = np.maximum(vc.vacant_stock, 1.0 - np.exp(-matching / 2.0))
        base = 0.7 * afford + 0.3 * on_offer
        return np.where(matching > 0, np.maximum(base, 0.85), base), (matching > 0) | (
            budget >= cost
        )
    # No listing anywhere: the same formula with no match, in fewer steps.
    return 0.7 * afford + 0.3 * vc.vacant_stock, budget >= cost


def settlement_variant(prospects: Arrays) -> NDArray[np.intp]:
    """Each prospect's row of ``VillageCriteria.settlement`` (a village wins over a town)."""
    village = prospects["wants_village"] > 0
    town = prospects["wants_small_town"] > 0
    return (village | 2 * (town & ~village)).astype(np.intp)


def pair_values(
    prospects: Arrays, villages: "VillageCriteria | Arrays", homes: Homes | None = None
) -> PairValues:
    """Criterion values and feasibility for every prospect against every village.

    Parameters
    ----------
    prospects
        Columns of ``ProspectVectorizer``'s output, each of shape (P,).
    villages
        ``VillageCriteria``, or the columns of ``VillageVectorizer``'s output (each (V,)),
        from which they are made.
    homes
        Listings on offer in those villages, when ``villages`` are columns.
    """
    vc = (
        villages
        if isinstance(villages, VillageCriteria)
        else VillageCriteria.from_columns(villages, homes)
    )
    if len(prospects["remote_days"]) == 1:
        return one_pair_values({name: float(column[0]) for name, column in prospects.items()}, vc)
    return batch_pair_values(prospects, vc)


def batch_pair_values(prospects: Arrays, vc: VillageCriteria) -> PairValues:
    """``pair_values`` of any number of prospects, every criterion an operation over (P, V)."""
    n_p, n_v = len(prospects["remote_days"]), vc.n
    column = CRITERION_INDEX
    values = np.empty((n_p, n_v, len(CRITERION_CODES)))
    values[:] = vc.base_values
    feasible = np.empty((n_p, n_v, len(CRITERION_CODES)), dtype=bool)
    feasible[:] = vc.base_feasible

    def p(name: str) -> NDArray[np.float64]:
        return prospects[name][:, None]  # against every village

    connectivity = vc.connectivity[prospects["connectivity_level"].astype(np.intp)]
    values[:, :, column["connectivity"]] = connectivity
    feasible[:, :, column["connectivity"]] = connectivity >= MUST_VALUE

    buy, budget = p("buy"), p("budget_eur")
    cost = estimated_housing_cost(vc.house_price_m2[None, :], p("bedrooms_needed"), buy)
    matching = homes_matching(prospects, vc.homes, n_v)
    with_project, within_reach = housing_with_project(vc, budget, cost, matching)
    has_housing = p("has_housing") > 0
    values[:, :, column["housing"]] = np.where(has_housing, with_project, vc.price_value)
    feasible[:, :, column["housing"]] = ~has_housing | within_reach

    counts = stacked([prospects[f"n_{level}"] for level in SCHOOL_MINUTES])
    children = counts.sum(axis=1, keepdims=True)
    # Level by level, not a matrix product: BLAS may sum a row of a many-row product in
    # another order than the same row alone, and one prospect must get the batch's bits.
    ecole, college, lycee = vc.school_closeness
    total = p("n_ecole") * ecole + p("n_college") * college + p("n_lycee") * lycee
    values[:, :, column["schools"]] = np.divide(
        total, children, out=np.ones_like(total), where=children > 0
    )
    feasible[:, :, column["schools"]] = ((counts > 0) @ vc.school_too_far) == 0

    values[:, :, column["childcare"]] = vc.childcare
    feasible[:, :, column["childcare"]] = (p("n_creche") == 0) | vc.childcare_near

    limit = p("max_minutes_to_auch")
    values[:, :, column["access_auch"]] = bounded(
        (limit + 10.0 - vc.minutes_to_auch) / (limit / 2.0 + 10.0)
    )
    feasible[:, :, column["access_auch"]] = vc.minutes_to_auch <= limit

    train = (prospects["needs_train_station"] > 0).astype(np.intp)
    values[:, :, column["access_toulouse"]] = vc.toulouse[train]
    feasible[:, :, column["access_toulouse"]] = vc.toulouse_near[train]

    wish = settlement_variant(prospects)
    values[:, :, column["settlement"]] = vc.settlement[wish]
    feasible[:, :, column["settlement"]] = vc.settlement_fits[wish]

    # A place to work among peers, or, for trades and practices living on local clients, a local
    # market: either will do, as the must says.
    ecosystem = np.maximum(vc.tiers_lieu, p("prof_local_clients") * vc.local_market)
    values[:, :, column["ecosystem"]] = ecosystem
    feasible[:, :, column["ecosystem"]] = ecosystem >= MUST_VALUE

    must = stacked([prospects[f"must_{c}"] for c in CRITERION_CODES]) > 0
    return PairValues(
        values=values,
        feasible=feasible,
        importance=stacked([prospects[f"importance_{c}"] for c in CRITERION_CODES]),
        must=must,
        homes_matching=matching,
        housing_cost=cost,
        eligible=np.asarray((feasible | ~must[:, None, :]).all(axis=2)),
    )


#: Cases above this many are not kept: prospect tables can hold any number in their columns.
MAX_CASES = 256
#: A prospect's importance and must columns, in ``CRITERION_CODES`` order.
_MUSTS = tuple(f"must_{c}" for c in CRITERION_CODES)
_IMPORTANCE_AND_MUST = (*(f"importance_{c}" for c in CRITERION_CODES), *_MUSTS)


def one_prospect_case(
    vc: VillageCriteria, key: tuple[int, int, int, float, bool, bool]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(V, C) values and feasibility of every criterion that depends on the prospect only
    through ``key`` (connectivity level, train station needed, settlement variant, local
    clients, children in a crèche, housing project), the others filled as for no child and
    no housing project. Few prospects differ in these: a ranking copies its case and
    computes the rest."""
    cached = vc._cases.get(key)
    if cached is not None:
        return cached
    level, train, wish, local_clients, creche, housing = key
    column = CRITERION_INDEX
    values, feasible = vc.base_values.copy(), vc.base_feasible.copy()
    connectivity = vc.connectivity[level]
    values[:, column["connectivity"]] = connectivity
    feasible[:, column["connectivity"]] = connectivity >= MUST_VALUE
    if not housing:
        values[:, column["housing"]] = vc.price_value
    values[:, column["schools"]] = 1.0
    values[:, column["childcare"]] = vc.childcare
    if creche:
        feasible[:, column["childcare"]] = vc.childcare_near
    values[:, column["access_toulouse"]] = vc.toulouse[train]
    feasible[:, column["access_toulouse"]] = vc.toulouse_near[train]
    values[:, column["settlement"]] = vc.settlement[wish]
    feasible[:, column["settlement"]] = vc.settlement_fits[wish]
    ecosystem = np.maximum(vc.tiers_lieu, local_clients * vc.local_market)
    values[:, column["ecosystem"]] = ecosystem
    feasible[:, column["ecosystem"]] = ecosystem >= MUST_VALUE
    if len(vc._cases) < MAX_CASES:
        vc._cases[key] = (values, feasible)
    return values, feasible


def one_prospect_schools(
    vc: VillageCriteria, counts: tuple[float, float, float]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """(V,) schools value and feasibility for these children per school level (as
    ``batch_pair_values`` computes them); kept, as families have few shapes."""
    cached = vc._schools.get(counts)
    if cached is not None:
        return cached
    n_ecole, n_college, n_lycee = counts
    ecole, college, lycee = vc.school_closeness
    total = n_ecole * ecole + n_college * college + n_lycee * lycee
    children = n_ecole + n_college + n_lycee  # whole numbers: an exact sum
    too_far = (np.array([counts]) > 0) @ vc.school_too_far
    found = (total / children, too_far[0] == 0)
    if len(vc._schools) < MAX_CASES:
        vc._schools[counts] = found
    return found


def one_pair_values(x: Mapping[str, float], vc: VillageCriteria) -> PairValues:
    """``pair_values`` of one prospect, given as its row of Python floats (the columns of
    ``pair_values``'s prospects, one value each): the same numbers as ``batch_pair_values``,
    in a third of the numpy calls (one prospect's ranking costs about a microsecond a call,
    not what the calls compute).

    What depends on the prospect only through a few cases is copied from
    ``one_prospect_case``; housing, schools and the time to Auch are computed as in
    ``batch_pair_values``, with the same operations in the same order.
    """
    n_c = len(CRITERION_CODES)
    flat = np.array([x[name] for name in _IMPORTANCE_AND_MUST])
    stated = [i for i, name in enumerate(_MUSTS) if x[name] > 0]
    village, town = x["wants_village"] > 0, x["wants_small_town"] > 0
    wish = 1 if village else 2 if town else 0
    housing = x["has_housing"] > 0
    key = (
        int(x["connectivity_level"]),
        int(x["needs_train_station"] > 0),
        wish,
        x["prof_local_clients"],
        x["n_creche"] != 0,
        housing,
    )
    case_values, case_feasible = one_prospect_case(vc, key)
    values, feasible = case_values[None].copy(), case_feasible[None].copy()
    column = CRITERION_INDEX

    price = vc.house_price_m2[None, :] * (
        SURFACE_BASE_M2 + SURFACE_PER_BEDROOM_M2 * max(x["bedrooms_needed"], 1.0)
    )
    cost = price if x["buy"] > 0 else price * GROSS_RENTAL_YIELD / 12.0
    has_homes = len(vc.homes.village) > 0
    if housing and has_homes:
        homes = vc.homes
        fits = homes.fits(np.array([x["buy"]]), np.array([x["bedrooms_needed"]]))[0] & (
            homes.price_eur <= x["budget_eur"]
        )
        # Counts of whole listings: the batch's matrix product gives the same exact integers.
        matching = np.bincount(homes.village[fits], minlength=vc.n)[None, :].astype(np.float64)
    else:  # no listing fits a prospect without a housing project
        matching = np.zeros((1, vc.n))
    if housing:
        with_project, within_reach = housing_with_project(vc, x["budget_eur"], cost, matching)
        values[:, :, column["housing"]] = with_project
        feasible[:, :, column["housing"]] = within_reach

    counts = (x["n_ecole"], x["n_college"], x["n_lycee"])
    if any(counts):
        school_values, school_feasible = one_prospect_schools(vc, counts)
        values[0, :, column["schools"]] = school_values
        feasible[0, :, column["schools"]] = school_feasible

    limit = x["max_minutes_to_auch"]
    auch = column["access_auch"]
    share = (limit + 10.0 - vc.minutes_to_auch) / (limit / 2.0 + 10.0)
    np.minimum(np.maximum(share, 0.0), 1.0, out=values[0, :, auch])
    np.less_equal(vc.minutes_to_auch, limit, out=feasible[0, :, auch])

    # Met every must: one ``&`` per must beyond the first (prospects state one to three).
    if stated:
        eligible = feasible[:, :, stated[0]].copy()
        for c in stated[1:]:
            eligible &= feasible[:, :, c]
    else:
        eligible = np.ones((1, vc.n), dtype=bool)
    return PairValues(
        values=values,
        feasible=feasible,
        importance=flat[None, :n_c],
        must=flat[None, n_c : 2 * n_c] > 0,
        homes_matching=matching,
        housing_cost=cost,
        eligible=eligible,
    )
