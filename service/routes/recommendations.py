"""Rankings for prospect profiles: public, nothing personal is stored (only which villages
were shown, for the exposure statistics)."""

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, BackgroundTasks, Query, Response

from features.profile import Profile
from matcher import Ranking
from service.deps import SettingsDep, SnapshotDep, StateDep
from service.errors import invalid
from service.schemas import BatchIn, BatchOut
from service.schemas import Ranking as RankingOut
from service.state import ServiceState, Snapshot

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])

Lang = Annotated[Literal["fr", "en"], Query(description="Language of reasons and labels.")]
K = Annotated[
    int | None,
    Query(ge=1, description="Results per ranking, up to the number of partner villages."),
]


def resolve_k(k: int | None, default: int, snapshot: Snapshot) -> int:
    villages = len(snapshot.recommender.villages)
    if k is None:
        return min(default, villages)
    if k > villages:
        invalid(
            ("query", "k"),
            f"Input should be less than or equal to {villages} (the partner villages)",
            k,
            kind="less_than_equal",
            context={"le": villages},
        )
    return k


def json_response(body: object, status_code: int = 200) -> Response:
    # The rankings are built from checked values: serialising them directly spares a second
    # validation of every field.
    return Response(orjson.dumps(body), status_code, media_type="application/json")


def log_shown(state: ServiceState, channel: str, rankings: list[Ranking]) -> None:
    state.store.log_exposure(
        channel, [(r.insee, r.rank) for ranking in rankings for r in ranking.results]
    )


@router.post("", response_model=RankingOut)
def recommend_one(
    profile: Profile,
    state: StateDep,
    snapshot: SnapshotDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    k: K = None,
    lang: Lang = "fr",
) -> Response:
    """The ranked partner villages for one prospect profile, with reasons and exclusions."""
    chosen_k = resolve_k(k, settings.default_k, snapshot)
    (ranking,) = snapshot.recommender.recommend(profile, chosen_k, lang=lang)
    background.add_task(log_shown, state, "public", [ranking])
    return json_response(ranking.to_dict())


@router.post("/batch", response_model=BatchOut)
def recommend_batch(
    body: BatchIn,
    state: StateDep,
    snapshot: SnapshotDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    k: K = None,
    lang: Lang = "fr",
) -> Response:
    """One ranking per profile, in the order given."""
    chosen_k = resolve_k(k, settings.default_k, snapshot)
    rankings = snapshot.recommender.recommend(body.profiles, chosen_k, lang=lang)
    background.add_task(log_shown, state, "batch", rankings)
    return json_response({"rankings": [r.to_dict() for r in rankings]})
