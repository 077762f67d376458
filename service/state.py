"""What the service holds in memory: the village table, and a snapshot of the model inputs.

The snapshot (active weights, homes on offer, Solos settled, and the ``Recommender`` built from
them) is rebuilt whenever the database's revision counter moves, so a change made through any
worker process is used from the next request in every one.
"""

import contextlib
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
from sqlalchemy.exc import IntegrityError

from geodata.io import read_villages
from geodata.schema import COLUMNS_BY_NAME
from geodata.svgmap import SvgMap, svg_map
from matcher import Recommender, load_weight_profile
from service.auth import Keyring
from service.config import Settings
from service.exposure import ExposureLog
from service.ratelimit import RateLimit, parse_limit
from service.store import Store, StoredWeights

#: Width of the SVG map's coordinate space (pages scale it with their viewBox).
MAP_WIDTH = 500.0
#: Village columns a summary carries, under their API names.
SUMMARY_COLUMNS = {
    "insee": "insee",
    "name": "name",
    "population": "population",
    "partner": "partner",
    "canton": "canton",
    "point_lon": "lon",
    "point_lat": "lat",
    "km_to_auch": "km_to_auch",
    "minutes_to_auch": "minutes_to_auch",
    "minutes_to_toulouse": "minutes_to_toulouse",
    "ftth_share": "ftth_share",
    "ftth_vintage": "ftth_vintage",
    "operators_4g": "operators_4g",
    "house_price_m2": "house_price_m2",
}


@dataclass(frozen=True)
class Snapshot:
    revision: int
    weights: StoredWeights
    recommender: Recommender
    homes_available: dict[str, int]
    solos_settled: dict[str, int]


class ServiceState:
    """Loaded once in the app's lifespan; shared by every request of the process."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.exposure = ExposureLog(store)
        self.rate_limit = RateLimit(parse_limit(settings.rate_limit))
        self.keyring = Keyring(
            {"staff": settings.staff_api_keys, "analyst": settings.analyst_api_keys}
        )
        self.villages: gpd.GeoDataFrame = read_villages(
            settings.villages_path, partners=settings.partners_path
        ).sort_index()
        self.partners = self.villages[self.villages["partner"]]
        self.partner_codes = frozenset(self.partners.index)
        self._records: dict[str, dict[str, Any]] = {
            str(code): {str(c): _plain(v) for c, v in row.items()}
            for code, row in pd.DataFrame(self.villages.drop(columns="geometry"))
            .to_dict("index")
            .items()
        }
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def install_weights(self) -> None:
        """Store the configured packaged weights if the database holds no profile yet."""
        if self.store.active_weights() is not None:
            return
        with contextlib.suppress(IntegrityError):  # another worker stored it first
            self.store.add_weights(load_weight_profile(self.settings.weights), by="package")

    def snapshot(self) -> Snapshot:
        """The model inputs as of the database's current revision."""
        revision = self.store.model_inputs_revision()
        current = self._snapshot
        if current is not None and current.revision == revision:
            return current
        with self._lock:
            current = self._snapshot
            if current is None or current.revision != revision:
                current = self._build(revision)
                self._snapshot = current
        return current

    def _build(self, revision: int) -> Snapshot:
        weights = self.store.active_weights()
        if weights is None:
            raise RuntimeError("no weight profile in the database: the lifespan installs one")
        homes = self.store.homes_frame()
        solos = self.store.solos_settled()
        recommender = Recommender(self.partners, weights.profile, homes=homes, solos_settled=solos)
        counts = homes["insee"].value_counts()
        return Snapshot(
            revision=revision,
            weights=weights,
            recommender=recommender,
            homes_available={str(k): int(v) for k, v in counts.items()},
            solos_settled={str(k): int(v) for k, v in solos.items()},
        )

    # -- villages --------------------------------------------------------------------------

    def has_village(self, insee: str) -> bool:
        return insee in self._records

    def name_of(self, insee: str) -> str:
        return str(self._records[insee]["name"])

    def summary(self, insee: str, snapshot: Snapshot) -> dict[str, Any]:
        record = self._records[insee]
        out = {api: record[column] for column, api in SUMMARY_COLUMNS.items()}
        out["homes_available"] = snapshot.homes_available.get(insee, 0)
        out["solos_settled"] = snapshot.solos_settled.get(insee, 0)
        return out

    def summaries(self, partner: bool | None, snapshot: Snapshot) -> list[dict[str, Any]]:
        return [
            self.summary(code, snapshot)
            for code, record in self._records.items()
            if partner is None or record["partner"] == partner
        ]

    def detail(self, insee: str, snapshot: Snapshot) -> dict[str, Any]:
        record = self._records[insee]
        attributes = {
            name: {
                "value": value,
                "unit": COLUMNS_BY_NAME[name].unit,
                "description": COLUMNS_BY_NAME[name].description,
                "estimate": COLUMNS_BY_NAME[name].estimate,
                "sources": list(COLUMNS_BY_NAME[name].sources),
            }
            for name, value in record.items()
            if name in COLUMNS_BY_NAME
        }
        return self.summary(insee, snapshot) | {"attributes": attributes}

    @cached_property
    def svg_map(self) -> SvgMap:
        """The Gers and its partner villages in SVG coordinates, for the embed and print pages."""
        return svg_map(self.villages, width=MAP_WIDTH)

    def geojson(self, snapshot: Snapshot) -> bytes:
        """The partner villages as a GeoJSON FeatureCollection (EPSG:4326)."""
        features = [
            {
                "type": "Feature",
                "id": code,
                "geometry": geometry.__geo_interface__,
                "properties": self.summary(str(code), snapshot),
            }
            for code, geometry in self.partners.geometry.items()
        ]
        return orjson.dumps({"type": "FeatureCollection", "features": features})


def _plain(value: Any) -> Any:
    """Numpy scalars as Python ones, NaN as None: JSON-ready."""
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if np.isnan(value) else float(value)
    if value is None or (isinstance(value, str)):
        return value
    if pd.isna(value):
        return None
    return value
