"""Dependencies shared by the routers, as ``Annotated`` aliases: the service's state, its
settings and model snapshot, the caller a key or a session cookie names, and the access rules
(one dependency per rule: signed in, staff, analyst, a member of the path's village)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader
from starlette.concurrency import run_in_threadpool

from features.i18n import Lang
from service.accounts.cookies import CSRF_HEADER, SESSION_COOKIE
from service.accounts.tokens import same_token
from service.auth import Caller, Role
from service.config import Settings
from service.exceptions import Forbidden, SignInRequired, Unauthenticated
from service.params import Insee
from service.state import ServiceState, Snapshot
from service.store.accounts import SignedIn

API_KEY_HEADER = "X-API-Key"
api_key = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="A committee, staff or analyst key (see the README: SOHOSOLO_STAFF_API_KEYS).",
)
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="A person's session (POST /v1/session). Requests that change something also "
    f"send the session's CSRF token in the {CSRF_HEADER} header.",
)
#: Methods that change nothing: the only ones a session may use without its CSRF token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NO_CREDENTIALS = (
    "missing, wrong or revoked API key, and no session: send a key in the X-API-Key header "
    "or sign in (POST /v1/session)"
)


# Dependencies are coroutines: FastAPI runs plain functions in its thread pool, and a thread
# hop costs more than their work. The revision read ``snapshot`` makes takes microseconds.


def state_of(request: Request) -> ServiceState:
    """The state the app's lifespan loaded (for routes that take no dependencies)."""
    state: ServiceState = request.app.state.sohosolo
    return state


async def get_state(request: Request) -> ServiceState:
    return state_of(request)


async def get_app_settings(request: Request) -> Settings:
    # From the app's state, not ``dependency_overrides``: while any override is set, FastAPI
    # analyses every dependency's signature again on every request (a third of a ranking's
    # time went there).
    return state_of(request).settings


async def get_snapshot(request: Request) -> Snapshot:
    return await state_of(request).serving_snapshot()


def caller_of_session(signed: SignedIn) -> Caller:
    account = signed.account
    role: Role = account.role  # type: ignore[assignment]  # stored from Role values only
    villages = frozenset(account.villages) if role == "committee" else None
    return Caller(role, villages=villages, account_id=account.id, csrf_token=signed.csrf_token)


def keyed_caller(request: Request, key: str | None, snapshot: Snapshot) -> Caller | None:
    """The caller ``key`` names, or None for a missing, wrong or revoked key.

    The revoked keys come with the snapshot, rebuilt when the revision moves (a revocation
    through any worker, or the command line, raises it): a key is refused from the next
    request, and the check never waits on the database (it stays fast while writes wait for
    a locked one).
    """
    caller = state_of(request).keyring.caller(key)
    if caller is None or caller.digest in snapshot.revoked_keys:
        return None
    return caller


def key_holder_of(request: Request, snapshot: Snapshot) -> Caller | None:
    """The holder of the request's valid key, or None for the public, whom the rate limit
    holds."""
    return keyed_caller(request, request.headers.get(API_KEY_HEADER), snapshot)


async def key_holder(request: Request) -> Caller | None:
    """``key_holder_of``, for coroutines."""
    if API_KEY_HEADER not in request.headers:  # the public's requests: no snapshot read
        return None
    return key_holder_of(request, await state_of(request).snapshot_async())


