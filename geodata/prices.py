"""House prices that say how sure they are, and rents for the communes the rent file lacks.

Pure functions on Series indexed by commune code, each returning a Series named after its
column (or a frame of columns) on the input's index.

A commune's 2024 median house price often rests on one to five sales. Empirical Bayes: its log
lies around its intercommunality's with a between-commune variance tau2, plus a sampling
variance s2 / n for n sales; the best blend gives the commune's own median the weight
w = n / (n + k), k = s2 / tau2 (``HOUSE_PRICE_SHRINKAGE_K``, estimated by
``shrinkage_constant``). No threshold: one sale moves the price a little, forty nearly all the
way.
"""

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geodata.exceptions import GeodataError
from geodata.schema import (
    HOUSE_PRICE_COMMUNE_LEVEL,
    HOUSE_PRICE_SHRINKAGE_K,
    RENT_EPCI_MIN_COMMUNES,
    RENT_NEIGHBOURS,
)

RENT_COLUMNS = ("rent_m2_house", "rent_m2_flat")


def shrinkage_constant(commune: pd.Series, epci: pd.Series, sales: pd.Series) -> float:
    """k = s2 / tau2, from E[(ln commune - ln epci)^2] = tau2 + s2 / n fitted by least squares
    over the communes with a median of their own (``commune`` not missing, ``sales`` > 0).

    Raises
    ------
    GeodataError
        When the fit gives no positive variance (too few or too alike communes).
    """
    own = commune.notna() & (sales > 0)
    gap2 = (np.log(commune[own]) - np.log(epci[own])) ** 2
    design = np.column_stack([np.ones(int(own.sum())), 1.0 / sales[own].to_numpy(float)])
    (tau2, s2), *_ = np.linalg.lstsq(design, gap2.to_numpy(), rcond=None)
    if not (tau2 > 0 and s2 > 0):
        raise GeodataError(
            f"house prices: expected positive between-commune and sampling variances, found "
            f"tau2 = {tau2:.4g} and s2 = {s2:.4g} over {int(own.sum())} communes"
        )
    return float(s2 / tau2)


def commune_weight(sales: pd.Series, k: float = HOUSE_PRICE_SHRINKAGE_K) -> pd.Series:
    """w = n / (n + k), the weight of a commune's own median (0 without a sale)."""
    return (sales / (sales + k)).rename("house_price_commune_weight")


def shrunk_price(commune: pd.Series, epci: pd.Series, weight: pd.Series) -> pd.Series:
    """exp(w ln(commune) + (1 - w) ln(epci)): the commune's median drawn toward its
    intercommunality's; the intercommunality's where the commune has none."""
    own = commune.notna() & (weight > 0)
    blend = weight * np.log(commune.where(own, 1.0)) + (1 - weight) * np.log(epci)
    return pd.Series(np.exp(blend.where(own, np.log(epci))), name="house_price_m2")


def price_level(weight: pd.Series) -> pd.Series:
    """'commune' where the commune's own sales carry most of the price, else 'epci'."""
    level = np.where(weight >= HOUSE_PRICE_COMMUNE_LEVEL, "commune", "epci")
    return pd.Series(level, index=weight.index, name="house_price_level")


def filled_rents(own: pd.DataFrame, epci: pd.Series, xy: pd.DataFrame) -> pd.DataFrame:
    """Rents for every commune of ``epci`` (its intercommunality, indexed by commune code).

    ``own`` holds the ``RENT_COLUMNS`` of the communes in the rent file; ``xy`` the points of
    every commune (km, columns ``x, y``). A commune absent from ``own`` takes the median of its
    intercommunality's communes in it, when there are at least ``RENT_EPCI_MIN_COMMUNES``,
    else the median of its ``RENT_NEIGHBOURS`` nearest communes in it. ``rent_level`` says
    which: 'commune', 'epci' or 'neighbours'.
    """
    codes = epci.index
    unknown = own.index.difference(codes)
    if len(unknown):
        raise GeodataError(f"rents: commune {unknown[0]} is not in the table")
    present = own.assign(epci=epci.reindex(own.index))
    by_epci = present.groupby("epci")[list(RENT_COLUMNS)]
    enough = by_epci.size() >= RENT_EPCI_MIN_COMMUNES
    epci_rent = by_epci.median()[enough].round(2)
    out = own[list(RENT_COLUMNS)].reindex(codes)
    level = pd.Series("commune", index=codes, name="rent_level")
    absent = out.index[out["rent_m2_house"].isna()]
    from_epci = absent[epci.reindex(absent).isin(epci_rent.index)]
    out.loc[from_epci] = epci_rent.reindex(epci[from_epci]).to_numpy()
    level[from_epci] = "epci"
    rest = absent.difference(from_epci)
    if len(rest):
        out.loc[rest] = _neighbour_rents(own, xy, rest).to_numpy()
        level[rest] = "neighbours"
    return out.assign(rent_level=level)


def _neighbour_rents(own: pd.DataFrame, xy: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    """The median rents of the ``RENT_NEIGHBOURS`` communes of ``own`` nearest each code."""
    k = min(RENT_NEIGHBOURS, len(own))
    _, found = cKDTree(xy.loc[own.index].to_numpy()).query(xy.loc[codes].to_numpy(), k=k)
    found = np.asarray(found).reshape(len(codes), k)
    values = own[list(RENT_COLUMNS)].to_numpy()[found]  # (codes, k, columns)
    return pd.DataFrame(np.median(values, axis=1), index=codes, columns=list(RENT_COLUMNS)).round(2)
