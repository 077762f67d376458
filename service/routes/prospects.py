"""Prospects (personal data: staff only) and their shortlists."""

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import HTMLResponse

from features.profile import Profile
from service import pages
from service.auth import Caller
from service.deps import SettingsDep, SnapshotDep, StaffDep, StateDep
from service.errors import problems
from service.exceptions import NotFound
from service.outcome_rules import STATUSES
from service.params import K, Lang, resolve_k
from service.responses import SHORTLIST_POLICY, json_response, page_headers, staff_ranking
from service.schemas import ProspectCreated, ProspectIn, ProspectOut
from service.schemas import Ranking as RankingOut
from service.schemas_staff import OutcomeOut, ProspectList, ProspectSummary
from service.state import ServiceState
from service.store import Contact

router = APIRouter(prefix="/v1", tags=["prospects"])


@router.post(
    "/prospects",
    response_model=ProspectCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 413, 415, 503),
)
async def create_prospect(body: ProspectIn, state: StateDep, caller: StaffDep) -> ProspectCreated:
    """Store a prospect's profile with contact fields and consent; answers its id."""
    return await state.writes.run(_create_prospect, body, state, caller)


def _create_prospect(body: ProspectIn, state: ServiceState, caller: Caller) -> ProspectCreated:
    prospect = state.store.add_prospect(
        body.profile.model_dump(mode="json"),
        Contact(**body.contact.model_dump()),
        consent=body.consent,
        consent_at=body.consent_at,
        by=str(caller),
    )
    return ProspectCreated(id=prospect.id)


@router.get("/prospects", response_model=ProspectList, responses=problems(401, 403))
def list_prospects(
    state: StateDep,
    _caller: StaffDep,
    q: Annotated[
        str, Query(max_length=200, description="Part of the name or email, case and accents aside.")
    ] = "",
    status: Annotated[
        Literal[STATUSES] | None,  # type: ignore[valid-type]
        Query(description="The furthest outcome (see the items' status)."),
    ] = None,
    village: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{5}$", description="Prospects with an event about it (INSEE)."),
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ProspectList:
    """Prospects, newest first: searched by name or email, filtered by their furthest outcome
    and by a village of their events; ``total`` counts every page."""
    lines = state.store.prospect_lines(q, status, village)
    shown = lines[(page - 1) * per_page : page * per_page]
    return ProspectList(
        total=len(lines),
        page=page,
        per_page=per_page,
        items=[ProspectSummary.model_validate(asdict(line)) for line in shown],
    )


@router.get(
    "/prospects/{prospect_id}/outcomes",
    response_model=list[OutcomeOut],
    responses=problems(401, 403, 404),
)
def prospect_outcomes(prospect_id: str, state: StateDep, _caller: StaffDep) -> list[OutcomeOut]:
    """The prospect's events, oldest first (by date, then in the order recorded)."""
    return [OutcomeOut.model_validate(asdict(o)) for o in state.store.outcomes_of(prospect_id)]


@router.get(
    "/prospects/{prospect_id}", response_model=ProspectOut, responses=problems(401, 404, 503)
)
def read_prospect(prospect_id: str, state: StateDep, _caller: StaffDep) -> ProspectOut:
    return ProspectOut.model_validate(asdict(state.store.prospect(prospect_id)))


@router.delete(
    "/prospects/{prospect_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 404, 503),
)
async def delete_prospect(prospect_id: str, state: StateDep, caller: StaffDep) -> Response:
    """Erase the prospect: profile, contact fields, and the link from its outcomes to it;
    then its bytes from the database's files (at once, or within moments)."""
    return await state.writes.run(_delete_prospect, prospect_id, state, caller)


def _delete_prospect(prospect_id: str, state: ServiceState, caller: Caller) -> Response:
    if not state.store.delete_prospect(prospect_id, by=str(caller)):
        raise NotFound("prospect", prospect_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/prospects/{prospect_id}/shortlist",
    response_model=RankingOut,
    responses={**problems(401, 404, 503), 200: {"content": {"text/html": {}}}},
)
def shortlist(
    prospect_id: str,
    state: StateDep,
    snapshot: SnapshotDep,
    settings: SettingsDep,
    _caller: StaffDep,
    format: Annotated[
        Literal["json", "html"], Query(description="html: a printable A4 page.")
    ] = "json",
    k: K = None,
    lang: Lang = "fr",
) -> Response:
    """The ranking for a stored prospect; ``format=html`` gives the printable shortlist. Each
    result whose committee stated its capacity carries ``committee.capacity_left`` (this
    quarter's)."""
    prospect = state.store.prospect(prospect_id)
    profile = Profile.model_validate(prospect.profile)
    chosen_k = resolve_k(k, settings.default_k, snapshot)
    (ranking,) = snapshot.recommender.recommend(profile, chosen_k, lang=lang)
    state.exposure.add("shortlist", [ranking])
    if format == "json":
        return json_response(staff_ranking(ranking, snapshot))
    homes = {r.insee: state.store.current_homes(r.insee) for r in ranking.results}
    page = pages.shortlist(state, prospect, profile, ranking, homes, lang)
    return HTMLResponse(page, headers=page_headers(SHORTLIST_POLICY))
