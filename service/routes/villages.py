"""The villages: summaries, details, GeoJSON, and the homes staff list for each."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from service.deps import SnapshotDep, StaffDep, StateDep, json_response
from service.errors import problems
from service.schemas import HomesIn, HomesOut, VillageDetail, VillageSummary
from service.store import Home

router = APIRouter(prefix="/v1", tags=["villages"])

Insee = Annotated[str, Path(description="INSEE code of a Gers commune, e.g. 32013 (Auch).")]


@router.get("/villages", response_model=list[VillageSummary])
def villages(
    state: StateDep,
    snapshot: SnapshotDep,
    partner: Annotated[
        bool | None, Query(description="true: partners only; false: the others; absent: all.")
    ] = None,
) -> Response:
    return json_response(state.summaries(partner, snapshot))


@router.get(
    "/villages.geojson",
    responses={200: {"content": {"application/geo+json": {}}}},
    response_class=Response,
)
def villages_geojson(state: StateDep, snapshot: SnapshotDep) -> Response:
    """The partner villages' outlines (EPSG:4326), with their summaries as properties."""
    return Response(state.geojson(snapshot), media_type="application/geo+json")


@router.get("/villages/{insee}", response_model=VillageDetail, responses=problems(404))
def village(insee: Insee, state: StateDep, snapshot: SnapshotDep) -> Response:
    return json_response(state.detail(state.known_village(insee), snapshot))


@router.get("/villages/{insee}/homes", response_model=HomesOut, responses=problems(401, 404))
def homes(insee: Insee, state: StateDep, _caller: StaffDep) -> HomesOut:
    state.partner_village(insee)
    listed = [asdict(home) for home in state.store.homes(insee)]
    return HomesOut.model_validate({"insee": insee, "name": state.name_of(insee), "homes": listed})


@router.put(
    "/villages/{insee}/homes", response_model=HomesOut, responses=problems(401, 404, 413, 415)
)
def replace_homes(insee: Insee, body: HomesIn, state: StateDep, caller: StaffDep) -> HomesOut:
    """Replace the village's listings; the next ranking counts them in its housing criterion."""
    state.partner_village(insee)
    state.store.replace_homes(
        insee, [Home(**item.model_dump()) for item in body.homes], by=str(caller)
    )
    return HomesOut(insee=insee, name=state.name_of(insee), homes=body.homes)
