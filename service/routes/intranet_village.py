"""The intranet's village pages: the villages a person keeps, and each village's page with
its forms (homes, needs, committee, corrections). Each form posts here, is checked by the
API's own request models, and comes back with its errors at the field, or redirects to the
page with a notice."""

from collections.abc import Mapping
from typing import Annotated, Any, cast

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from features.i18n import text
from service.corrections import checked_value
from service.deps import (
    PagePerson,
    PagePersonDep,
    PageVillageDep,
    SnapshotDep,
    StateDep,
)
from service.exceptions import InvalidField, PreconditionFailed
from service.intranet.forms import (
    check_csrf,
    field_error,
    first,
    number,
    plain,
    read_form,
    validated,
    values_of,
)
from service.intranet.render import page
from service.intranet.views import home_values, typed_changes, village_page
from service.params import Insee
from service.routes.homes import version_number
from service.routes.intranet_account import notice, see_other, user_of
from service.schemas_village import (
    CommitteeIn,
    HomeIn,
    PremisesNeed,
    ProposalIn,
    SchoolPupilsNeed,
    TradeNeed,
)
from service.state import ServiceState, Snapshot
from service.store import Home, Listing, Need

router = APIRouter(prefix="/intranet", tags=["intranet"], include_in_schema=False)
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]
HOME_FIELDS = {
    "tenure": plain,
    "price_eur": number,
    "bedrooms": number,
    "surface_m2": number,
    "note": plain,
    "available_from": plain,
    "expires_at": plain,
}
NEED_MODELS: dict[str, type[BaseModel]] = {
    "school_pupils": SchoolPupilsNeed,
    "trade": TradeNeed,
    "premises": PremisesNeed,
}
NEED_FIELDS = {
    "kind": plain,
    "school": plain,
    "age_min": number,
    "age_max": number,
    "pupils": number,
    "by": plain,
    "service": plain,
    "use": plain,
    "surface_m2": number,
    "rent_eur": number,
    "note": plain,
    "expires_at": plain,
}
COMMITTEE_FIELDS = {"capacity_per_quarter": number, "contact_name": plain, "contact_email": plain}
PROPOSAL_FIELDS = {"field": plain, "value": number, "source": plain, "observed_at": plain}


async def signed_form(request: Request, person: PagePerson) -> dict[str, list[str]]:
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    return fields


def back(insee: str, person: PagePerson, done: str, anchor: str) -> RedirectResponse:
    response = see_other(f"/intranet/villages/{insee}", person.lang, done=done)
    response.headers["Location"] += f"#{anchor}"
    return response


def again(
    state: ServiceState,
    snapshot: Snapshot,
    person: PagePerson,
    insee: str,
    forms: Mapping[str, Mapping[str, Any]],
    code: int = status.HTTP_422_UNPROCESSABLE_CONTENT,
    done: str | None = None,
) -> HTMLResponse:
    """The village's page again, with a form's values and errors."""
    context = village_page(state, snapshot, insee, person.lang, forms)
    return page(
        "village.html",
        person.lang,
        code,
        user=user_of(person),
        csrf_token=person.csrf_token,
        done=done,
        errors_title=text(person.lang, "intranet.errors_title") if code == 422 else None,
        **context,
    )


@router.get("/villages")
def villages(request: Request, person: PagePersonDep, state: StateDep) -> HTMLResponse:
    """The villages the person keeps (every partner for staff)."""
    codes = sorted(
        state.partner_codes if person.caller.villages is None else person.caller.villages
    )
    listed = sorted(((state.name_of(code), code) for code in codes), key=lambda v: v[0])
    return page(
        "villages.html",
        person.lang,
        user=user_of(person),
        csrf_token=person.csrf_token,
        done=notice(request, person.lang),
        title=text(person.lang, "intranet.villages_title"),
        villages=listed,
    )


@router.get("/villages/{insee}")
def village(
    request: Request, insee: Insee, person: PageVillageDep, state: StateDep, snapshot: SnapshotDep
) -> HTMLResponse:
    state.partner_village(insee)
    return again(
        state, snapshot, person, insee, {}, status.HTTP_200_OK, notice(request, person.lang)
    )


@router.post("/villages/{insee}/homes")
async def add_home(
    request: Request, insee: Insee, person: PageVillageDep, state: StateDep, snapshot: SnapshotDep
) -> Response:
    state.partner_village(insee)
    fields = await signed_form(request, person)
    values = values_of(fields, HOME_FIELDS)
    body, errors = validated(HomeIn, values, person.lang)
    if body is None:
        forms = {
            "home-new": {"values": {k: first(fields, k) for k in HOME_FIELDS}, "errors": errors}
        }
        return again(state, snapshot, person, insee, forms)
    await state.writes.run(
        state.store.add_home, insee, Home(**body.model_dump()), str(person.caller)
    )
    return back(insee, person, "home_added", "homes")


