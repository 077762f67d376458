"""What the service holds in memory: the village table, and a snapshot of the model inputs.

The snapshot (active weights, homes on offer, Solos settled, and the ``Recommender`` built from
them) is rebuilt whenever the database's revision counter moves, so a change made through any
worker process is used from the next request in every one.
"""

import contextlib
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

import orjson
from starlette.concurrency import run_in_threadpool

from geodata.io import read_village_table, read_villages
from geodata.schema import COLUMNS_BY_NAME, SOURCES, value_vintage
from geodata.table import VillageTable, json_value
from matcher import Recommender, load_weight_profile
from service import clock
from service.accounts.signin import Accounts
from service.auth import KeyConfigError, Keyring
from service.config import Settings
from service.corrections import checked_value, corrected_table
from service.counters import Counters
from service.db.faults import describe
from service.exceptions import Conflict, NotFound
from service.exposure import ExposureLog
from service.ratelimit import RateLimit, parse_limit
from service.schemas_village import NeedOut
from service.store import Need, Proposal, Store, StoredWeights
from service.writes import DatabaseWatch, WriteGate

if TYPE_CHECKING:
    from geodata.svgmap import SvgMap

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
    day: date  # listings and needs expire by the day: a new day rebuilds the snapshot
    weights: StoredWeights
    recommender: Recommender
    homes_available: dict[str, int]
    solos_settled: dict[str, int]
    needs: dict[str, list[Need]]  # the current needs of each village that has some
    #: Approved corrections of village facts, by village and field: the model uses them.
    corrections: dict[str, dict[str, Proposal]]
    #: SHA-256 digests (hex) of the revoked API keys: checked on every keyed request, so read
    #: with the rest rather than asked of the database each time.
    revoked_keys: frozenset[str]


