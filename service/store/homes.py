"""The homes on offer in each village, one listing at a time: each with a version (raised by
every change, so that a change made from an older one is refused), the day it is available
from and the day it expires (90 days after it was saved or last confirmed)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service import clock
from service.db.models import HomeRow
from service.exceptions import NotFound, PreconditionFailed
from service.store import audit_log
from service.store.alerts import record_change
from service.store.base import StoreBase, utcnow

#: A listing's life from the day it is saved or confirmed.
LISTING_DAYS = 90


@dataclass(frozen=True)
class Home:
    """A listing as it is written: what the village offers, and optional dates."""

    tenure: str
    price_eur: float
    bedrooms: int
    surface_m2: float | None = None
    note: str | None = None
    available_from: date | None = None  # default: today
    expires_at: date | None = None  # default: LISTING_DAYS from today


@dataclass(frozen=True)
class Listing:
    """A stored listing."""

    id: int
    insee: str
    version: int
    tenure: str
    price_eur: float
    bedrooms: int
    surface_m2: float | None
    note: str | None
    available_from: date
    expires_at: date
    updated_at: datetime
    updated_by: str

    @property
    def expired(self) -> bool:
        return self.expires_at < clock.today()

    def summary(self) -> str:
        """What the audit log says of it (no free text)."""
        return f"{self.tenure} {self.price_eur:g} EUR, {self.bedrooms} bedroom(s)"

    def detail(self) -> dict[str, Any]:
        """What an alert says of it."""
        return {
            "id": self.id,
            "tenure": self.tenure,
            "price_eur": self.price_eur,
            "bedrooms": self.bedrooms,
            "surface_m2": self.surface_m2,
        }


#: The fields a change may set.
CHANGEABLE = tuple(f.name for f in fields(Home))


class HomeStore(StoreBase):
    """The listings of each village."""

    def homes(self, insee: str) -> list[Listing]:
        """Every listing of the village, expired ones too (their committee sees them)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(HomeRow).where(HomeRow.insee == insee).order_by(HomeRow.id)
            ).all()
            return [_listing(row) for row in rows]

    def current_homes(self, insee: str) -> list[Listing]:
        """The listings that count today."""
        return [home for home in self.homes(insee) if not home.expired]

    def home(self, insee: str, home_id: int) -> Listing:
        with self.sessions() as session:
            return _listing(_row(session, insee, home_id))

    def replace_homes(self, insee: str, homes: Sequence[Home], by: str) -> list[Listing]:
        """The village's listings become ``homes``, in one transaction."""
        now = utcnow()
        with self.transaction() as session:
            self._bump(session)
            before = _village_homes(session, insee)
            session.execute(delete(HomeRow).where(HomeRow.insee == insee))
            rows = [_new_row(insee, home, now, by) for home in homes]
            session.add_all(rows)
            audit_log.write(session, by, "homes.replace", insee, f"{len(homes)} listing(s)")
            session.flush()
            after = _village_homes(session, insee)
            detail = {"listings": len(rows)}
            record_change(session, insee, "homes_replaced", None, detail, before, after, by)
            return [_listing(row) for row in rows]

    def add_home(self, insee: str, home: Home, by: str) -> Listing:
        with self.transaction() as session:
            self._bump(session)
            before = _village_homes(session, insee)
            row = _new_row(insee, home, utcnow(), by)
            session.add(row)
            session.flush()
            listing = _listing(row)
            audit_log.write(session, by, "homes.add", insee, f"#{row.id}: {listing.summary()}")
            after = _village_homes(session, insee)
            record_change(session, insee, "home_added", row.id, listing.detail(), before, after, by)
            return listing

    def change_home(
        self, insee: str, home_id: int, changes: Mapping[str, Any], version: int, by: str
    ) -> Listing:
        """Change a listing made from its ``version``; ``PreconditionFailed`` with the current
        listing when someone changed it since (nothing is written then)."""
        values = {name: changes[name] for name in CHANGEABLE if name in changes}
        with self.transaction() as session:
            self._bump(session)
            before = _village_homes(session, insee)
            done = session.execute(
                update(HomeRow)
                .where(HomeRow.insee == insee, HomeRow.id == home_id, HomeRow.version == version)
                .values(
                    **values,
                    version=HomeRow.version + 1,
                    updated_at=utcnow(),
                    updated_by=by,
                )
            )
            row = _row(session, insee, home_id)
            session.refresh(row)
            if not getattr(done, "rowcount", 0):  # the transaction is rolled back
                raise PreconditionFailed(
                    f"listing {home_id} is at version {row.version}, not {version}: someone "
                    "changed it since; here it is as it stands",
                    _listing(row),
                )
            listed = ", ".join(sorted(values)) or "nothing"
            audit_log.write(session, by, "homes.change", insee, f"#{home_id}: {listed}")
            listing = _listing(row)
            after = _village_homes(session, insee)
            record_change(
                session, insee, "home_changed", home_id, listing.detail(), before, after, by
            )
            return listing

    def confirm_home(self, insee: str, home_id: int, by: str) -> Listing:
        """The listing is still on offer: it expires ``LISTING_DAYS`` from today."""
        with self.transaction() as session:
            self._bump(session)
            before = _village_homes(session, insee)
            row = _row(session, insee, home_id)
            row.expires_at = clock.today() + timedelta(days=LISTING_DAYS)
            row.version += 1
            row.updated_at, row.updated_by = utcnow(), by
            audit_log.write(
                session, by, "homes.confirm", insee, f"#{home_id}: until {row.expires_at}"
            )
            session.flush()
            listing = _listing(row)
            after = _village_homes(session, insee)
            # An expired listing confirmed counts again: a change; one still on offer, none.
            record_change(
                session, insee, "home_confirmed", home_id, listing.detail(), before, after, by
            )
            return listing

    def withdraw_home(self, insee: str, home_id: int, by: str) -> None:
        """Take a listing off; the audit log keeps what it was."""
        with self.transaction() as session:
            self._bump(session)
            row = _row(session, insee, home_id)
            summary = _listing(row).summary()
            session.delete(row)
            audit_log.write(session, by, "homes.withdraw", insee, f"#{home_id}: {summary}")

    def listings(self) -> list[tuple[str, str, float, float]]:
        """Every listing that counts today as ``(insee, tenure, price_eur, bedrooms)``, as
        ``matcher.Recommender`` takes them."""
        with self.sessions() as session:
            rows = session.execute(
                select(HomeRow.insee, HomeRow.tenure, HomeRow.price_eur, HomeRow.bedrooms).where(
                    HomeRow.expires_at >= clock.today()
                )
            ).all()
        return [(insee, tenure, price, bedrooms) for insee, tenure, price, bedrooms in rows]


