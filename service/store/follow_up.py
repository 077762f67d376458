"""Staff's follow-up of prospects: the list (searched, filtered by status and village, newest
first), one prospect's events, and what the programme's funnel counts.

The programme holds hundreds of prospects, not millions: the list is read whole and filtered
here, so that the search ignores case and accents on every backend (SQLite's ``lower`` knows
ASCII only) and a prospect's status comes from the outcome rules themselves
(``Journey.status``), not from a second reading of them in SQL."""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, select

from service.db.models import AuditRow, OutcomeRow, ProspectRow
from service.exceptions import NotFound
from service.outcome_rules import Event, Journey
from service.store.base import StoreBase
from service.store.outcomes import Outcome
from service.store.prospects import is_prospect_id


@dataclass(frozen=True)
class ProspectLine:
    """A prospect as the staff's list shows it."""

    id: str
    name: str | None
    email: str | None
    phone: str | None
    consent: bool
    created_at: datetime
    status: str
    villages: tuple[str, ...]  # the villages of its events, in the order they came up
    last_event_at: datetime | None


@dataclass(frozen=True)
class FunnelInput:
    """What the funnel counts: when each prospect was qualified (stored), erased ones too (the
    audit log keeps their creation, never their person), and every outcome recorded."""

    qualified: dict[str, datetime]
    outcomes: list[Outcome]


def folded(words: str) -> str:
    """Words compared case and accents aside: "Hélène" is found by "helene"."""
    decomposed = unicodedata.normalize("NFKD", words)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class FollowUpStore(StoreBase):
    """The prospects' list, one prospect's events, the funnel's inputs."""

    def prospect_lines(
        self, q: str = "", status: str | None = None, village: str | None = None
    ) -> list[ProspectLine]:
        """Prospects newest first whose name or email holds ``q``, whose status is ``status``
        and who have an event about ``village`` (each filter when given)."""
        with self.sessions() as session:
            rows = session.execute(
                select(
                    ProspectRow.id,
                    ProspectRow.name,
                    ProspectRow.email,
                    ProspectRow.phone,
                    ProspectRow.consent,
                    ProspectRow.created_at,
                ).order_by(ProspectRow.created_at.desc(), ProspectRow.id)
            ).all()
            events = _linked_events(session.scalars(select(OutcomeRow).order_by(OutcomeRow.id)))
        wanted = folded(q.strip())
        lines = []
        for row in rows:
            if wanted and wanted not in folded(f"{row.name or ''} {row.email or ''}"):
                continue
            line = _line(row, events.get(row.id, []))
            if (status is None or line.status == status) and (
                village is None or village in line.villages
            ):
                lines.append(line)
        return lines

    def outcomes_of(self, prospect_id: str) -> list[Outcome]:
        """The prospect's events, oldest first (by date, then as recorded); ``NotFound`` if
        there is no such prospect."""
        if not is_prospect_id(prospect_id):
            raise NotFound("prospect", prospect_id)
        with self.sessions() as session:
            if session.get(ProspectRow, prospect_id) is None:
                raise NotFound("prospect", prospect_id)
            rows = session.scalars(
                select(OutcomeRow)
                .where(OutcomeRow.prospect_id == prospect_id)
                .order_by(OutcomeRow.at, OutcomeRow.id)
            )
            return [Outcome(r.id, r.prospect_id, r.insee, r.event, r.at) for r in rows]

    def funnel_input(self) -> FunnelInput:
        with self.sessions() as session:
            qualified = {
                target: at
                for at, target in session.execute(
                    select(AuditRow.at, AuditRow.target).where(AuditRow.action == "prospect.create")
                )
            }
            # Prospects stored before the audit log existed (migration 0003) count too.
            for prospect_id, created_at in session.execute(
                select(ProspectRow.id, ProspectRow.created_at)
            ):
                qualified.setdefault(prospect_id, created_at)
            outcomes = [
                Outcome(r.id, r.prospect_id, r.insee, r.event, r.at)
                for r in session.scalars(select(OutcomeRow).order_by(OutcomeRow.id))
            ]
        return FunnelInput(qualified, outcomes)


def _linked_events(rows: Iterable[OutcomeRow]) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = defaultdict(list)
    for row in rows:
        if row.prospect_id is not None:
            found[row.prospect_id].append(Event(row.id, row.insee, row.event, row.at))
    return found


def _line(
    row: "Row[str, str | None, str | None, str | None, bool, datetime]", events: list[Event]
) -> ProspectLine:
    return ProspectLine(
        id=row.id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        consent=row.consent,
        created_at=row.created_at,
        status=Journey.of(events).status(),
        villages=tuple(dict.fromkeys(event.insee for event in events)),
        last_event_at=max((event.at for event in events), default=None),
    )
