"""HTTP answers for errors, in one place: the service's domain errors (``service.exceptions``),
the libraries' ValueErrors, and FastAPI's and Starlette's own refusals, mended where they fall
short. ``add_error_handlers`` installs them on the app."""

import math
import re
from typing import Any, NoReturn

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from features.exceptions import FeaturesError
from matcher.exceptions import MatcherError
from service.db.engine import WRITE_TIMEOUT
from service.db.faults import describe
from service.exceptions import Conflict, NotFound, RateLimited, Unavailable
from service.schemas import Problem

#: The refusals an endpoint may answer besides 422, as its OpenAPI schema lists them.
PROBLEMS = {
    401: "Missing, wrong or revoked API key (header X-API-Key).",
    403: "The key's role may not do this (changing the weights needs an analyst key).",
    404: "No such village or prospect.",
    413: "Request body over 64 KiB.",
    415: "Request body not sent as Content-Type: application/json.",
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
    """FastAPI's standard 422 body, with the refused input made JSON-safe: a NaN or an infinity
    sent in JSON would otherwise make the error answer itself fail, and so would an input
    nested hundreds deep (it is echoed only to ``MAX_ECHO_DEPTH``)."""
    assert isinstance(exc, RequestValidationError)
    detail = jsonable_encoder(_json_safe(exc.errors(), MAX_ECHO_DEPTH))
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


#: Levels of a refused input echoed in a 422; deeper parts are replaced by ``"..."``.
MAX_ECHO_DEPTH = 16


def _json_safe(value: Any, depth: int) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        # A lone surrogate (valid in JSON's \uXXXX escapes) cannot be encoded back to UTF-8.
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict | list | tuple) and depth <= 0:
        return "..."
    if isinstance(value, dict):
        return {_json_safe(key, depth): _json_safe(item, depth - 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item, depth - 1) for item in value]
    return value


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's answers, with two mended: a body FastAPI could not read is a 422 naming why
    (it answers a bare 400), and a 405 lists every method of the path in ``Allow`` (Starlette
    names only those of the first route matching it)."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_400_BAD_REQUEST and exc.__cause__ is not None:
        return await validation_error(request, unreadable_body(exc.__cause__))
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
    return await http_exception_handler(request, exc)


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
            (
                re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"),
                {method.upper() for method in operations},
            )
            for template, operations in app.openapi()["paths"].items()
        ]
        app.state.allow_table = table
    return sorted(set().union(*(methods for pattern, methods in table if pattern.match(path))))


def add_error_handlers(app: FastAPI) -> None:
    """Answer each error below with its status; anything else stays a 500."""
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(Conflict, conflict)
    app.add_exception_handler(RateLimited, rate_limited)
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
