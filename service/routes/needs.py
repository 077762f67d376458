"""What a village needs: public to read, stated and withdrawn by its committee and staff;
current needs feed the ranking from the next request."""

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from service.deps import SnapshotDep, StateDep, VillageDep
from service.errors import problems
from service.params import Insee
from service.responses import json_response
from service.schemas_village import NeedIn, NeedOut, NeedsOut
from service.store import Need
from service.writes import a_write

# Tagged with the villages, where their other paths are.
router = APIRouter(prefix="/v1", tags=["villages"])
NeedId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A need's id.")]


@router.get("/villages/{insee}/needs", response_model=NeedsOut, responses=problems(404))
def needs(insee: Insee, state: StateDep, snapshot: SnapshotDep) -> Response:
    """The village's current needs (public): those past their ``expires_at`` no longer count."""
    state.partner_village(insee)
    listed = [NeedOut.of(need) for need in snapshot.needs.get(insee, ())]
    return json_response({"insee": insee, "name": state.name_of(insee), "needs": listed})


@router.post(
    "/villages/{insee}/needs",
    response_model=NeedOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 403, 404, 413, 415),
)
@a_write
def add_need(insee: Insee, body: NeedIn, state: StateDep, caller: VillageDep) -> Response:
    """State a need: ``kind`` ``school_pupils``, ``trade`` or ``premises`` with its fields
    (see the schema), a plain-language ``note``, ``expires_at`` (default: a year). 201 with
    its ``id``."""
    state.partner_village(insee)
    fields = body.model_dump()
    need = Need(insee=insee, **fields | {"professions": tuple(fields.get("professions", ()))})
    stored = state.store.add_need(need, str(caller))
    response = json_response(NeedOut.of(stored), status.HTTP_201_CREATED)
    response.headers["Location"] = f"/v1/villages/{insee}/needs/{stored.id}"
    return response


@router.delete(
    "/villages/{insee}/needs/{need_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 403, 404),
)
@a_write
def withdraw_need(insee: Insee, need_id: NeedId, state: StateDep, caller: VillageDep) -> Response:
    """Withdraw a need (the audit log keeps what it was)."""
    state.partner_village(insee)
    state.store.withdraw_need(insee, need_id, str(caller))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
