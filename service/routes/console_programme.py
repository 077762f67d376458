"""The staff console's programme pages: the funnel (chart, tables, CSV), the partner villages'
load against their committees' capacity, and people's accounts (invite, disable, enable)."""

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from features.i18n import Lang, text
from service.accounts.mail import send_invitation
from service.console import funnel, load
from service.deps import PagePerson, PageStaffDep, StateDep
from service.exceptions import Conflict, Forbidden
from service.intranet.forms import check_csrf, first, plain, read_form, validated, values_of
from service.intranet.render import page
from service.routes.accounts import check_may_manage
from service.routes.intranet_account import see_other, user_of
from service.schemas_accounts import InvitationIn
from service.state import ServiceState
from service.store import utcnow

router = APIRouter(prefix="/intranet", tags=["intranet"], include_in_schema=False)
AccountId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def base(person: PagePerson, title: str, **context: Any) -> dict[str, Any]:
    return {
        "user": user_of(person),
        "csrf_token": person.csrf_token,
        "title": title,
        "wide": True,
        "done": None,
        **context,
    }


# -- the funnel ------------------------------------------------------------------------------


def funnel_rows(state: ServiceState) -> tuple[list[funnel.FunnelRow], list[funnel.FunnelRow]]:
    data = state.store.funnel_input()
    now = utcnow()
    villages = sorted(state.partner_codes, key=state.name_of)
    return funnel.by_month(data, now), funnel.by_village(data, now, villages)


@router.get("/funnel")
def funnel_page(person: PageStaffDep, state: StateDep) -> HTMLResponse:
    lang = person.lang
    months, villages = funnel_rows(state)
    return page(
        "console/funnel.html",
        lang,
        **base(
            person,
            text(lang, "console.funnel_title"),
            current="/intranet/funnel",
            stages=list(zip(funnel.STAGES, funnel.stage_labels(lang), strict=True)),
            months=months,
            months_total=funnel.total(months),
            villages=[(row, state.name_of(row.key)) for row in villages],
            villages_total=funnel.total(villages),
            chart=funnel.chart(months, lang),
        ),
    )


@router.get("/funnel.csv")
def funnel_csv(
    person: PageStaffDep,
    state: StateDep,
    by: Annotated[Literal["month", "village"], Query()] = "month",
) -> Response:
    """The funnel's table, a row per month or per partner village (UTF-8 with a byte-order
    mark, which spreadsheets need to read accents)."""
    lang: Lang = person.lang
    months, villages = funnel_rows(state)
    if by == "month":
        body = funnel.to_csv(months, text(lang, "console.month"), {}, lang)
    else:
        names = {row.key: state.name_of(row.key) for row in villages}
        body = funnel.to_csv(villages, "insee", names, lang)
    return Response(
        "\ufeff" + body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="funnel-{by}.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


# -- the partner villages --------------------------------------------------------------------


@router.get("/partners")
def partners(person: PageStaffDep, state: StateDep) -> HTMLResponse:
    lang = person.lang
    return page(
        "console/partners.html",
        lang,
        **base(
            person,
            text(lang, "console.partners_title"),
            current="/intranet/partners",
            **load.loads(state, lang),
        ),
    )


# -- accounts --------------------------------------------------------------------------------

INVITATION_FIELDS = {"role": plain, "name": plain, "email": plain}


def accounts_page(
    state: ServiceState,
    person: PagePerson,
    form: dict[str, Any],
    invited: dict[str, str] | None = None,
    code: int = status.HTTP_200_OK,
    done: str | None = None,
) -> HTMLResponse:
    lang = person.lang
    roles = ["committee", "staff"] + (["analyst"] if person.caller.may("analyst") else [])
    accounts = [
        asdict(a)
        | {
            "role_label": text(lang, f"intranet.role_{a.role}"),
            "status_label": text(lang, f"console.account_{a.status}"),
            "village_names": ", ".join(state.name_of(v) for v in a.villages),
            "self": a.id == person.caller.account_id,
        }
        for a in state.store.accounts()
    ]
    return page(
        "console/accounts.html",
        lang,
        code,
        **base(
            person,
            text(lang, "console.accounts_title"),
            current="/intranet/accounts",
            done=done,
            accounts=accounts,
            roles=[(r, text(lang, f"intranet.role_{r}")) for r in roles],
            villages=sorted(
                ((c, state.name_of(c)) for c in state.partner_codes), key=lambda v: v[1]
            ),
            form=form,
            invited=invited,
            errors_title=text(lang, "intranet.errors_title") if form.get("errors") else None,
        ),
    )


@router.get("/accounts")
def accounts(person: PageStaffDep, state: StateDep) -> HTMLResponse:
    return accounts_page(state, person, {"values": {"villages": []}, "errors": {}})


@router.post("/accounts/invite")
async def invite(request: Request, person: PageStaffDep, state: StateDep) -> Response:
    """Invite a person: the page shows the one-time link (and emails it when SMTP is set)."""
    lang = person.lang
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    values = values_of(fields, INVITATION_FIELDS)
    chosen = fields.get("villages", [])
    values["villages"] = chosen if first(fields, "role") == "committee" else []
    typed = {name: first(fields, name) for name in INVITATION_FIELDS} | {"villages": chosen}
    body, errors = validated(InvitationIn, values, lang)
    if isinstance(body, InvitationIn):
        unknown = [code for code in body.villages if code not in state.partner_codes]
        if unknown or (body.role == "analyst" and not person.caller.may("analyst")):
            wrong = "villages" if unknown else "role"
            body, errors = None, {wrong: text(lang, "intranet.err_choice")}
    if not isinstance(body, InvitationIn):
        form = {"values": typed, "errors": errors or {"role": text(lang, "intranet.err_other")}}
        return accounts_page(state, person, form, code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    try:
        made = await run_in_threadpool(
            state.accounts.invite,
            body.email,
            body.name,
            body.role,
            body.villages,
            str(person.caller),
            str(request.base_url),
        )
    except Conflict:
        form = {"values": typed, "errors": {"email": text(lang, "console.already_active")}}
        return accounts_page(state, person, form, code=status.HTTP_409_CONFLICT)
    emailed = await run_in_threadpool(
        send_invitation, state.settings, body.email, body.name, made.url
    )
    invited = {"name": body.name, "url": made.url, "expires": made.expires_at.date().isoformat()}
    invited["emailed"] = text(lang, "console.emailed" if emailed else "console.not_emailed")
    return accounts_page(
        state, person, {"values": {"villages": []}, "errors": {}}, invited, done=None
    )


async def _set_active(
    request: Request, account_id: int, person: PagePerson, state: ServiceState, active: bool
) -> Response:
    check_csrf(await read_form(request), person.csrf_token)
    account = state.store.account(account_id)
    check_may_manage(person.caller, account.role)
    if account_id == person.caller.account_id and not active:
        raise Forbidden("an account cannot disable itself: ask another staff member")
    await state.writes.run(state.store.set_active, account_id, active, by=str(person.caller))
    return see_other("/intranet/accounts", person.lang)


@router.post("/accounts/{account_id:int}/disable")
async def disable(
    request: Request, account_id: AccountId, person: PageStaffDep, state: StateDep
) -> Response:
    return await _set_active(request, account_id, person, state, False)


@router.post("/accounts/{account_id:int}/enable")
async def enable(
    request: Request, account_id: AccountId, person: PageStaffDep, state: StateDep
) -> Response:
    return await _set_active(request, account_id, person, state, True)
