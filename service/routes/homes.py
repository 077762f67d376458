"""The homes staff list for each partner village (they feed the housing criterion)."""

from dataclasses import asdict

from fastapi import APIRouter

from service.auth import Caller
from service.deps import StaffDep, StateDep
from service.errors import problems
from service.params import Insee
from service.schemas import HomesIn, HomesOut
from service.state import ServiceState
from service.store import Home

# Tagged with the villages, where the OpenAPI document has always listed these paths.
router = APIRouter(prefix="/v1", tags=["villages"])


@router.get("/villages/{insee}/homes", response_model=HomesOut, responses=problems(401, 404, 503))
def homes(insee: Insee, state: StateDep, _caller: StaffDep) -> HomesOut:
    state.partner_village(insee)
    listed = [asdict(home) for home in state.store.homes(insee)]
    return HomesOut.model_validate({"insee": insee, "name": state.name_of(insee), "homes": listed})


@router.put(
    "/villages/{insee}/homes",
    response_model=HomesOut,
    responses=problems(401, 404, 413, 415, 503),
)
async def replace_homes(insee: Insee, body: HomesIn, state: StateDep, caller: StaffDep) -> HomesOut:
    """Replace the village's listings; the next ranking counts them in its housing criterion."""
    return await state.writes.run(_replace_homes, insee, body, state, caller)


def _replace_homes(insee: str, body: HomesIn, state: ServiceState, caller: Caller) -> HomesOut:
    state.partner_village(insee)
    state.store.replace_homes(
        insee, [Home(**item.model_dump()) for item in body.homes], by=str(caller)
    )
    return HomesOut(insee=insee, name=state.name_of(insee), homes=body.homes)
