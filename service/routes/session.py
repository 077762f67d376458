"""Signing in and out, the signed-in person's password, and invitations accepted."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from starlette.concurrency import run_in_threadpool

from service.accounts.cookies import SESSION_COOKIE, clear_cookie, set_cookie
from service.accounts.signin import NewSession
from service.auth import Caller
from service.deps import CallerDep, PersonDep, StateDep
from service.errors import problems
from service.exceptions import Forbidden
from service.schemas_accounts import (
    AccountCreated,
    PasswordChangeIn,
    PasswordIn,
    SessionIn,
    SessionOut,
)
from service.store.accounts import SignedIn

router = APIRouter(prefix="/v1", tags=["accounts"])
Token = Annotated[str, Path(max_length=200, description="The token of an invitation link.")]


def address_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def session_out(signed: SignedIn) -> SessionOut:
    account = signed.account
    return SessionOut(
        account_id=account.id,
        name=account.name,
        role=account.role,
        villages=list(account.villages) if account.role == "committee" else None,
        csrf_token=signed.csrf_token,
        expires_at=signed.expires_at,
    )


def with_cookie(request: Request, response: Response, new: NewSession, seconds: float) -> None:
    set_cookie(response, request, SESSION_COOKIE, new.token, int(seconds))


@router.post("/session", response_model=SessionOut, responses=problems(401, 413, 415, 429))
async def sign_in(
    request: Request, response: Response, body: SessionIn, state: StateDep
) -> SessionOut:
    """Sign in with an email and a password: the session cookie (HttpOnly, SameSite=Lax,
    Secure over HTTPS) and the CSRF token to send with changes. A wrong email or password
    answers 401, the same either way; repeated failures are slowed, then refused (429)."""
    new = await state.accounts.sign_in(body.email, body.password, address_of(request))
    with_cookie(request, response, new, state.accounts.policy.longest.total_seconds())
    return session_out(new.signed_in)


@router.get("/session", response_model=SessionOut, responses=problems(401))
def whoami(request: Request, state: StateDep, caller: CallerDep) -> SessionOut:
    """Who is signed in (or whose key this is), and the session's CSRF token."""
    if caller.account_id is None:
        return SessionOut(
            account_id=None,
            name=None,
            role=caller.role,
            villages=sorted(caller.villages) if caller.villages is not None else None,
            csrf_token=None,
            expires_at=None,
        )
    signed = state.accounts.signed_in(request.cookies.get(SESSION_COOKIE))
    assert signed is not None  # the caller came from it
    return session_out(signed)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 403))
def sign_out(request: Request, state: StateDep, caller: CallerDep) -> Response:
    """End this session (a key has none: nothing to do)."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    token = request.cookies.get(SESSION_COOKIE)
    if caller.account_id is not None and token:
        state.accounts.sign_out(token, by=str(caller))
        clear_cookie(response, request, SESSION_COOKIE)
    return response


@router.post("/session/password", response_model=SessionOut, responses=problems(401, 403, 413, 415))
async def change_password(
    request: Request,
    response: Response,
    body: PasswordChangeIn,
    state: StateDep,
    caller: PersonDep,
) -> SessionOut:
    """Change the signed-in person's password: every session of the account ends (cookies
    from before stop working) and this browser gets a new one."""
    signed = _session_of(request, state, caller)
    new = await run_in_threadpool(
        state.accounts.change_password,
        signed,
        body.current_password,
        body.new_password,
        address_of(request),
        str(caller),
    )
    with_cookie(request, response, new, state.accounts.policy.longest.total_seconds())
    return session_out(new.signed_in)


def _session_of(request: Request, state: StateDep, caller: Caller) -> SignedIn:
    signed = state.accounts.signed_in(request.cookies.get(SESSION_COOKIE))
    if signed is None:  # ended between the caller's check and now
        raise Forbidden("the session ended: sign in again")
    return signed


@router.post(
    "/invitations/{token}",
    response_model=AccountCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problems(404, 410, 413, 415),
)
async def accept_invitation(token: Token, body: PasswordIn, state: StateDep) -> AccountCreated:
    """Choose the password of an invited account (at least 12 characters, not a common
    password), once: a used or expired link answers 410. Then sign in (POST /v1/session)."""
    account = await run_in_threadpool(state.accounts.accept, token, body.password)
    return AccountCreated(
        id=account.id,
        role=account.role,
        villages=list(account.villages),
    )
