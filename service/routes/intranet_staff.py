"""The intranet's staff pages: the corrections of village facts waiting for review, approved
or rejected (with a reason) from here."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import HTMLResponse

from features.i18n import text
from service.deps import PagePerson, PageStaffDep, StateDep
from service.intranet.forms import check_csrf, plain, read_form, validated, values_of
from service.intranet.render import page
from service.intranet.views import proposal_row
from service.routes.intranet_account import notice, see_other, user_of
from service.schemas_village import ReviewIn
from service.state import ServiceState

router = APIRouter(prefix="/intranet", tags=["intranet"], include_in_schema=False)
ProposalId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def review_page(
    state: ServiceState, person: PagePerson, done: str | None, errors: dict[int, str], code: int
) -> HTMLResponse:
    pending = [proposal_row(p, state, person.lang) for p in state.store.proposals("pending")]
    return page(
        "proposals.html",
        person.lang,
        code,
        user=user_of(person),
        csrf_token=person.csrf_token,
        done=done,
        title=text(person.lang, "intranet.review_title"),
        proposals=pending,
        errors=errors,
    )


@router.get("/proposals")
def proposals(request: Request, person: PageStaffDep, state: StateDep) -> HTMLResponse:
    return review_page(state, person, notice(request, person.lang), {}, status.HTTP_200_OK)


@router.post("/proposals/{proposal_id:int}/approve")
async def approve(
    request: Request, proposal_id: ProposalId, person: PageStaffDep, state: StateDep
) -> Response:
    check_csrf(await read_form(request), person.csrf_token)
    await state.writes.run(state.store.review_fact, proposal_id, True, str(person.caller))
    return see_other("/intranet/proposals", person.lang, done="approved")


@router.post("/proposals/{proposal_id:int}/reject")
async def reject(
    request: Request, proposal_id: ProposalId, person: PageStaffDep, state: StateDep
) -> Response:
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    body, errors = validated(ReviewIn, values_of(fields, {"reason": plain}), person.lang)
    if body is None:
        message = next(iter(errors.values()))
        return review_page(
            state, person, None, {proposal_id: message}, status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    assert isinstance(body, ReviewIn)
    await state.writes.run(
        state.store.review_fact, proposal_id, False, str(person.caller), body.reason
    )
    return see_other("/intranet/proposals", person.lang, done="rejected")