async def get_caller(
    request: Request,
    key: Annotated[str | None, Security(api_key)] = None,
    cookie: Annotated[str | None, Security(session_cookie)] = None,
) -> Caller:
    """The key's holder, or the signed-in person; a session's change needs its CSRF token.

    A key is checked without the database (``keyed_caller``); a session is looked up in it,
    from the thread pool (writes wait in threads of their own, ``service.writes``), so that an
    account disabled through any worker, or the command line, is refused at once."""
    state = state_of(request)
    if key:
        caller = keyed_caller(request, key, await state.snapshot_async())
        if caller is None:
            raise Unauthenticated(NO_CREDENTIALS)
        return caller
    signed = await run_in_threadpool(state.accounts.signed_in, cookie)
    if signed is None:
        raise Unauthenticated(NO_CREDENTIALS)
    if request.method not in SAFE_METHODS and not same_token(
        signed.csrf_token, request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden(
            f"missing or wrong {CSRF_HEADER} header: a change made with a session cookie sends "
            "the session's CSRF token (given by POST /v1/session and GET /v1/session)"
        )
    return caller_of_session(signed)


CallerDep = Annotated[Caller, Depends(get_caller)]


def needs(caller: Caller, role: Role) -> Caller:
    if not caller.may(role):
        raise Forbidden(f"this needs the {role} role; the caller is {caller.role}")
    return caller


async def get_staff(caller: CallerDep) -> Caller:
    return needs(caller, "staff")


async def get_analyst(caller: CallerDep) -> Caller:
    return needs(caller, "analyst")


async def get_person(caller: CallerDep) -> Caller:
    """A person signed in with an account (a key has no password, no session)."""
    if caller.account_id is None:
        raise Forbidden("this needs a person's session (POST /v1/session); a key has none")
    return caller


async def get_village_member(insee: Insee, caller: CallerDep) -> Caller:
    """A caller who may keep the path's village: its committee, staff or an analyst."""
    if not caller.may_village(insee):
        kept = ", ".join(sorted(caller.villages or ()))
        raise Forbidden(
            f"village {insee}: this committee credential keeps {kept or 'no village'} only"
        )
    return caller


# -- the intranet's pages: people only, by their session (keys are for programs) -------------


@dataclass(frozen=True)
class PagePerson:
    """The signed-in person of a page: who, and what they may do."""

    caller: Caller
    signed: SignedIn
    lang: Lang

    @property
    def csrf_token(self) -> str:
        return self.signed.csrf_token

    @property
    def staff(self) -> bool:
        return self.caller.may("staff")

    @property
    def name(self) -> str:
        return self.signed.account.name

    @property
    def email(self) -> str:
        return self.signed.account.email


def page_lang(request: Request) -> Lang:
    return "en" if request.query_params.get("lang") == "en" else "fr"


def get_page_person(
    request: Request, cookie: Annotated[str | None, Security(session_cookie)] = None
) -> PagePerson:
    """The person signed in, or a redirect to sign in (and back)."""
    lang = page_lang(request)
    signed = state_of(request).accounts.signed_in(cookie)
    if signed is None:
        raise SignInRequired(request.url.path, lang)
    return PagePerson(caller_of_session(signed), signed, lang)


PagePersonDep = Annotated[PagePerson, Depends(get_page_person)]


async def get_page_staff(person: PagePersonDep) -> PagePerson:
    needs(person.caller, "staff")
    return person


async def get_page_village_member(insee: Insee, person: PagePersonDep) -> PagePerson:
    await get_village_member(insee, person.caller)
    return person


#: Each access rule by its dependency: the access test finds every route's rule here.
ACCESS_RULES = {
    get_caller: "signed_in",
    get_staff: "staff",
    get_analyst: "analyst",
    get_person: "person",
    get_village_member: "village",
    get_page_person: "page",
    get_page_staff: "page_staff",
    get_page_village_member: "page_village",
}

SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StateDep = Annotated[ServiceState, Depends(get_state)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
StaffDep = Annotated[Caller, Depends(get_staff)]
AnalystDep = Annotated[Caller, Depends(get_analyst)]
VillageDep = Annotated[Caller, Depends(get_village_member)]
PersonDep = Annotated[Caller, Depends(get_person)]
PageStaffDep = Annotated[PagePerson, Depends(get_page_staff)]
PageVillageDep = Annotated[PagePerson, Depends(get_page_village_member)]
