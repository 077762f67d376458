"""How often each village was shown, counted per second, channel and rank (nothing about who
saw it)."""

from collections.abc import Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from service.db.models import ExposureRow
from service.store.base import StoreBase

#: Villages shown are counted per second, channel, village (INSEE code) and rank.
ExposureKey = tuple[datetime, str, str, int]


def exposure_second(at: datetime) -> datetime:
    """The second exposure is counted in."""
    return at.replace(microsecond=0)


class ExposureStore(StoreBase):
    """Counts of the villages shown."""

    def log_exposure(self, counts: Mapping[ExposureKey, int]) -> None:
        """Add to the counts of villages shown, in one transaction (nothing about who saw)."""
        rows = [
            {"at": at, "channel": channel, "insee": insee, "rank": rank, "shown": n}
            for (at, channel, insee, rank), n in counts.items()
        ]
        if not rows:
            return
        table = cast(Table, ExposureRow.__table__)
        statement = (sqlite_insert if self.is_sqlite else postgresql_insert)(table)
        # Another worker, or an earlier write of this one, may have counted the same second.
        statement = statement.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key],
            set_={"shown": table.c.shown + statement.excluded.shown},
        )
        with self.transaction() as session:
            session.connection().execute(statement, rows)

    def exposure(self, since: datetime | None = None) -> tuple[dict[str, int], int]:
        """Appearances per village since a time (to the second), and how many rankings they
        came from."""
        where = [] if since is None else [ExposureRow.at >= exposure_second(since)]
        shown = func.sum(ExposureRow.shown)
        with self.sessions() as session:
            counts = session.execute(
                select(ExposureRow.insee, shown).where(*where).group_by(ExposureRow.insee)
            ).all()
            rankings = session.scalar(select(shown).where(*where, ExposureRow.rank == 1))
        return {insee: int(n) for insee, n in counts}, int(rankings or 0)