class ServiceState:
    """Loaded once in the app's lifespan; shared by every request of the process."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.exposure = ExposureLog(store)
        self.writes = WriteGate(store)
        self.database = DatabaseWatch(store)
        #: The counts every process must share (rate limit, failed sign-ins): Redis, if set.
        self.counters = Counters(settings.redis_url)
        self.rate_limit = RateLimit(parse_limit(settings.rate_limit), self.counters)
        self.keyring = Keyring.from_settings(settings)
        self.accounts = Accounts(store, settings, self.counters)
        self.villages = _village_table(settings).sorted_by("insee")
        self.partners = self.villages.where("partner")
        self.partner_codes = frozenset(self.partners["insee"])
        strangers = sorted(self.keyring.villages() - self.partner_codes)
        if strangers:
            raise KeyConfigError(
                f"SOHOSOLO_COMMITTEE_API_KEYS: expected partner villages, found {strangers}"
            )
        #: Every village's row, as read (a missing value is nan), by INSEE code.
        self.rows: dict[str, dict[str, Any]] = {
            str(row["insee"]): row for row in self.villages.records()
        }
        self._records: dict[str, dict[str, Any]] = {
            code: {name: json_value(value) for name, value in row.items()}
            for code, row in self.rows.items()
        }
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def install_weights(self) -> None:
        """Store the configured packaged weights if the database holds no profile yet."""
        if self.store.active_weights() is not None:
            return
        with contextlib.suppress(Conflict):  # another worker stored it first
            self.store.add_weights(load_weight_profile(self.settings.weights), by="package")

    def snapshot(self) -> Snapshot:
        """The model inputs as of the database's current revision."""
        revision, fresh = self._fresh()
        return fresh or self._rebuilt(revision)

    async def snapshot_async(self) -> Snapshot:
        """``snapshot`` for coroutines: the revision read (microseconds) on the event loop,
        a rebuild (tens of milliseconds, after homes, weights or a settlement change) in a
        worker thread, so that the other requests are answered meanwhile."""
        revision, fresh = self._fresh()
        if fresh is not None:
            return fresh
        return await run_in_threadpool(self._rebuilt, revision)

    async def serving_snapshot(self) -> Snapshot:
        """``snapshot_async``, or the last snapshot built while the database cannot be read
        (the server out of reach, a table locked from outside): rankings, village pages and
        health answer from memory, at most the changes of the fault's duration behind, rather
        than 503. The key check keeps to ``snapshot_async``: a revocation it cannot read is
        answered 503, not ignored."""
        try:
            return await self.snapshot_async()
        except Exception as error:  # the driver's own errors too: no common base to name
            last = self._snapshot
            if last is None or describe(error, self.store.write_timeout) is None:
                raise
            return last

    def _fresh(self) -> tuple[int, Snapshot | None]:
        """The database's revision, and the snapshot if it is of that revision and today."""
        revision = self.store.model_inputs_revision()
        current = self._snapshot
        return revision, current if _is_of(current, revision) else None

    def _rebuilt(self, revision: int) -> Snapshot:
        with self._lock:
            current = self._snapshot
            if current is None or not _is_of(current, revision):
                current = self._build(revision)
                self._snapshot = current
        return current

    def _build(self, revision: int) -> Snapshot:
        weights = self.store.active_weights()
        if weights is None:
            raise RuntimeError("no weight profile in the database: the lifespan installs one")
        homes = self.store.listings()
        # Outcomes of a village that is not (or no longer) a partner are kept, but its Solos
        # are not counted: the partner list is the deployment's, not the database's.
        solos = {k: v for k, v in self.store.settled_counts().items() if k in self.partner_codes}
        needs: dict[str, list[Need]] = {}
        for need in self.store.current_needs():
            needs.setdefault(need.insee, []).append(need)
        corrections = self.store.corrections()
        partners = corrected_table(self.partners, corrections)
        recommender = Recommender(partners, weights.profile, homes=homes, solos_settled=solos)
        return Snapshot(
            revision=revision,
            day=clock.today(),
            weights=weights,
            recommender=recommender,
            homes_available=dict(Counter(str(home[0]) for home in homes)),
            solos_settled={str(k): int(v) for k, v in solos.items()},
            needs=needs,
            corrections=corrections,
            revoked_keys=frozenset(self.store.revoked_digests()),
        )

    # -- villages --------------------------------------------------------------------------

    def has_village(self, insee: str) -> bool:
        return insee in self._records

    def known_village(self, insee: str) -> str:
        """``insee`` if it names a commune of the Gers; ``NotFound`` otherwise."""
        if not self.has_village(insee):
            raise NotFound(
                "village",
                insee,
                f"village {insee!r}: no such commune in the Gers (expected an INSEE code)",
            )
        return insee

    def partner_village(self, insee: str) -> str:
        """``insee`` if it names a partner village; ``NotFound`` otherwise."""
        self.known_village(insee)
        if insee not in self.partner_codes:
            name = self.name_of(insee)
            raise NotFound("village", insee, f"village {insee} ({name}) is not a partner village")
        return insee

    def name_of(self, insee: str) -> str:
        return str(self._records[insee]["name"])

    def label(self, insee: str) -> str:
        """``32436 (Solomiac)``: a village as messages name it."""
        return f"{insee} ({self.name_of(insee)})" if self.has_village(insee) else insee

    def record(self, insee: str, snapshot: Snapshot) -> dict[str, Any]:
        """A village's values as the model sees them: approved corrections in place."""
        record = self._records[insee]
        corrected = snapshot.corrections.get(insee)
        if not corrected:
            return record
        return record | {field: checked_value(field, p.value) for field, p in corrected.items()}

    def summary(self, insee: str, snapshot: Snapshot) -> dict[str, Any]:
        record = self.record(insee, snapshot)
        out = {api: record[column] for column, api in SUMMARY_COLUMNS.items()}
        out["homes_available"] = snapshot.homes_available.get(insee, 0)
        out["solos_settled"] = snapshot.solos_settled.get(insee, 0)
        out["needs_count"] = len(snapshot.needs.get(insee, ()))
        return out

    def summaries(self, partner: bool | None, snapshot: Snapshot) -> list[dict[str, Any]]:
        return [
            self.summary(code, snapshot)
            for code, record in self._records.items()
            if partner is None or record["partner"] == partner
        ]

    def detail(self, insee: str, snapshot: Snapshot) -> dict[str, Any]:
        record = self.record(insee, snapshot)
        attributes = {
            name: {
                "value": value,
                "unit": COLUMNS_BY_NAME[name].unit,
                "description": COLUMNS_BY_NAME[name].description,
                "estimate": COLUMNS_BY_NAME[name].estimate,
                "sources": list(COLUMNS_BY_NAME[name].sources),
                "vintage": value_vintage(COLUMNS_BY_NAME[name], record),
                "publishers": list(
                    dict.fromkeys(SOURCES[k].publisher for k in COLUMNS_BY_NAME[name].sources)
                ),
            }
            for name, value in record.items()
            if name in COLUMNS_BY_NAME
        }
        for field, proposal in snapshot.corrections.get(insee, {}).items():
            attributes[field]["corrected"] = {
                "value": record[field],
                "packaged_value": self._records[insee][field],
                "source": proposal.source,
                "observed_at": proposal.observed_at.isoformat(),
                "approved_by": proposal.reviewed_by,
                "approved_at": proposal.reviewed_at,
            }
        needs = [NeedOut.of(need) for need in snapshot.needs.get(insee, ())]
        return self.summary(insee, snapshot) | {"attributes": attributes, "needs": needs}

    @cached_property
    def svg_map(self) -> "SvgMap":
        """The Gers and its partner villages in SVG coordinates, for the embed and print pages
        (drawn on first use: it loads shapely and pyproj)."""
        from geodata.svgmap import svg_map

        return svg_map(self.villages, width=MAP_WIDTH)

    def geojson(self, snapshot: Snapshot) -> bytes:
        """The partner villages as a GeoJSON FeatureCollection (EPSG:4326)."""
        features = [
            {
                "type": "Feature",
                "id": code,
                "geometry": geometry,
                "properties": self.summary(code, snapshot),
            }
            for code, geometry in self._partner_geometries.items()
        ]
        return orjson.dumps({"type": "FeatureCollection", "features": features})

    @cached_property
    def _partner_geometries(self) -> dict[str, dict[str, Any]]:
        """The partners' outlines as GeoJSON geometries (decoded once: this loads shapely)."""
        return {
            str(code): geometry.__geo_interface__
            for code, geometry in zip(
                self.partners["insee"], self.partners.geometries(), strict=True
            )
        }


def _is_of(snapshot: Snapshot | None, revision: int) -> bool:
    return snapshot is not None and snapshot.revision == revision and snapshot.day == clock.today()


def _village_table(settings: Settings) -> VillageTable:
    """The packaged villages as the build wrote them for the service; a GeoParquet named in
    the settings is read with geopandas (which costs the process its memory)."""
    if settings.villages_path is None:
        return read_village_table(partners=settings.partners_path)
    return VillageTable.from_frame(
        read_villages(settings.villages_path, partners=settings.partners_path)
    )
