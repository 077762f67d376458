"""The active weight profile: staff read it, analysts change it."""

from fastapi import APIRouter

from matcher.weights import WeightProfile
from service.auth import Caller
from service.deps import AnalystDep, SnapshotDep, StaffDep, StateDep
from service.errors import problems
from service.exceptions import Conflict
from service.schemas import WeightsIn, WeightsOut
from service.state import ServiceState
from service.store import StoredWeights, utcnow

router = APIRouter(prefix="/v1", tags=["weights"])
#: Attempts at a fresh version name when two analysts save at the same moment.
VERSION_ATTEMPTS = 5


def weights_out(stored: StoredWeights) -> WeightsOut:
    profile = stored.profile
    return WeightsOut(
        name=profile.name,
        version=profile.version,
        description=profile.description,
        weights=dict(profile.weights),
        created_at=stored.created_at,
        created_by=stored.created_by,
    )


@router.get("/weights", response_model=WeightsOut, responses=problems(401, 503))
def active_weights(snapshot: SnapshotDep, _caller: StaffDep) -> WeightsOut:
    return weights_out(snapshot.weights)


@router.put("/weights", response_model=WeightsOut, responses=problems(401, 403, 413, 415, 503))
async def replace_weights(body: WeightsIn, state: StateDep, caller: AnalystDep) -> WeightsOut:
    """Validate a new weight profile, version it, and use it from the next request."""
    return await state.writes.run(_replace_weights, body, state, caller)


def _replace_weights(body: WeightsIn, state: ServiceState, caller: Caller) -> WeightsOut:
    weights = body.weights.model_dump()
    for _ in range(VERSION_ATTEMPTS):
        version = f"{utcnow():%Y-%m-%d}.{state.store.weight_profile_count() + 1}"
        profile = WeightProfile(body.name, version, weights, body.description)
        try:
            return weights_out(state.store.add_weights(profile, by=str(caller)))
        except Conflict:
            continue  # another profile took this version number meanwhile
    raise RuntimeError(f"no free weight profile version after {VERSION_ATTEMPTS} attempts")
