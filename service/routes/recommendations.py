"""Rankings for prospect profiles: public, nothing personal is stored (only which villages
were shown, for the exposure statistics)."""

from fastapi import APIRouter, Request, Response

from features.profile import Profile
from service.deps import SettingsDep, SnapshotDep, StateDep, key_holder, key_holder_of, state_of
from service.errors import problems
from service.params import K, Lang, resolve_k
from service.responses import json_response, staff_ranking
from service.schemas import BatchIn, BatchOut
from service.schemas import Ranking as RankingOut

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])


@router.post("", response_model=RankingOut, responses=problems(413, 415, 429))
async def recommend_one(
    request: Request, profile: Profile, k: K = None, lang: Lang = "fr"
) -> Response:
    """The ranked partner villages for one prospect profile, with reasons and exclusions.

    Without a staff or analyst key (``X-API-Key``), each ranking counts against the
    per-address rate limit (429 past it); a refused request counts nothing. With a staff or
    analyst key, each result whose committee stated its capacity carries
    ``committee.capacity_left``.
    """
    # A coroutine: one ranking is a fraction of a millisecond of work that holds the GIL
    # anyway, less than the hop to a pool thread would cost. The state is read from the
    # request rather than through dependencies, which FastAPI resolves on every request of
    # the busiest route.
    state = state_of(request)
    snapshot = await state.serving_snapshot()
    chosen_k = resolve_k(k, state.settings.default_k, snapshot)
    holder = await key_holder(request)
    if holder is None:  # counted once nothing else refuses it
        state.rate_limit.check(request)
    (ranking,) = snapshot.recommender.recommend(profile, chosen_k, lang=lang)
    state.exposure.add("public", [ranking])
    if holder is not None and holder.may("staff"):
        return json_response(staff_ranking(ranking, snapshot))
    return json_response(ranking)


@router.post("/batch", response_model=BatchOut, responses=problems(413, 415, 429))
def recommend_batch(
    request: Request,
    body: BatchIn,
    state: StateDep,
    snapshot: SnapshotDep,
    settings: SettingsDep,
    k: K = None,
    lang: Lang = "fr",
) -> Response:
    """One ranking per profile, in the order given.

    Without a staff or analyst key (``X-API-Key``), each profile counts against the
    per-address rate limit (429 past it), and a batch may hold no more profiles than the limit
    allows in a whole window (422 on ``profiles`` naming that number, at once: waiting would
    not help); a refused request counts nothing. With a staff or analyst key, each result
    whose committee stated its capacity carries ``committee.capacity_left``.
    """
    chosen_k = resolve_k(k, settings.default_k, snapshot)
    holder = key_holder_of(request, snapshot)
    if holder is None:  # counted once nothing else refuses it
        state.rate_limit.check(request, cost=len(body.profiles))
    rankings = snapshot.recommender.recommend(body.profiles, chosen_k, lang=lang)
    state.exposure.add("batch", rankings)
    if holder is not None and holder.may("staff"):
        return json_response({"rankings": [staff_ranking(r, snapshot) for r in rankings]})
    return json_response({"rankings": rankings})