@router.post("/villages/{insee}/homes/{home_id:int}")
async def change_home(
    request: Request,
    insee: Insee,
    home_id: ItemId,
    person: PageVillageDep,
    state: StateDep,
    snapshot: SnapshotDep,
) -> Response:
    """Save a listing's form: made from the version it carries, or refused (412) with the
    listing as it stands now and what the person had typed."""
    state.partner_village(insee)
    fields = await signed_form(request, person)
    stored = state.store.home(insee, home_id)
    typed = {k: first(fields, k) for k in HOME_FIELDS}
    values = values_of(fields, HOME_FIELDS)
    if values.get("expires_at") == stored.expires_at.isoformat():
        values.pop("expires_at")  # unchanged: an expired listing keeps its past date
    body, errors = validated(HomeIn, values, person.lang)
    if body is None:
        forms = {
            f"home-{home_id}": {
                "values": typed | {"version": first(fields, "version")},
                "errors": errors,
            }
        }
        return again(state, snapshot, person, insee, forms)
    changes = {
        k: v for k, v in body.model_dump().items() if v is not None or k in ("surface_m2", "note")
    }
    # A version that names no listing's (garbage, or past 64 bits) is a stale one: 412.
    version = version_number(str(first(fields, "version"))) or 0
    try:
        await state.writes.run(
            state.store.change_home,
            insee,
            home_id,
            changes,
            version if isinstance(version, int) else -1,
            str(person.caller),
        )
    except PreconditionFailed as stale:
        now = home_values(cast(Listing, stale.current))
        shown = typed_changes(typed, now, person.lang)
        current: dict[str, dict[str, Any]] = {
            f"home-{home_id}": {
                "values": now,
                "stale": text(person.lang, "intranet.your_values", values=shown) if shown else "",
            }
        }
        return again(state, snapshot, person, insee, current, status.HTTP_412_PRECONDITION_FAILED)
    return back(insee, person, "home_saved", f"home-{home_id}")


@router.post("/villages/{insee}/homes/{home_id:int}/confirm")
async def confirm_home(
    request: Request, insee: Insee, home_id: ItemId, person: PageVillageDep, state: StateDep
) -> Response:
    state.partner_village(insee)
    await signed_form(request, person)
    await state.writes.run(state.store.confirm_home, insee, home_id, str(person.caller))
    return back(insee, person, "home_confirmed", f"home-{home_id}")


@router.post("/villages/{insee}/homes/{home_id:int}/withdraw")
async def withdraw_home(
    request: Request, insee: Insee, home_id: ItemId, person: PageVillageDep, state: StateDep
) -> Response:
    state.partner_village(insee)
    await signed_form(request, person)
    await state.writes.run(state.store.withdraw_home, insee, home_id, str(person.caller))
    return back(insee, person, "home_withdrawn", "homes")


@router.post("/villages/{insee}/needs")
async def add_need(
    request: Request, insee: Insee, person: PageVillageDep, state: StateDep, snapshot: SnapshotDep
) -> Response:
    state.partner_village(insee)
    fields = await signed_form(request, person)
    kind = first(fields, "kind")
    model = NEED_MODELS.get(kind, TradeNeed)
    values = values_of(fields, NEED_FIELDS) | {"kind": kind}
    if kind == "trade":
        values["professions"] = fields.get("professions", [])
    body, errors = validated(model, values, person.lang)
    if body is None:
        typed = {k: first(fields, k) for k in NEED_FIELDS} | {
            "professions": fields.get("professions", [])
        }
        return again(
            state, snapshot, person, insee, {f"need-{kind}": {"values": typed, "errors": errors}}
        )
    dumped = body.model_dump()
    need = Need(insee=insee, **dumped | {"professions": tuple(dumped.get("professions", ()))})
    await state.writes.run(state.store.add_need, need, str(person.caller))
    return back(insee, person, "need_added", "needs")


@router.post("/villages/{insee}/needs/{need_id:int}/withdraw")
async def withdraw_need(
    request: Request, insee: Insee, need_id: ItemId, person: PageVillageDep, state: StateDep
) -> Response:
    state.partner_village(insee)
    await signed_form(request, person)
    await state.writes.run(state.store.withdraw_need, insee, need_id, str(person.caller))
    return back(insee, person, "need_withdrawn", "needs")


@router.post("/villages/{insee}/committee")
async def set_committee(
    request: Request, insee: Insee, person: PageVillageDep, state: StateDep, snapshot: SnapshotDep
) -> Response:
    state.partner_village(insee)
    fields = await signed_form(request, person)
    body, errors = validated(CommitteeIn, values_of(fields, COMMITTEE_FIELDS), person.lang)
    if body is None:
        typed = {k: first(fields, k) for k in COMMITTEE_FIELDS}
        return again(
            state, snapshot, person, insee, {"committee": {"values": typed, "errors": errors}}
        )
    assert isinstance(body, CommitteeIn)
    await state.writes.run(
        state.store.set_committee,
        insee,
        body.capacity_per_quarter,
        body.contact_name,
        body.contact_email,
        str(person.caller),
    )
    return back(insee, person, "committee_saved", "committee")


@router.post("/villages/{insee}/proposals")
async def propose(
    request: Request, insee: Insee, person: PageVillageDep, state: StateDep, snapshot: SnapshotDep
) -> Response:
    state.partner_village(insee)
    fields = await signed_form(request, person)
    body, errors = validated(ProposalIn, values_of(fields, PROPOSAL_FIELDS), person.lang)
    value = None
    if body is not None:
        assert isinstance(body, ProposalIn)
        try:
            value = checked_value(body.field, body.value)
        except InvalidField as refused:
            errors = field_error(refused, person.lang)
    if body is None or value is None:
        typed = {k: first(fields, k) for k in PROPOSAL_FIELDS}
        return again(
            state, snapshot, person, insee, {"proposal": {"values": typed, "errors": errors}}
        )
    await state.writes.run(
        state.store.propose_fact,
        insee,
        body.field,
        value,
        body.source,
        body.observed_at,
        str(person.caller),
    )
    return back(insee, person, "proposal_sent", "facts")
