"""Outcomes: what a prospect did about a village, feedback for learning and evaluation, and
the source of the public Solos settled, recorded under the outcome rules."""

from datetime import UTC
from typing import Any

from fastapi import APIRouter, Response, status

from service.auth import Caller
from service.deps import StaffDep, StateDep
from service.errors import invalid, problems
from service.schemas import OutcomeCreated, OutcomeIn, Problem
from service.state import ServiceState
from service.store import utcnow

# Tagged with the prospects, where the OpenAPI document has always listed this path.
router = APIRouter(prefix="/v1", tags=["prospects"])

ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "model": OutcomeCreated,
        "description": "The same event of this prospect about this village was recorded "
        "before (a retry, say): nothing is stored, and the answer is the first one.",
    },
    **problems(401, 404, 413, 415, 503),
    409: {
        "model": Problem,
        "description": "The outcome rules refuse the event: the prospect is settled in "
        "another village (record their 'left' there first), or a 'left' from a village they "
        "are not settled in. The message says where they are settled.",
    },
}


@router.post(
    "/outcomes",
    response_model=OutcomeCreated,
    status_code=status.HTTP_201_CREATED,
    responses=ANSWERS,
)
async def create_outcome(
    body: OutcomeIn, state: StateDep, caller: StaffDep, response: Response
) -> OutcomeCreated:
    """Record what a prospect did about a village, under the outcome rules: a partner village
    only; the same event twice is stored once (200 with the first); a prospect is settled in
    one village at a time, and leaves only a village they settled in (409 otherwise).

    A village that is not a partner (``insee``) or a date in the future (``at``) is invalid
    input: 422, naming the field."""
    return await state.writes.run(_record, body, state, caller, response)


def _record(
    body: OutcomeIn, state: ServiceState, caller: Caller, response: Response
) -> OutcomeCreated:
    state.known_village(body.insee)
    if body.insee not in state.partner_codes:
        invalid(
            ("body", "insee"),
            f"village {state.label(body.insee)} is not a partner village: outcomes are "
            "recorded for partner villages only",
            body.insee,
        )
    at = (body.at or utcnow()).astimezone(UTC)  # answered as stored
    recorded = state.store.add_outcome(
        body.prospect_id, body.insee, body.event, at, by=str(caller), label=state.label
    )
    if not recorded.created:
        response.status_code = status.HTTP_200_OK
    outcome = recorded.outcome
    return OutcomeCreated(
        id=outcome.id,
        prospect_id=body.prospect_id,
        insee=outcome.insee,
        event=outcome.event,
        at=outcome.at,
    )
