"""Allocations under the committees' capacity (api.md, "Staff's daily work"): k villages for
each prospect, no committee over its capacity left for the quarter (``service.allocations``)."""

from collections import Counter

from fastapi import APIRouter, Response

from features.profile import Profile
from service import clock
from service.allocations import Allocation, allocate_stored
from service.deps import SnapshotDep, StaffDep, StateDep
from service.errors import invalid, problems
from service.exceptions import NotFound
from service.params import Lang
from service.responses import json_response
from service.schemas_matching import AllocationIn, AllocationOut
from service.store import quarter_of

router = APIRouter(prefix="/v1", tags=["prospects"])


@router.post(
    "/allocations", response_model=AllocationOut, responses=problems(401, 403, 404, 413, 415)
)
def allocations(
    body: AllocationIn,
    state: StateDep,
    snapshot: SnapshotDep,
    caller: StaffDep,
    lang: Lang = "fr",
) -> Response:
    """Propose ``k`` villages to each prospect so that no village receives more prospects than
    its committee's capacity left for the ``quarter`` (its ``capacity_per_quarter`` less the
    prospects other allocations of that quarter gave it), maximising the total score (an exact
    assignment, solved by HiGHS), each proposal within ``max_loss`` of the prospect's plain
    k-th best village and never one a must-have excludes.

    The proposals are recorded (unless ``dry_run``): they count against the capacity of the
    quarter from then on; a prospect allocated again in the same quarter has their earlier
    proposals replaced, so the same allocation run twice answers the same. A village whose
    committee never stated its capacity takes no one. Prospects who cannot all get ``k``
    villages are in ``short``, each with ``why`` in words; never left out. ``gap`` is how far
    the total is from the best possible (0 when proven optimal). Unknown prospect ids: 404
    naming them all (as an unknown prospect is everywhere)."""
    ids = list(body.prospect_ids)
    partners = len(snapshot.recommender.villages)
    if body.k > partners:
        invalid(
            ("body", "k"),
            f"Input should be less than or equal to {partners} (the partner villages)",
            body.k,
            kind="less_than_equal",
            context={"le": partners},
        )
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        invalid(
            ("body", "prospect_ids"), f"expected each prospect once, found {repeated}", repeated
        )
    stored = state.store.prospects_of(ids)
    unknown = [i for i in ids if i not in stored]
    if unknown:
        raise NotFound("prospect", unknown[0], f"no such prospect: {', '.join(unknown)}")
    profiles = [Profile.model_validate(stored[i].profile) for i in ids]
    quarter = body.quarter or quarter_of(clock.today())
    answer = allocate_stored(
        state,
        snapshot.recommender,
        Allocation(ids, profiles, quarter, body.k, body.max_loss),
        str(caller),
        record=not body.dry_run,
        lang=lang,
    )
    return json_response(answer.to_dict() | {"quarter": quarter, "recorded": not body.dry_run})
