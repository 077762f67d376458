"""HTTP answers for errors, in one place: the service's domain errors (``service.exceptions``),
the libraries' ValueErrors, and FastAPI's and Starlette's own refusals, mended where they fall
short. ``add_error_handlers`` installs them on the app."""

import math
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn
from urllib.parse import urlencode

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from features.exceptions import FeaturesError
from matcher.exceptions import MatcherError
from service.db.engine import WRITE_TIMEOUT
from service.db.faults import describe
from service.exceptions import (
    Conflict,
    Forbidden,
    Gone,
    InvalidField,
    NotFound,
    OverQuota,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    SignInRequired,
    Unauthenticated,
    Unavailable,
)
from service.schemas import Problem

#: The refusals an endpoint may answer besides 422, as its OpenAPI schema lists them.
PROBLEMS = {
    401: "Missing, wrong or revoked API key (header X-API-Key), and no valid session cookie.",
    403: "The caller's role or villages may not do this (a committee keeps its own villages; "
    "changing the weights needs an analyst), or a session's change came without its "
    "X-CSRF-Token header.",
    404: "No such village, prospect, listing, need, proposal, account or invitation.",
    409: "Conflicts with what is stored (an account with this email has a password already; "
    "a proposal reviewed already).",
    410: "The invitation link was used already or has expired.",
    412: "If-Match names a version that is no longer the current one: someone changed the "
    "listing since; the body holds the current listing.",
    413: "Request body over 64 KiB.",
    415: "Request body not sent as Content-Type: application/json.",
    428: "If-Match is required: send the listing's version (its ETag).",
    429: "Too many requests from this address: try again after Retry-After seconds.",
    503: "The database cannot be written (or read) now: locked by another connection, "
    "read-only, full or out of reach; the detail says which. Try again after Retry-After "
    "seconds.",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the listed refusals, documented with their body."""
    return {code: {"model": Problem, "description": PROBLEMS[code]} for code in codes}


def invalid(
    loc: tuple[str | int, ...],
    message: str,
    value: Any = None,
    kind: str = "value_error",
    context: dict[str, Any] | None = None,
) -> NoReturn:
    """A 422 in FastAPI's standard shape, naming the field."""
    error = {"type": kind, "loc": loc, "msg": message, "input": value}
    if context:
        error["ctx"] = context
    raise RequestValidationError([error])


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's standard 422 body, kept short and JSON-safe.

    Each error echoes only an excerpt of what it refused (``excerpt``): a 64 KiB body once
    came back as a 650 KB answer, each error repeating its part of the input. Past
    ``MAX_ERRORS`` errors, one last entry of the same shape says how many more there were.
    """
    assert isinstance(exc, RequestValidationError)
    errors = _without_passwords(exc.errors())
    shown = [_short_error(error) for error in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        shown.append(
            {
                "type": "too_many_errors",
                "loc": ["body"],
                "msg": f"{more} more error{'s' * (more > 1)} not listed; correct these first",
                "input": None,
            }
        )
    return JSONResponse(
        {"detail": jsonable_encoder(shown)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


#: Errors a 422 lists, and how much of the refused input each one echoes: characters of text
#: in all, items of each list or object, and levels of nesting (what is cut is marked "...").
MAX_ERRORS = 50
MAX_ECHO_CHARS = 200
MAX_ECHO_ITEMS = 10


def _without_passwords(errors: Sequence[Any]) -> list[Any]:
    """The errors, a refused password's input left out: it is not echoed, even to its sender
    (a proxy or a browser's tools could keep it)."""
    return [
        {**error, "input": None}
        if isinstance(error, dict) and "password" in str((error.get("loc") or ("",))[-1])
        else error
        for error in errors
    ]


MAX_ECHO_DEPTH = 16
CUT = "..."


def _short_error(error: Any) -> Any:
    """An error with its input and its location cut to excerpts (its ``ctx`` holds the
    rule's own figures, kept whole)."""
    short = dict(error)
    if "input" in short:
        short["input"] = excerpt(short["input"])
    # An unknown field's name is the client's text too.
    short["loc"] = [excerpt(part) if isinstance(part, str) else part for part in error["loc"]]
    return short


def excerpt(value: Any, budget: int = MAX_ECHO_CHARS) -> Any:
    """``value`` made JSON-safe and cut to about ``budget`` characters: text beyond them, and
    items of lists and objects past them, past ``MAX_ECHO_ITEMS`` or below ``MAX_ECHO_DEPTH``
    levels, become "...".

    JSON-safe: a NaN or an infinity would make the answer itself fail, and so would a lone
    surrogate (valid in JSON's \\uXXXX escapes, not encodable as UTF-8).
    """
    return _Excerpt(budget).cut(value, MAX_ECHO_DEPTH)


class _Excerpt:
    """Cuts one value, spending a budget of characters shared by all its parts."""

    def __init__(self, budget: int) -> None:
        self.left = budget

    def cut(self, value: Any, depth: int) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, dict | list | tuple):
            return self._container(value, depth)
        self.left -= len(str(value))
        return value

    def _text(self, text: str) -> str:
        safe = text.encode("utf-8", "replace").decode("utf-8")
        kept = safe[: max(self.left, 0)]
        self.left -= max(len(kept), 1)
        return kept if len(kept) == len(safe) else kept + CUT

    def _container(self, value: Any, depth: int) -> Any:
        if depth <= 0 or self.left <= 0:
            return CUT
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for n, (key, item) in enumerate(value.items()):
                if self.left <= 0 or n == MAX_ECHO_ITEMS:
                    out[CUT] = CUT
                    break
                out[self._text(str(key))] = self.cut(item, depth - 1)
            return out
        items: list[Any] = []
        for n, item in enumerate(value):
            if self.left <= 0 or n == MAX_ECHO_ITEMS:
                items.append(CUT)
                break
            items.append(self.cut(item, depth - 1))
        return items


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's answers, with three mended: a body FastAPI could not read is a 422 naming
    why (it answers a bare 400), a 405 lists every method of the path in ``Allow`` (Starlette
    names only those of the first route matching it), and a 404 for a path with a trailing
    slash names the path without it."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_400_BAD_REQUEST and exc.__cause__ is not None:
        return await validation_error(request, unreadable_body(exc.__cause__))
    if exc.status_code == status.HTTP_404_NOT_FOUND:
        exc.detail = _not_found(request.app, request.url.path, exc.detail)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
    return await http_exception_handler(request, exc)


def _not_found(app: FastAPI, path: str, detail: str) -> str:
    # Paths are not redirected to their form without a trailing slash: a redirect would have
    # to name the host, and the Host header is the client's to choose (see create_app).
    trimmed = path.rstrip("/")
    if trimmed == path or not trimmed:
        return detail
    if allowed_methods(app, trimmed):
        return (
            f"{detail}: no path {excerpt(path)}; did you mean {excerpt(trimmed)} (without the "
            "trailing slash)?"
        )
    return detail


def unreadable_body(cause: BaseException) -> RequestValidationError:
    if isinstance(cause, UnicodeDecodeError):
        message = (
            f"the body is not UTF-8 text: byte {cause.object[cause.start]:#04x} at {cause.start}"
        )
    elif isinstance(cause, RecursionError):
        message = "the body's JSON is nested too deeply"
    elif isinstance(cause, ValueError) and "digits" in str(cause):
        message = "the body holds a number too long to read (over 4300 digits)"
    else:
        message = f"the body could not be read as JSON ({type(cause).__name__})"
    return RequestValidationError(
        [{"type": "json_invalid", "loc": ("body",), "msg": message, "input": None}]
    )


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for a concrete path."""
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "allow_table", None)
    if table is None:  # made once, from the schema FastAPI caches
        table = [
            (_path_pattern(template, operations), {method.upper() for method in operations})
            for template, operations in app.openapi()["paths"].items()
        ]
        app.state.allow_table = table
    return sorted(set().union(*(methods for pattern, methods in table if pattern.match(path))))


def _path_pattern(template: str, operations: dict[str, Any]) -> re.Pattern[str]:
    """A path template as a pattern: an integer parameter (an id) matches digits only, as its
    route does, so that /v1/accounts/invitations is not an account."""
    integers = {
        parameter["name"]
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer"
    }

    def segment(found: re.Match[str]) -> str:
        return "[0-9]+" if found.group(1) in integers else "[^/]+"

    return re.compile(re.sub(r"\\\{([^/]+?)\\\}", segment, re.escape(template)) + "$")


def add_error_handlers(app: FastAPI) -> None:
    """Answer each error below with its status; anything else stays a 500."""
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(Conflict, conflict)
    app.add_exception_handler(RateLimited, rate_limited)
    app.add_exception_handler(OverQuota, over_quota)
    app.add_exception_handler(Unauthenticated, unauthenticated)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(Gone, plain(status.HTTP_410_GONE))
    app.add_exception_handler(PreconditionRequired, plain(status.HTTP_428_PRECONDITION_REQUIRED))
    app.add_exception_handler(PreconditionFailed, precondition_failed)
    app.add_exception_handler(InvalidField, invalid_field)
    app.add_exception_handler(Unavailable, unavailable)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(MatcherError, library_error)
    app.add_exception_handler(FeaturesError, library_error)


async def not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_404_NOT_FOUND)


async def conflict(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)


async def rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimited)
    return JSONResponse(
        {"detail": str(exc)},
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(exc.retry_after)},
    )


async def over_quota(request: Request, exc: Exception) -> JSONResponse:
    """A batch no window could hold: a 422 on ``profiles``, as for one over ``MAX_BATCH``."""
    assert isinstance(exc, OverQuota)
    error = {
        "type": "too_long",
        "loc": ("body", "profiles"),
        "msg": str(exc),
        "input": None,
        "ctx": {"field_type": "List", "max_length": exc.most, "actual_length": exc.found},
    }
    return await validation_error(request, RequestValidationError([error]))


async def unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Unavailable)
    return JSONResponse(
        {"detail": str(exc)},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(exc.retry_after)},
    )


async def database_error(request: Request, exc: Exception) -> Response:
    """A read the database could not answer now (writes are answered by the store): a 503
    that says why; any other database error is a bug, and stays a 500."""
    assert isinstance(exc, DBAPIError)
    store = getattr(getattr(request.app.state, "sohosolo", None), "store", None)
    fault = describe(exc, getattr(store, "write_timeout", WRITE_TIMEOUT))
    if fault is None:
        raise exc
    message = f"the database cannot be read now: {fault.reason}"
    return await unavailable(request, Unavailable(message, fault.retry_after))


async def library_error(request: Request, exc: Exception) -> JSONResponse:
    """Requests are validated before they reach the library; this keeps anything that slips
    through a 422 that names the problem rather than a 500."""
    error = {"type": "value_error", "loc": ("body",), "msg": str(exc), "input": None}
    return await validation_error(request, RequestValidationError([error]))


def plain(code: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """A handler answering ``code`` with the error's message as ``detail``."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=code)

    return handler


async def unauthenticated(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": str(exc)},
        status_code=status.HTTP_401_UNAUTHORIZED,
        headers={"WWW-Authenticate": "X-API-Key"},
    )


async def precondition_failed(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PreconditionFailed)
    return JSONResponse(
        {"detail": str(exc), "current": jsonable_encoder(exc.current)},
        status_code=status.HTTP_412_PRECONDITION_FAILED,
    )


async def invalid_field(request: Request, exc: Exception) -> JSONResponse:
    """A body field judged past its schema, in FastAPI's standard shape."""
    assert isinstance(exc, InvalidField)
    error = {"type": exc.code, "loc": ("body", exc.field), "msg": str(exc), "input": exc.value}
    if exc.context:
        error["ctx"] = exc.context
    return await validation_error(request, RequestValidationError([error]))


#: Where the intranet's pages are: their refusals are pages too.
INTRANET = "/intranet/"


async def forbidden(request: Request, exc: Exception) -> Response:
    if not request.url.path.startswith(INTRANET):
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_403_FORBIDDEN)
    from features.i18n import Lang, text
    from service.intranet.render import page

    lang: Lang = "en" if request.query_params.get("lang") == "en" else "fr"
    return page(
        "message.html",
        lang,
        status.HTTP_403_FORBIDDEN,
        title=text(lang, "intranet.forbidden"),
        message=str(exc),
        user=None,
        done=None,
    )


async def sign_in_required(request: Request, exc: Exception) -> Response:
    """To the sign-in page, which brings the person back here afterwards."""
    assert isinstance(exc, SignInRequired)
    query = urlencode({"lang": exc.lang, "next": exc.then})
    return RedirectResponse(f"{INTRANET}sign-in?{query}", status_code=status.HTTP_303_SEE_OTHER)
