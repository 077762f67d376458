"""The villages: summaries, one village's detail, and the partners' outlines as GeoJSON."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.deps import SnapshotDep, StateDep
from service.errors import problems
from service.params import Insee
from service.responses import json_response
from service.schemas import VillageSummary
from service.schemas_village import VillageDetail

router = APIRouter(prefix="/v1", tags=["villages"])


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
