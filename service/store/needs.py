"""What each village needs (pupils for its school, a trade or service it lacks, premises for a
professional), kept as typed rows the ranking reads."""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import clock
from service.db.models import NeedProfessionRow, NeedRow
from service.exceptions import NotFound
from service.store import audit_log
from service.store.alerts import record_change
from service.store.base import StoreBase, utcnow

#: A need's life when none is given.
NEED_DAYS = 365


@dataclass(frozen=True)
class Need:
    """A village's need, flat: ``kind`` says which fields are set.

    - ``school_pupils``: ``school``, ``age_min``, ``age_max``, ``pupils``, ``by``;
    - ``trade``: ``professions`` (codes of ``features.vocab.PROFESSIONS``) and/or ``service``
      (a code of ``features.vocab.SERVICES``);
    - ``premises``: ``use`` (``features.vocab.PREMISES_USES``), ``surface_m2``, ``rent_eur``.
    """

    insee: str
    kind: str
    note: str | None = None
    expires_at: date | None = None  # default: NEED_DAYS from today
    school: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    pupils: int | None = None
    by: date | None = None
    professions: tuple[str, ...] = ()
    service: str | None = None
    use: str | None = None
    surface_m2: float | None = None
    rent_eur: float | None = None
    id: int = 0  # given when stored
    created_at: datetime | None = None
    created_by: str = ""

    def summary(self) -> str:
        """What the audit log says of it (no free text)."""
        if self.kind == "school_pupils":
            return f"school_pupils: {self.pupils} aged {self.age_min}-{self.age_max} by {self.by}"
        if self.kind == "trade":
            return f"trade: {'+'.join(self.professions) or '-'} / {self.service or '-'}"
        return f"premises: {self.use} {self.surface_m2:g} m2, {self.rent_eur:g} EUR"

    def to_json(self) -> dict[str, Any]:
        """The need as JSON (a change's before and after); ``from_json`` reads it back."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["professions"] = list(self.professions)
        for name in ("expires_at", "by", "created_at"):
            values[name] = values[name].isoformat() if values[name] is not None else None
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> "Need":
        moments = {
            "expires_at": date.fromisoformat,
            "by": date.fromisoformat,
            "created_at": datetime.fromisoformat,
        }
        read: dict[str, Any] = {
            name: (moments[name](value) if name in moments and value is not None else value)
            for name, value in values.items()
        }
        read["professions"] = tuple(read.get("professions", ()))
        return cls(**read)


class NeedStore(StoreBase):
    """Villages' needs."""

    def add_need(self, need: Need, by: str) -> Need:
        with self.transaction() as session:
            self._bump(session)
            row = _need_row(need, by)
            session.add(row)
            session.flush()
            session.add_all(
                NeedProfessionRow(need_id=row.id, profession=code)
                for code in dict.fromkeys(need.professions)
            )
            stored = _need(session, row)
            audit_log.write(session, by, "needs.add", need.insee, f"#{row.id}: {stored.summary()}")
            after = _village_needs(session, need.insee)
            before = {"needs": [n for n in after["needs"] if n["id"] != row.id]}
            detail = stored.to_json()
            record_change(session, need.insee, "need_added", row.id, detail, before, after, by)
            return stored

    def needs(self, insee: str, include_expired: bool = False) -> list[Need]:
        """The village's needs, oldest first; current ones only unless asked."""
        with self.sessions() as session:
            query = select(NeedRow).where(NeedRow.insee == insee).order_by(NeedRow.id)
            if not include_expired:
                query = query.where(NeedRow.expires_at >= clock.today())
            return [_need(session, row) for row in session.scalars(query)]

    def current_needs(self) -> list[Need]:
        """Every village's needs that count today (not expired), by village then age: what
        the ranking reads."""
        with self.sessions() as session:
            rows = session.scalars(
                select(NeedRow)
                .where(NeedRow.expires_at >= clock.today())
                .order_by(NeedRow.insee, NeedRow.id)
            ).all()
            professions: dict[int, list[str]] = {}
            for need_id, code in session.execute(
                select(NeedProfessionRow.need_id, NeedProfessionRow.profession)
            ):
                professions.setdefault(need_id, []).append(code)
            return [_need_of(row, professions.get(row.id, [])) for row in rows]

    def withdraw_need(self, insee: str, need_id: int, by: str) -> None:
        with self.transaction() as session:
            self._bump(session)
            row = session.get(NeedRow, need_id)
            if row is None or row.insee != insee:
                raise NotFound("need", str(need_id), f"village {insee} has no need {need_id}")
            summary = _need(session, row).summary()
            session.execute(delete(NeedProfessionRow).where(NeedProfessionRow.need_id == need_id))
            session.delete(row)
            audit_log.write(session, by, "needs.withdraw", insee, f"#{need_id}: {summary}")


def _village_needs(session: Session, insee: str) -> dict[str, list[dict[str, Any]]]:
    """The village's needs that count today, as JSON (an alert's before and after)."""
    rows = session.scalars(
        select(NeedRow)
        .where(NeedRow.insee == insee, NeedRow.expires_at >= clock.today())
        .order_by(NeedRow.id)
    ).all()
    return {"needs": [_need(session, row).to_json() for row in rows]}


def _need_row(need: Need, by: str) -> NeedRow:
    return NeedRow(
        insee=need.insee,
        kind=need.kind,
        note=need.note,
        expires_at=need.expires_at or clock.today() + timedelta(days=NEED_DAYS),
        school=need.school,
        age_min=need.age_min,
        age_max=need.age_max,
        pupils=need.pupils,
        by_date=need.by,
        service=need.service,
        premises_use=need.use,
        surface_m2=need.surface_m2,
        rent_eur=need.rent_eur,
        created_at=utcnow(),
        created_by=by,
    )


def _need(session: Session, row: NeedRow) -> Need:
    codes = session.scalars(
        select(NeedProfessionRow.profession)
        .where(NeedProfessionRow.need_id == row.id)
        .order_by(NeedProfessionRow.profession)
    ).all()
    return _need_of(row, list(codes))


def _need_of(row: NeedRow, professions: list[str]) -> Need:
    return Need(
        insee=row.insee,
        kind=row.kind,
        note=row.note,
        expires_at=row.expires_at,
        school=row.school,
        age_min=row.age_min,
        age_max=row.age_max,
        pupils=row.pupils,
        by=row.by_date,
        professions=tuple(sorted(professions)),
        service=row.service,
        use=row.premises_use,
        surface_m2=row.surface_m2,
        rent_eur=row.rent_eur,
        id=row.id,
        created_at=row.created_at,
        created_by=row.created_by,
    )
