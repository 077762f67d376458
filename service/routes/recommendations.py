"""Rankings for prospect profiles: public, nothing personal is stored (only which villages
were shown, for the exposure statistics)."""

from fastapi import APIRouter, Request, Response

from features.profile import Profile
from service.deps import SettingsDep, SnapshotDep, StateDep, state_of
from service.errors import problems
from service.params import K, Lang, resolve_k
from service.responses import json_response
from service.schemas import BatchIn, BatchOut
from service.schemas import Ranking as RankingOut

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])


@router.post("", response_model=RankingOut, responses=problems(413, 415, 429))
async def recommend_one(
    request: Request, profile: Profile, k: K = None, lang: Lang = "fr"
) -> Response:
    """The ranked partner villages for one prospect profile, with reasons and exclusions."""
    # A coroutine: one ranking is a fraction of a millisecond of work that holds the GIL
    # anyway, less than the hop to a pool thread would cost. The state is read from the
    # request rather than through dependencies, which FastAPI resolves on every request of
    # the busiest route.
    state = state_of(request)
    state.rate_limit.check(request)
    snapshot = await state.serving_snapshot()
    chosen_k = resolve_k(k, state.settings.default_k, snapshot)
    (ranking,) = snapshot.recommender.recommend(profile, chosen_k, lang=lang)
    state.exposure.add("public", [ranking])
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
    """One ranking per profile, in the order given."""
    state.rate_limit.check(request, cost=len(body.profiles))
    chosen_k = resolve_k(k, settings.default_k, snapshot)
    rankings = snapshot.recommender.recommend(body.profiles, chosen_k, lang=lang)
    state.exposure.add("batch", rankings)
    return json_response({"rankings": rankings})
