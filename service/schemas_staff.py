"""Request and response bodies of the staff's daily work: the prospects' list and one
prospect's events (api.md, "Staff's daily work")."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from service.outcome_rules import EVENTS, STATUSES

Status = Literal[STATUSES]  # type: ignore[valid-type]
EventName = Literal[EVENTS]  # type: ignore[valid-type]


class ProspectSummary(BaseModel):
    id: str
    name: str | None
    email: str | None
    phone: str | None
    consent: bool
    created_at: datetime
    status: Status = Field(
        description="The furthest outcome: qualified (no event yet), shortlisted, "
        "visit_planned, visited, met_committee, left (left the village they had settled in), "
        "settled (lives in a partner village now)."
    )
    villages: list[str] = Field(description="The villages of the prospect's events (INSEE).")
    last_event_at: datetime | None


class ProspectList(BaseModel):
    total: int = Field(description="Prospects matching the filters, over every page.")
    page: int
    per_page: int
    items: list[ProspectSummary]


class OutcomeOut(BaseModel):
    id: int
    insee: str
    event: EventName
    at: datetime
