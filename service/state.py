"""What the service holds in memory: the village table, and a snapshot of the model inputs.

The snapshot (active weights, homes on offer, Solos settled, and the ``Recommender`` built from
them) is rebuilt whenever the database's revision counter moves, so a change made through any
worker process is used from the next request in every one.
"""

import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

import orjson
from starlette.concurrency import run_in_threadpool

from features import needs as model
from features.exceptions import FeaturesError
from geodata.io import read_village_table, read_villages
from geodata.schema import COLUMNS_BY_NAME, SOURCES, value_vintage
from geodata.table import VillageTable, json_value
from matcher import Recommender, load_weight_profile
from service import clock
from service.accounts.signin import Accounts
from service.alerts import Alerts
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
from service.store.allocations import quarter_of
from service.writes import DatabaseWatch, WriteGate

if TYPE_CHECKING:
    from geodata.svgmap import SvgMap

logger = logging.getLogger(__name__)

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


def model_need(need: Need) -> model.Need:
    """A stored need as the ``village_needs`` criterion reads it: the one conversion from the
    store's rows to the model's needs."""
    return model.Need(
        id=str(need.id),
        insee=need.insee,
        kind=need.kind,  # type: ignore[arg-type]  # stored from NeedIn's kinds only
        note=need.note or "",
        school=need.school or "",
        age_min=need.age_min or 0,
        age_max=need.age_max or 0,
        pupils=need.pupils or 0,
        by=need.by,
        professions=tuple(need.professions),
        service=need.service,
        use=need.use,
        surface_m2=need.surface_m2,
        rent_eur=need.rent_eur,
    )


def model_needs(needs: Sequence[Need]) -> list[model.Need]:
    """The needs the model can read; one it refuses (a code since taken out of the
    vocabulary) is left out and logged, rather than every ranking failing for it."""
    converted = []
    for need in needs:
        try:
            converted.append(model_need(need))
        except FeaturesError as error:
            logger.warning("need %s of %s left out of the rankings: %s", need.id, need.insee, error)
    return converted


@dataclass(frozen=True)
class ModelInputs:
    """What the database gives the model: the active weights, the homes on offer, the Solos
    settled, the villages' current needs and the approved corrections of their facts."""

    weights: StoredWeights
    listings: list[tuple[str, str, float, float]]
    solos: dict[str, int]
    needs: list[Need]
    corrections: dict[str, dict[str, Proposal]]

    @classmethod
    def read(
        cls, store: Store, partner_codes: frozenset[str], default: StoredWeights | None = None
    ) -> "ModelInputs":
        """The inputs stored now; ``default`` weights where the database holds none yet."""
        weights = store.active_weights() or default
        if weights is None:
            raise RuntimeError("no weight profile in the database: the lifespan installs one")
        # Outcomes of a village that is not (or no longer) a partner are kept, but its Solos
        # are not counted: the partner list is the deployment's, not the database's.
        solos = {k: v for k, v in store.settled_counts().items() if k in partner_codes}
        return cls(weights, store.listings(), solos, store.current_needs(), store.corrections())

    def with_village(
        self,
        insee: str,
        listings: Sequence[tuple[str, float, float]] | None = None,
        needs: Sequence[Need] | None = None,
    ) -> "ModelInputs":
        """The same inputs but for one village's homes (``(tenure, price, bedrooms)``) or
        needs, as given: the village before or after a change (alerts)."""
        changed = self
        if listings is not None:
            kept = [home for home in self.listings if home[0] != insee]
            changed = replace(changed, listings=kept + [(insee, *home) for home in listings])
        if needs is not None:
            kept_needs = [need for need in self.needs if need.insee != insee]
            changed = replace(changed, needs=kept_needs + list(needs))
        return changed

    def recommender(self, partners: VillageTable, today: date) -> Recommender:
        """The model on these inputs, as every ranking of the service (and the command
        line's allocations from the database) runs it."""
        return Recommender(
            corrected_table(partners, self.corrections),
            self.weights.profile,
            homes=self.listings,
            solos_settled=self.solos,
            needs=model_needs(self.needs),
            today=today,
        )


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
    inputs: ModelInputs
    #: The quarter of ``day`` (``2027-Q1``), and what each committee that stated its capacity
    #: can still take in it: its capacity less the prospects allocated to it (staff see it).
    quarter: str
    capacity_left: dict[str, int]
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
        self.villages = village_table(settings).sorted_by("insee")
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
        self.alerts = Alerts(self)
        # A change of a village's homes or needs brings alerts, computed once it is committed.
        store.change_listeners.append(self.alerts.process_pending)

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
        day = clock.today()
        inputs = self.read_inputs()
        needs: dict[str, list[Need]] = {}
        for need in inputs.needs:
            needs.setdefault(need.insee, []).append(need)
        quarter = quarter_of(day)
        return Snapshot(
            revision=revision,
            day=day,
            weights=inputs.weights,
            recommender=self.recommender_of(inputs, day),
            homes_available=dict(Counter(str(home[0]) for home in inputs.listings)),
            solos_settled={str(k): int(v) for k, v in inputs.solos.items()},
            needs=needs,
            corrections=inputs.corrections,
            inputs=inputs,
            quarter=quarter,
            capacity_left=self.capacity_left(quarter),
            revoked_keys=frozenset(self.store.revoked_digests()),
        )

    def read_inputs(self) -> ModelInputs:
        return ModelInputs.read(self.store, self.partner_codes)

    def recommender_of(self, inputs: ModelInputs, day: date) -> Recommender:
        return inputs.recommender(self.partners, day)

    def capacity_left(self, quarter: str, leaving_out: Sequence[str] = ()) -> dict[str, int]:
        """Each partner whose committee stated a capacity: what it can still take in
        ``quarter`` (never below 0); ``leaving_out``: prospects whose allocations of that
        quarter are not counted (they are being allocated again)."""
        return capacity_left(
            self.store.capacities(), self.store.allocated(quarter, leaving_out), self.partner_codes
        )

    @cached_property
    def opaque_secret(self) -> bytes:
        """The key of the opaque ids committees see prospects by: the database's, so that every
        worker and server gives a prospect the same id."""
        return self.store.secret("opaque_ids")

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


def capacity_left(
    capacities: dict[str, int], allocated: dict[str, int], partners: frozenset[str]
) -> dict[str, int]:
    """Stated capacities less what is allocated already, for partner villages."""
    return {
        insee: max(0, capacity - allocated.get(insee, 0))
        for insee, capacity in capacities.items()
        if insee in partners
    }


def _is_of(snapshot: Snapshot | None, revision: int) -> bool:
    return snapshot is not None and snapshot.revision == revision and snapshot.day == clock.today()


def village_table(settings: Settings) -> VillageTable:
    """The packaged villages as the build wrote them for the service; a GeoParquet named in
    the settings is read with geopandas (which costs the process its memory)."""
    if settings.villages_path is None:
        return read_village_table(partners=settings.partners_path)
    return VillageTable.from_frame(
        read_villages(settings.villages_path, partners=settings.partners_path)
    )
