"""The intranet's pages of a person's account: signing in, choosing a password from an
invitation, changing it, signing out. Forms post back to the same paths (CSRF tokens: the
session's once signed in, a short-lived cookie's before)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from features.i18n import Lang, text
from service.accounts.cookies import (
    FORM_COOKIE,
    FORM_COOKIE_SECONDS,
    SESSION_COOKIE,
    clear_cookie,
    set_cookie,
)
from service.accounts.signin import NewSession
from service.accounts.tokens import new_token
from service.deps import PagePerson, PagePersonDep, StateDep, page_lang
from service.exceptions import Gone, InvalidField, NotFound, RateLimited, Unauthenticated
from service.intranet.forms import check_csrf, field_error, first, read_form
from service.intranet.render import page
from service.routes.session import address_of

router = APIRouter(prefix="/intranet", tags=["intranet"], include_in_schema=False)
Token = Annotated[str, Path(max_length=200)]
#: The notices a redirect may ask a page to show (``?done=``), by their catalogue key.
NOTICES = frozenset(
    {
        "signed_out",
        "password_set",
        "password_changed",
        "home_added",
        "home_saved",
        "home_confirmed",
        "home_withdrawn",
        "need_added",
        "need_withdrawn",
        "committee_saved",
        "proposal_sent",
        "approved",
        "rejected",
    }
)


def notice(request: Request, lang: Lang) -> str | None:
    key = request.query_params.get("done", "")
    return text(lang, f"intranet.{key}") if key in NOTICES else None


def see_other(path: str, lang: Lang, **query: str) -> RedirectResponse:
    return RedirectResponse(
        f"{path}?{urlencode({'lang': lang, **query})}", status_code=status.HTTP_303_SEE_OTHER
    )


def user_of(person: PagePerson) -> dict[str, object]:
    return {"name": person.name, "email": person.email, "staff": person.staff}


def session_cookie(request: Request, response: Response, state: StateDep, new: NewSession) -> None:
    seconds = int(state.accounts.policy.longest.total_seconds())
    set_cookie(response, request, SESSION_COOKIE, new.token, seconds)
    clear_cookie(response, request, FORM_COOKIE)


def with_form_token(
    request: Request, template: str, lang: Lang, code: int, **context: object
) -> HTMLResponse:
    """A page of an anonymous form, with a fresh token in the form and its cookie."""
    token = new_token()
    response = page(template, lang, code, form_token=token, user=None, csrf_token="", **context)
    set_cookie(response, request, FORM_COOKIE, token, FORM_COOKIE_SECONDS)
    return response


@router.get("/")
def home(person: PagePersonDep) -> RedirectResponse:
    """Staff and committees of several villages choose a village; a committee of one goes
    straight to it."""
    villages = person.caller.villages
    if villages is not None and len(villages) == 1:
        return see_other(f"/intranet/villages/{next(iter(villages))}", person.lang)
    return see_other("/intranet/villages", person.lang)


@router.get("/sign-in")
def sign_in_page(request: Request, state: StateDep) -> Response:
    lang = page_lang(request)
    if state.accounts.signed_in(request.cookies.get(SESSION_COOKIE)) is not None:
        return see_other("/intranet/", lang)
    title = text(lang, "intranet.sign_in_title")
    done = notice(request, lang)
    return with_form_token(
        request, "sign_in.html", lang, 200, title=title, done=done, email="", message=None
    )


@router.post("/sign-in")
async def sign_in(request: Request, state: StateDep) -> Response:
    lang = page_lang(request)
    fields = await read_form(request)
    check_csrf(fields, request.cookies.get(FORM_COOKIE))
    email = first(fields, "email")[:320]
    try:
        new = await state.accounts.sign_in(
            email, (fields.get("password") or [""])[0][:256], address_of(request)
        )
    except (Unauthenticated, RateLimited) as refused:
        wait = getattr(refused, "retry_after", 0)
        message = (
            text(lang, "intranet.sign_in_throttled", minutes=max(1, round(wait / 60)))
            if wait
            else text(lang, "intranet.sign_in_wrong")
        )
        code = status.HTTP_429_TOO_MANY_REQUESTS if wait else status.HTTP_401_UNAUTHORIZED
        title = text(lang, "intranet.sign_in_title")
        response = with_form_token(
            request,
            "sign_in.html",
            lang,
            code,
            title=title,
            done=None,
            email=email,
            message=message,
        )
        if wait:
            response.headers["Retry-After"] = str(wait)
        return response
    then = request.query_params.get("next", "")
    target = then if then.startswith("/intranet/") and "//" not in then else "/intranet/"
    redirect = see_other(target, lang)
    session_cookie(request, redirect, state, new)
    return redirect


@router.get("/invitation/{token}")
def invitation_page(request: Request, token: Token, state: StateDep) -> Response:
    lang = page_lang(request)
    title = text(lang, "intranet.invitation_title")
    try:
        account = state.accounts.invited(token)
    except (Gone, NotFound) as dead:
        key = "invitation_gone" if isinstance(dead, Gone) else "invitation_unknown"
        code = status.HTTP_410_GONE if isinstance(dead, Gone) else status.HTTP_404_NOT_FOUND
        return page(
            "invitation.html",
            lang,
            code,
            title=title,
            gone=text(lang, f"intranet.{key}"),
            user=None,
            done=None,
        )
    return with_form_token(
        request,
        "invitation.html",
        lang,
        200,
        title=title,
        gone=None,
        name=account.name,
        email=account.email,
        token=token,
        errors={},
        done=None,
    )


@router.post("/invitation/{token}")
async def accept_invitation(request: Request, token: Token, state: StateDep) -> Response:
    lang = page_lang(request)
    fields = await read_form(request)
    check_csrf(fields, request.cookies.get(FORM_COOKIE))
    password = (fields.get("password") or [""])[0][:256]
    errors = {}
    if password != (fields.get("confirm") or [""])[0][:256]:
        errors = {"confirm": text(lang, "intranet.err_mismatch")}
    else:
        try:
            await run_in_threadpool(state.accounts.accept, token, password)
            return see_other("/intranet/sign-in", lang, done="password_set")
        except InvalidField as weak:
            errors = field_error(weak, lang)
        except (Gone, NotFound):
            return invitation_page(request, token, state)
    account = state.accounts.invited(token)
    return with_form_token(
        request,
        "invitation.html",
        lang,
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        title=text(lang, "intranet.invitation_title"),
        gone=None,
        name=account.name,
        email=account.email,
        token=token,
        errors=errors,
        done=None,
    )


@router.get("/password")
def password_page(request: Request, person: PagePersonDep) -> HTMLResponse:
    return _password(person, {}, 200, notice(request, person.lang))


def _password(
    person: PagePerson, errors: dict[str, str], code: int, done: str | None
) -> HTMLResponse:
    return page(
        "password.html",
        person.lang,
        code,
        title=text(person.lang, "intranet.password_title"),
        user=user_of(person),
        csrf_token=person.csrf_token,
        errors=errors,
        done=done,
    )


@router.post("/password")
async def change_password(request: Request, person: PagePersonDep, state: StateDep) -> Response:
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    new_password = (fields.get("new_password") or [""])[0][:256]
    if new_password != (fields.get("confirm") or [""])[0][:256]:
        errors = {"confirm": text(person.lang, "intranet.err_mismatch")}
        return _password(person, errors, status.HTTP_422_UNPROCESSABLE_CONTENT, None)
    try:
        new = await run_in_threadpool(
            state.accounts.change_password,
            person.signed,
            (fields.get("current_password") or [""])[0][:256],
            new_password,
            address_of(request),
            str(person.caller),
        )
    except InvalidField as refused:
        errors = field_error(refused, person.lang)
        return _password(person, errors, status.HTTP_422_UNPROCESSABLE_CONTENT, None)
    response = see_other("/intranet/password", person.lang, done="password_changed")
    session_cookie(request, response, state, new)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, person: PagePersonDep, state: StateDep) -> Response:
    fields = await read_form(request)
    check_csrf(fields, person.csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        state.accounts.sign_out(token, str(person.caller))
    response = see_other("/intranet/sign-in", person.lang, done="signed_out")
    clear_cookie(response, request, SESSION_COOKIE)
    return response
