"""Shared fixtures: tiny in-memory village tables, and the raw folder when it is present."""

import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geodata.schema import COLUMNS, CRS_METRIC, CRS_STORED

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # The service's default data folder is the user's (platformdirs follows XDG_DATA_HOME):
    # a test, or a server it starts, that names none must not open the developer's own.
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="sohosolo-tests-data-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ["XDG_DATA_HOME"], ignore_errors=True)


def find_raw_dir() -> Path | None:
    configured = os.environ.get("SOHOSOLO_RAW")
    candidate = Path(configured) if configured else REPO.parent / "shared" / "data" / "raw"
    return candidate if (candidate / "SOURCES.md").is_file() else None


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    found = find_raw_dir()
    if found is None:
        pytest.skip("raw open data not found: set SOHOSOLO_RAW or put ../shared beside the repo")
    return found


#: The prospect profile of ../shared/design/api.md, as written there.
API_EXAMPLE_PROFILE = {
    "profession": "software_developer",
    "remote_days_per_week": 5,
    "connectivity": "video_calls",
    "household": {"adults": 2, "children_ages": [4, 12]},
    "housing": {"tenure": "buy", "budget_eur": 220000, "min_bedrooms": 3},
    "preferences": {"max_minutes_to_auch": 45, "needs_train_station": False, "settlement": "any"},
    "must": ["connectivity", "housing"],
}

# Five villages along a line east of Auch, 4 km apart, each a 2 km square around its point.
TINY_POINTS = [(0.60 + 0.05 * i, 43.65) for i in range(5)]


def make_villages(n: int = 5) -> gpd.GeoDataFrame:
    """A schema-conformant village table of ``n`` (at most 5) villages, built in memory."""
    codes = [f"3200{i + 1}" for i in range(n)]
    points = gpd.GeoSeries(
        gpd.points_from_xy([p[0] for p in TINY_POINTS[:n]], [p[1] for p in TINY_POINTS[:n]]),
        crs=CRS_STORED,
    )
    squares = points.to_crs(CRS_METRIC).apply(
        lambda p: box(p.x - 1000, p.y - 1000, p.x + 1000, p.y + 1000)
    )
    data: dict[str, object] = {}
    for column in COLUMNS:
        if column.kind == "geometry":
            continue
        if column.kind == "int":
            low = int(column.minimum or 0)
            high = int(column.maximum) if column.maximum is not None else low + 100
            data[column.name] = np.linspace(low, high, n).astype("int64")
        elif column.kind == "float":
            low = column.minimum if column.minimum is not None else 0.0
            high = column.maximum if column.maximum is not None else low + 100.0
            data[column.name] = np.linspace(low, high, n)
        elif column.kind == "bool":
            data[column.name] = [i == 0 for i in range(n)]
        elif column.choices:
            data[column.name] = [column.choices[i % len(column.choices)] for i in range(n)]
        else:
            data[column.name] = [f"{column.name} {i}" for i in range(n)]
    data["insee"] = codes
    data["name"] = [f"Village {i + 1}" for i in range(n)]
    data["canton_code"] = ["3201", "3201", "3202", "3202", "3203"][:n]
    data["point_lon"] = [p[0] for p in TINY_POINTS[:n]]
    data["point_lat"] = [p[1] for p in TINY_POINTS[:n]]
    data["median_income_eur"] = [np.nan, *np.linspace(15000, 25000, n - 1)]
    data["ftth_share"] = [0.0, 0.05, 0.2, 0.3, 0.6][:n]
    frame = pd.DataFrame(data, index=pd.Index(codes, name="code"))
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.GeoSeries(squares.to_crs(CRS_STORED).to_numpy(), index=frame.index),
        crs=CRS_STORED,
    )[[c.name for c in COLUMNS]]


@pytest.fixture
def villages() -> gpd.GeoDataFrame:
    return make_villages()


def realistic_villages() -> gpd.GeoDataFrame:
    """Five partner villages whose facts read like the Gers: values a test can reason about."""
    villages = make_villages()
    facts = {
        "population": [350, 1200, 2500, 600, 900],
        "ftth_share": [0.0, 0.05, 0.2, 0.3, 0.6],
        "operators_4g": [0, 2, 4, 1, 3],
        "house_price_m2": [1200.0, 1500.0, 2000.0, 1400.0, 1300.0],
        "house_price_sales": [3, 14, 25, 0, 11],
        "rent_m2_house": [6.5, 7.0, 9.0, 6.8, 7.2],
        "rent_m2_flat": [7.5, 8.0, 10.0, 7.8, 8.2],
        "apl_doctors": [2.4, 3.6, 4.5, 1.8, 3.1],
        "km_to_auch": [38.5, 21.0, 9.5, 55.0, 30.2],
        "vacancy_share": [0.12, 0.08, 0.06, 0.1, 0.09],
        "minutes_to_auch": [35.0, 20.0, 10.0, 50.0, 28.0],
        "minutes_to_toulouse": [90.0, 70.0, 60.0, 110.0, 55.0],
        "minutes_to_station": [30.0, 15.0, 5.0, 40.0, 12.0],
        "minutes_to_airport": [85.0, 65.0, 55.0, 105.0, 50.0],
        "minutes_to_tiers_lieu": [20.0, 10.0, 0.0, 30.0, 15.0],
        "partner": [True] * 5,
    }
    for service, minutes in {
        "primary_school": [0.0, 0.0, 0.0, 6.0, 0.0],
        "middle_school": [12.0, 0.0, 0.0, 25.0, 8.0],
        "high_school": [30.0, 20.0, 0.0, 40.0, 25.0],
        "childcare": [15.0, 0.0, 0.0, 20.0, 10.0],
        "doctor": [8.0, 0.0, 0.0, 16.0, 0.0],
        "pharmacy": [8.0, 0.0, 0.0, 16.0, 5.0],
        "bakery": [0.0, 0.0, 0.0, 10.0, 0.0],
        "grocery": [6.0, 0.0, 0.0, 12.0, 0.0],
        "post_office": [0.0, 0.0, 0.0, 9.0, 0.0],
    }.items():
        facts[f"minutes_to_{service}"] = minutes
    for column, values in facts.items():
        villages[column] = values
    villages["tiers_lieu"] = [None, None, "tiers-lieu Le Test", None, None]
    villages["ftth_vintage"] = "ARCEP 2025"
    villages["mobile_vintage"] = "ARCEP 2018"
    villages["price_vintage"] = "DVF 2024"
    villages["rent_level"] = ["commune", "commune", "commune", "epci", "commune"]
    villages["travel_estimated"] = False
    villages["house_price_level"] = ["epci", "commune", "commune", "epci", "commune"]
    return villages
