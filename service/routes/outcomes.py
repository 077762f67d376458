"""Outcomes: what a prospect did about a village, feedback for learning and evaluation."""

from datetime import UTC

from fastapi import APIRouter, status

from service.deps import StaffDep, StateDep
from service.errors import problems
from service.schemas import OutcomeCreated, OutcomeIn
from service.store import utcnow

# Tagged with the prospects, where the OpenAPI document has always listed this path.
router = APIRouter(prefix="/v1", tags=["prospects"])


@router.post(
    "/outcomes",
    response_model=OutcomeCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 404, 413, 415),
)
def create_outcome(body: OutcomeIn, state: StateDep, _caller: StaffDep) -> OutcomeCreated:
    """Record what a prospect did about a village: feedback for learning and evaluation."""
    state.store.prospect(body.prospect_id)
    state.known_village(body.insee)
    at = (body.at or utcnow()).astimezone(UTC)  # answered as stored
    outcome_id = state.store.add_outcome(body.prospect_id, body.insee, body.event, at)
    return OutcomeCreated(
        id=outcome_id, prospect_id=body.prospect_id, insee=body.insee, event=body.event, at=at
    )
