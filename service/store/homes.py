"""The homes on offer in each village, as staff list them."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select

from service.db.models import HomeRow
from service.store import audit_log
from service.store.base import StoreBase, utcnow


@dataclass(frozen=True)
class Home:
    tenure: str
    price_eur: float
    bedrooms: int
    surface_m2: float | None = None
    description: str | None = None


class HomeStore(StoreBase):
    """The listings of each village."""

    def homes(self, insee: str) -> list[Home]:
        with self.sessions() as session:
            rows = session.scalars(
                select(HomeRow).where(HomeRow.insee == insee).order_by(HomeRow.id)
            ).all()
            return [_home(row) for row in rows]

    def replace_homes(self, insee: str, homes: Sequence[Home], by: str) -> list[Home]:
        """The village's listings become ``homes``, in one transaction."""
        now = utcnow()
        with self.transaction() as session:
            self._bump(session)
            session.execute(delete(HomeRow).where(HomeRow.insee == insee))
            session.add_all(
                HomeRow(
                    insee=insee,
                    tenure=home.tenure,
                    price_eur=home.price_eur,
                    bedrooms=home.bedrooms,
                    surface_m2=home.surface_m2,
                    description=home.description,
                    updated_at=now,
                    updated_by=by,
                )
                for home in homes
            )
            audit_log.write(session, by, "homes.replace", insee, f"{len(homes)} listing(s)")
        return list(homes)

    def listings(self) -> list[tuple[str, str, float, float]]:
        """Every listing as ``(insee, tenure, price_eur, bedrooms)``, as ``matcher.Recommender``
        takes them."""
        with self.sessions() as session:
            rows = session.execute(
                select(HomeRow.insee, HomeRow.tenure, HomeRow.price_eur, HomeRow.bedrooms)
            ).all()
        return [(insee, tenure, price, bedrooms) for insee, tenure, price, bedrooms in rows]


def _home(row: HomeRow) -> Home:
    return Home(row.tenure, row.price_eur, row.bedrooms, row.surface_m2, row.description)
