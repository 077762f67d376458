"""A village's welcome committee: how many families it can accompany in a quarter, and its
contact (never public): read and changed by the committee and staff."""

from dataclasses import asdict

from fastapi import APIRouter

from service.deps import StateDep, VillageDep
from service.errors import problems
from service.params import Insee
from service.schemas_village import CommitteeIn, CommitteeOut
from service.writes import a_write

router = APIRouter(prefix="/v1", tags=["villages"])


def committee_out(state: StateDep, insee: str) -> CommitteeOut:
    found = asdict(state.store.committee(insee))
    return CommitteeOut.model_validate(found | {"name": state.name_of(insee)})


@router.get(
    "/villages/{insee}/committee", response_model=CommitteeOut, responses=problems(401, 403, 404)
)
def committee(insee: Insee, state: StateDep, _caller: VillageDep) -> CommitteeOut:
    """The committee's capacity per quarter (null until stated) and contact."""
    state.partner_village(insee)
    return committee_out(state, insee)


@router.put(
    "/villages/{insee}/committee",
    response_model=CommitteeOut,
    responses=problems(401, 403, 404, 413, 415),
)
@a_write
def set_committee(
    insee: Insee, body: CommitteeIn, state: StateDep, caller: VillageDep
) -> CommitteeOut:
    """Set the capacity per quarter (0 to 50 families accompanied at once) and the contact."""
    state.partner_village(insee)
    state.store.set_committee(
        insee, body.capacity_per_quarter, body.contact_name, body.contact_email, str(caller)
    )
    return committee_out(state, insee)
