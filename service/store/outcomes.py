"""Outcomes, recorded under the outcome rules (``service.outcome_rules``), and the Solos
settled in each village that they count."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from service.db.models import OutcomeRow, ProspectRow
from service.exceptions import Conflict, NotFound
from service.outcome_rules import STATE_EVENTS, Event, Journey, Refusal
from service.store import audit_log
from service.store.base import StoreBase, utcnow
from service.store.prospects import is_prospect_id

if TYPE_CHECKING:  # the service reads these as plain rows: pandas costs it too much memory
    import pandas as pd


@dataclass(frozen=True)
class Outcome:
    id: int
    prospect_id: str | None
    insee: str
    event: str
    at: datetime


@dataclass(frozen=True)
class Recorded:
    """An outcome as the store holds it, and whether this request recorded it (False: the
    same event was recorded before, and ``outcome`` is that one)."""

    outcome: Outcome
    created: bool


class OutcomeStore(StoreBase):
    """Outcomes and the Solos settled."""

    def add_outcome(
        self,
        prospect_id: str,
        insee: str,
        event_name: str,
        at: datetime,
        by: str = "unknown",
        label: Callable[[str], str] = str,
    ) -> Recorded:
        """Record an event of a prospect about a village, under the outcome rules: the event
        it repeats if it was recorded before; ``Conflict`` if the rules refuse it (the message
        names villages with ``label``); ``NotFound`` if the prospect is not stored (it may
        have been erased since the caller looked it up)."""
        try:
            with self.transaction() as session:
                _lock_prospect(session, prospect_id)
                verdict = Journey.of(_events(session, prospect_id)).judge(insee, event_name)
                if isinstance(verdict, Refusal):
                    raise Conflict("outcome", prospect_id, refusal_message(verdict, label))
                if verdict is not None:  # the same event, recorded before
                    return Recorded(_outcome(prospect_id, verdict), created=False)
                outcome = self._insert(session, prospect_id, insee, event_name, at, by)
                return Recorded(outcome, created=True)
        except IntegrityError as error:  # the outcome's one reference: the prospect
            raise NotFound("prospect", prospect_id) from error

    def _insert(
        self, session: Session, prospect_id: str, insee: str, event_name: str, at: datetime, by: str
    ) -> Outcome:
        if event_name in STATE_EVENTS:
            self._bump(session)
        row = OutcomeRow(
            prospect_id=prospect_id,
            insee=insee,
            event=event_name,
            at=at,
            recorded_at=utcnow(),
            recorded_by=by,
        )
        session.add(row)
        session.flush()
        detail = f"{insee} {event_name} at {at.isoformat()} (outcome {row.id})"
        audit_log.write(session, by, "outcome.create", prospect_id, detail)
        return Outcome(row.id, prospect_id, insee, event_name, at)

    def solos_settled(self) -> "pd.Series":
        """``settled_counts`` as a pandas Series."""
        import pandas as pd

        return pd.Series(self.settled_counts(), dtype="float64")

    def settled_counts(self) -> dict[str, int]:
        """The Solos settled in each village: distinct prospects whose last ``settled`` or
        ``left`` there is ``settled``. The events of erased prospects, no longer linked to
        anyone, count as ``settled`` minus ``left`` (never below 0): the rules made each
        erased person's events there alternate, so that is how many of them lived there."""
        with self.sessions() as session:
            linked = session.execute(_last_settled_per_village()).all()
            unlinked = session.execute(
                select(OutcomeRow.insee, OutcomeRow.event, func.count())
                .where(OutcomeRow.prospect_id.is_(None), OutcomeRow.event.in_(STATE_EVENTS))
                .group_by(OutcomeRow.insee, OutcomeRow.event)
            ).all()
        net: dict[str, int] = {}
        for insee, event_name, count in unlinked:
            net[insee] = net.get(insee, 0) + (count if event_name == "settled" else -count)
        counts = {insee: max(n, 0) for insee, n in net.items()}
        for insee, count in linked:
            counts[insee] = counts.get(insee, 0) + count
        return counts


def _lock_prospect(session: Session, prospect_id: str) -> None:
    """Lock the prospect's row (PostgreSQL; SQLite's write transaction holds the database),
    so that two outcomes of one prospect are judged one after the other; ``NotFound`` if
    there is none."""
    found = is_prospect_id(prospect_id) and session.scalar(
        select(ProspectRow.id).where(ProspectRow.id == prospect_id).with_for_update()
    )
    if not found:
        raise NotFound("prospect", prospect_id)


def _events(session: Session, prospect_id: str) -> list[Event]:
    rows = session.scalars(
        select(OutcomeRow).where(OutcomeRow.prospect_id == prospect_id).order_by(OutcomeRow.id)
    )
    return [Event(row.id, row.insee, row.event, row.at) for row in rows]


def _outcome(prospect_id: str, event: Event) -> Outcome:
    return Outcome(event.id, prospect_id, event.insee, event.event, event.at)


def _last_settled_per_village() -> Select[str, int]:
    """(insee, prospects) for the prospects whose last ``settled`` or ``left`` in a village is
    ``settled``."""
    later = aliased(OutcomeRow)
    last = (
        select(func.max(later.id))
        .where(
            later.prospect_id == OutcomeRow.prospect_id,
            later.insee == OutcomeRow.insee,
            later.event.in_(STATE_EVENTS),
        )
        .scalar_subquery()
    )
    return (
        select(OutcomeRow.insee, func.count())
        .where(
            OutcomeRow.prospect_id.is_not(None),
            OutcomeRow.event == "settled",
            OutcomeRow.id == last,
        )
        .group_by(OutcomeRow.insee)
    )


def refusal_message(refusal: Refusal, label: Callable[[str], str] = str) -> str:
    """Why the rules refuse an event, and what to record instead."""
    home = refusal.home
    where = "" if home is None else f"settled in {label(home.insee)} since {home.at:%Y-%m-%d}"
    if refusal.reason == "settled_elsewhere" and home is not None:
        return (
            f"the prospect is {where} (outcome {home.id}): a prospect lives in one village at "
            f"a time; record their 'left' from {home.insee} first"
        )
    return (
        f"the prospect is not settled in {label(refusal.insee)}"
        + (f" (they are {where})" if where else "")
        + ": a 'left' is recorded only after a 'settled' in that village"
    )