def _village_homes(session: Session, insee: str) -> dict[str, list[list[Any]]]:
    """The village's listings that count today, as the model reads them (an alert's before
    and after): ``{"homes": [[tenure, price_eur, bedrooms], ...]}``, sorted."""
    rows = session.execute(
        select(HomeRow.tenure, HomeRow.price_eur, HomeRow.bedrooms).where(
            HomeRow.insee == insee, HomeRow.expires_at >= clock.today()
        )
    ).all()
    return {
        "homes": sorted([tenure, float(price), int(bedrooms)] for tenure, price, bedrooms in rows)
    }


def _new_row(insee: str, home: Home, now: datetime, by: str) -> HomeRow:
    today = clock.today()
    return HomeRow(
        insee=insee,
        tenure=home.tenure,
        price_eur=home.price_eur,
        bedrooms=home.bedrooms,
        surface_m2=home.surface_m2,
        note=home.note,
        available_from=home.available_from or today,
        expires_at=home.expires_at or today + timedelta(days=LISTING_DAYS),
        version=1,
        updated_at=now,
        updated_by=by,
    )


def _row(session: Session, insee: str, home_id: int) -> HomeRow:
    row = session.get(HomeRow, home_id)
    if row is None or row.insee != insee:
        raise NotFound("listing", str(home_id), f"village {insee} has no listing {home_id}")
    return row


def _listing(row: HomeRow) -> Listing:
    return Listing(
        id=row.id,
        insee=row.insee,
        version=row.version,
        tenure=row.tenure,
        price_eur=row.price_eur,
        bedrooms=row.bedrooms,
        surface_m2=row.surface_m2,
        note=row.note,
        available_from=row.available_from,
        expires_at=row.expires_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )
