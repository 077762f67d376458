"""Prices drawn toward their intercommunality by their number of sales, and rents filled in."""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata import prices
from geodata.exceptions import GeodataError
from geodata.schema import HOUSE_PRICE_SHRINKAGE_K


def test_the_commune_weight_grows_with_its_sales() -> None:
    sales = pd.Series([0, 1, 6, 40], index=list("abcd"))
    weight = prices.commune_weight(sales)
    assert weight.name == "house_price_commune_weight"
    assert weight.tolist() == pytest.approx([n / (n + HOUSE_PRICE_SHRINKAGE_K) for n in sales])
    assert weight.is_monotonic_increasing
    assert prices.price_level(weight).tolist() == ["epci", "epci", "epci", "commune"]
    # The level turns 'commune' once the sales reach k.
    k = HOUSE_PRICE_SHRINKAGE_K
    at_k = prices.commune_weight(pd.Series([np.floor(k), np.ceil(k)]))
    assert prices.price_level(at_k).tolist() == ["epci", "commune"]


def test_a_shrunk_price_lies_between_the_commune_and_its_intercommunality() -> None:
    commune = pd.Series([408.0, 2000.0, np.nan], index=["few", "many", "none"])
    epci = pd.Series([1400.0, 1500.0, 1300.0], index=commune.index)
    weight = pd.Series([0.42, 0.9, 0.0], index=commune.index)
    price = prices.shrunk_price(commune, epci, weight)
    assert price.name == "house_price_m2"
    assert price["few"] == pytest.approx(np.exp(0.42 * np.log(408) + 0.58 * np.log(1400)))
    assert 408 < price["few"] < 1400
    assert 1500 < price["many"] < 2000
    assert price["none"] == 1300.0


def test_the_shrinkage_constant_recovers_the_variances_it_was_made_with() -> None:
    rng = np.random.default_rng(17)
    tau2, s2, n = 0.04, 0.3, 20_000
    sales = pd.Series(rng.integers(1, 30, n).astype(float))
    epci = pd.Series(np.full(n, 1500.0))
    log_price = np.log(1500.0) + rng.normal(0, np.sqrt(tau2), n)
    commune = pd.Series(np.exp(log_price + rng.normal(0, np.sqrt(s2 / sales))))
    assert prices.shrinkage_constant(commune, epci, sales) == pytest.approx(s2 / tau2, rel=0.15)


def test_a_shrinkage_constant_without_variance_is_refused() -> None:
    same = pd.Series([1500.0] * 5)
    with pytest.raises(GeodataError, match="expected positive between-commune and sampling"):
        prices.shrinkage_constant(same, same, pd.Series([1.0, 2, 3, 4, 5]))


def test_rents_from_the_commune_else_its_intercommunality_else_its_neighbours() -> None:
    epci = pd.Series(["e1"] * 4 + ["e2"] * 2, index=[f"c{i}" for i in range(6)])
    own = pd.DataFrame(
        {"rent_m2_house": [7.0, 8.0, 9.0, np.nan, 5.0], "rent_m2_flat": [8.0, 9.0, 10.0, 0, 6.0]},
        index=["c0", "c1", "c2", "x", "c4"],
    ).drop(index="x")
    xy = pd.DataFrame({"x": [0.0, 1, 2, 3, 10, 11], "y": 0.0}, index=epci.index)
    filled = prices.filled_rents(own, epci, xy)
    assert filled["rent_level"].tolist() == [
        "commune",
        "commune",
        "commune",
        "epci",
        "commune",
        "neighbours",  # e2 has a single commune in the file: too few to speak for it
    ]
    assert filled.loc["c3", ["rent_m2_house", "rent_m2_flat"]].tolist() == [8.0, 9.0]
    # The five nearest communes of the file to c5 are all four of them: their median.
    assert filled.loc["c5", "rent_m2_house"] == 7.5
    with pytest.raises(GeodataError, match="rents: commune zz is not in the table"):
        prices.filled_rents(own.rename(index={"c0": "zz"}), epci, xy)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.raw
def test_the_shrinkage_constant_is_the_estimate_from_the_data(raw_dir) -> None:
    epci = {
        r["code"]: float(r["pxm2_mai"])
        for r in _rows(
            raw_dir / "derived_ptod/ptod_dvf_prix_volumes_epci_2010_2024_gers_voisins.csv"
        )
        if r["annee"] == "2024" and r["aggregation"] == "annuelle"
    }
    rows = [
        r
        for r in _rows(raw_dir / "derived_ptod/ptod_agg_iris_32_gers.csv")
        if r["TYP_IRIS"] == "Z" and r["logd_px2q2_mai_24"]
    ]
    commune = pd.Series([float(r["logd_px2q2_mai_24"]) for r in rows])
    region = pd.Series([epci[r["epci"].removesuffix(".0")] for r in rows])
    sales = pd.Series([float(r["logd_trans_mai_24"]) for r in rows])
    assert len(rows) == 337
    k = prices.shrinkage_constant(commune, region, sales)
    assert round(k, 1) == HOUSE_PRICE_SHRINKAGE_K == 8.3
