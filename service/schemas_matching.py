"""Request and response bodies of two-sided matching (api.md, "Staff's daily work" and
"Rankings, two-sided"): the prospects a village fits, alerts, allocations."""

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from features.profile import JSON_NUMBER
from service.schemas import ProspectId, Request

#: Prospects one allocation may hold (1,000 ids fit well within the 64 KiB body limit).
MAX_ALLOCATED = 1500
#: A quarter: ``2027-Q1``, in the years the service accepts dates for.
QUARTER = r"^(20[0-9]{2}|2100)-Q[1-4]$"
QUARTER_RE = re.compile(QUARTER)


# -- the prospects a village fits --------------------------------------------------------------


class VillageProspect(BaseModel):
    """A consented prospect the village fits, as staff see them."""

    rank: int = Field(description="Rank in this list (by the village's score for them).")
    id: str = Field(description="The prospect's id.")
    committee_id: str = Field(
        description="The opaque id the village's committee sees this prospect by."
    )
    name: str | None
    email: str | None
    phone: str | None
    profile: dict[str, object]
    score: float = Field(ge=0, le=1, description="The model's score of the village for them.")
    rank_for_them: int = Field(description="The village's rank in the prospect's own ranking.")
    contributions: dict[str, float]
    reasons: list[str]


class AnonymousVillageProspect(BaseModel):
    """A consented prospect the village fits, as its committee sees them: no name, email,
    phone or free text; profession and children as precise as at least 3 of the list share."""

    rank: int
    id: str = Field(description="Opaque, for this village only: name it to staff.")
    profession: str
    household: str
    housing: str = Field(description="Tenure and a budget band, never the exact amount.")
    score: float = Field(ge=0, le=1)
    answers_needs: bool = Field(description="Whether they answer one of the village's needs.")


class VillageProspectsOut(BaseModel):
    insee: str
    name: str
    k: int
    anonymised: bool = Field(description="True for the village's committee.")
    consented: int = Field(description="Consented prospects whose must-haves the village meets.")
    prospects: list[VillageProspect] | list[AnonymousVillageProspect]


# -- alerts ------------------------------------------------------------------------------------


class AlertProspect(BaseModel):
    id: str
    name: str | None
    email: str | None


class AlertVillage(BaseModel):
    insee: str
    name: str


class AlertChange(BaseModel):
    kind: Literal["home_added", "home_changed", "home_confirmed", "homes_replaced", "need_added"]
    id: int | None = Field(description="The listing's or the need's id.")
    text: str = Field(description="What changed, in words (in `lang`).")
    at: datetime
    by: str = Field(description="Who made the change (role and key or account id).")


class AlertFit(BaseModel):
    score: float = Field(ge=0, le=1)
    rank: int = Field(description="The village's rank in the prospect's ranking now.")
    k: int = Field(description="The top k of the prospect's ranking this alert watches.")
    entered_top_k: bool
    must_passes: bool = Field(description="The village now meets every must-have they set.")
    contributions: dict[str, float]
    reasons: list[str]


class AlertOut(BaseModel):
    id: int
    at: datetime
    prospect: AlertProspect
    village: AlertVillage
    change: AlertChange
    fit: AlertFit


class AlertsOut(BaseModel):
    pending_changes: int = Field(
        description="Changes whose alerts could not be computed yet (tried again)."
    )
    alerts: list[AlertOut]


# -- allocations -------------------------------------------------------------------------------


class AllocationIn(Request):
    prospect_ids: Annotated[
        list[ProspectId],
        Field(
            min_length=1,
            max_length=MAX_ALLOCATED,
            description="Stored prospects, each once (an unknown one: 404 naming it).",
            json_schema_extra={"uniqueItems": True},
        ),
    ]
    k: Annotated[
        int, Field(ge=1, description="Villages proposed to each prospect."), JSON_NUMBER
    ] = 3
    quarter: Annotated[
        str | None,
        Field(
            pattern=QUARTER,
            description="The quarter whose capacity it uses, e.g. 2027-Q1 (default: today's).",
        ),
    ] = None
    max_loss: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            description="How far below a prospect's plain k-th best village a proposed one's "
            "score may be.",
        ),
        JSON_NUMBER,
    ] = 0.05
    dry_run: bool = Field(
        False, description="Answer the proposals without recording them (capacity unchanged)."
    )


class ProposedVillage(BaseModel):
    rank: int
    insee: str
    name: str
    score: float


class AllocationProposal(BaseModel):
    prospect_id: str
    villages: list[ProposedVillage]
    short: bool = Field(description="Given fewer than k villages.")
    why: str | None = Field(description="Why, in words, when short.")


class VillageLoad(BaseModel):
    insee: str
    name: str
    capacity: int | None = Field(description="The committee's capacity a quarter; None: unstated.")
    allocated_before: int = Field(description="Prospects of other allocations this quarter.")
    capacity_left: int = Field(description="What this allocation could give it.")
    load: int = Field(description="Prospects this allocation gives it (at most capacity_left).")


class AllocationOut(BaseModel):
    quarter: str
    recorded: bool
    k: int
    max_loss: float
    method: Literal["exact", "greedy"]
    total_score: float
    bound: float = Field(description="The best total possible, as the solver proves it.")
    gap: float = Field(description="(bound - total) / bound: 0 when proven optimal.")
    optimal: bool
    proposals: list[AllocationProposal]
    short: list[str] = Field(description="Prospects given fewer than k villages.")
    villages: list[VillageLoad]
