"""People's accounts, kept by staff: invitations (a one-time link to choose a password), the
list of accounts, and disabling one."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from starlette.concurrency import run_in_threadpool

from service.accounts.mail import send_invitation
from service.auth import Caller
from service.deps import StaffDep, StateDep
from service.errors import problems
from service.exceptions import Forbidden, InvalidField
from service.schemas_accounts import AccountOut, AccountPatch, InvitationIn, InvitationOut
from service.writes import a_write

router = APIRouter(prefix="/v1", tags=["accounts"])
AccountId = Annotated[int, Path(ge=1, le=2**31 - 1, description="An account's id.")]


def check_may_manage(caller: Caller, role: str) -> None:
    """Staff invite and manage committees and staff; analysts, analysts too."""
    if role == "analyst" and not caller.may("analyst"):
        raise Forbidden("only an analyst may invite or change an analyst's account")


@router.post(
    "/accounts/invitations",
    response_model=InvitationOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 403, 409, 413, 415),
)
async def invite(
    request: Request, body: InvitationIn, state: StateDep, caller: StaffDep
) -> InvitationOut:
    """Invite a person: an account waiting for its password, and a one-time link valid 7 days
    (sent by email when SMTP is configured). Inviting the same email again before the password
    is chosen replaces the link; once it is chosen, 409."""
    check_may_manage(caller, body.role)
    unknown = [code for code in body.villages if code not in state.partner_codes]
    if unknown:
        raise InvalidField("villages", f"expected partner villages, found {unknown}", unknown)
    made = await run_in_threadpool(
        state.accounts.invite,
        body.email,
        body.name,
        body.role,
        body.villages,
        str(caller),
        str(request.base_url),
    )
    emailed = await run_in_threadpool(
        send_invitation, state.settings, body.email, body.name, made.url
    )
    return InvitationOut(
        id=made.account.id, url=made.url, expires_at=made.expires_at, emailed=emailed
    )


@router.get("/accounts", response_model=list[AccountOut], responses=problems(401, 403))
def accounts(state: StateDep, _caller: StaffDep) -> list[AccountOut]:
    """Every account, oldest first (staff: people's names and emails)."""
    return [AccountOut.model_validate(asdict(a)) for a in state.store.accounts()]


@router.patch(
    "/accounts/{account_id:int}",
    response_model=AccountOut,
    responses=problems(401, 403, 404, 413, 415),
)
@a_write
def change_account(
    account_id: AccountId, body: AccountPatch, state: StateDep, caller: StaffDep
) -> AccountOut:
    """``{"active": false}`` disables an account and ends its sessions at once; ``true``
    enables it again (it signs in anew). One's own account cannot be disabled."""
    account = state.store.account(account_id)
    check_may_manage(caller, account.role)
    if account_id == caller.account_id and not body.active:
        raise Forbidden("an account cannot disable itself: ask another staff member")
    changed = state.store.set_active(account_id, body.active, by=str(caller))
    return AccountOut.model_validate(asdict(changed))
