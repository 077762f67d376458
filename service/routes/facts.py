"""Corrections of village facts: a committee proposes (with a source and a date), staff
approve or reject (with a reason, kept); an approved value is used from the next ranking and
shown, with its provenance, in GET /v1/villages/{insee}."""

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status

from service.corrections import checked_value
from service.deps import StaffDep, StateDep, VillageDep
from service.errors import problems
from service.params import Insee
from service.schemas_village import ProposalIn, ProposalOut, ReviewIn
from service.store import Proposal
from service.writes import a_write

router = APIRouter(prefix="/v1", tags=["villages"])
ProposalId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A proposal's id.")]
Status = Literal["pending", "approved", "rejected"]


def out(proposal: Proposal) -> ProposalOut:
    return ProposalOut.model_validate(asdict(proposal))


@router.post(
    "/villages/{insee}/facts/proposals",
    response_model=ProposalOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 403, 404, 413, 415),
)
@a_write
def propose(insee: Insee, body: ProposalIn, state: StateDep, caller: VillageDep) -> ProposalOut:
    """Propose a fact's true value (a collège closed: minutes_to_middle_school; fibre
    arrived: ftth_share...). A field the model does not use, or a value outside the field's
    documented range, is refused with 422. Staff review it."""
    state.partner_village(insee)
    value = checked_value(body.field, body.value)
    return out(
        state.store.propose_fact(
            insee, body.field, value, body.source, body.observed_at, str(caller)
        )
    )


@router.get(
    "/villages/{insee}/facts/proposals",
    response_model=list[ProposalOut],
    responses=problems(401, 403, 404),
)
def village_proposals(insee: Insee, state: StateDep, _caller: VillageDep) -> list[ProposalOut]:
    """The village's proposals, newest first, with their review."""
    state.partner_village(insee)
    return [out(p) for p in state.store.proposals(insee=insee)]


@router.get("/facts/proposals", response_model=list[ProposalOut], responses=problems(401, 403))
def proposals(
    state: StateDep,
    _caller: StaffDep,
    status: Annotated[Status | None, Query(description="Only those of this status.")] = None,
) -> list[ProposalOut]:
    """Every village's proposals, newest first (``status=pending``: what waits for review)."""
    return [out(p) for p in state.store.proposals(status=status)]


@router.post(
    "/facts/proposals/{proposal_id:int}/approve",
    response_model=ProposalOut,
    responses=problems(401, 403, 404, 409),
)
@a_write
def approve(proposal_id: ProposalId, state: StateDep, caller: StaffDep) -> ProposalOut:
    """Approve: the value overrides the packaged one from the next ranking. No body."""
    return out(state.store.review_fact(proposal_id, True, str(caller)))


@router.post(
    "/facts/proposals/{proposal_id:int}/reject",
    response_model=ProposalOut,
    responses=problems(401, 403, 404, 409, 413, 415),
)
@a_write
def reject(
    proposal_id: ProposalId, body: ReviewIn, state: StateDep, caller: StaffDep
) -> ProposalOut:
    """Reject, saying why (the reason is kept and shown to the committee)."""
    return out(state.store.review_fact(proposal_id, False, str(caller), body.reason))
