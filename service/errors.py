"""HTTP answers for domain errors: library code raises ValueErrors, the service maps them."""

import math
from typing import Any, NoReturn

from fastapi import HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


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


def not_found(message: str) -> NoReturn:
    raise HTTPException(status.HTTP_404_NOT_FOUND, detail=message)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's standard 422 body, with the refused input made JSON-safe: a NaN or an infinity
    sent in JSON would otherwise make the error answer itself fail."""
    assert isinstance(exc, RequestValidationError)
    detail = _json_safe(jsonable_encoder(exc.errors()))
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        # A lone surrogate (valid in JSON's \uXXXX escapes) cannot be encoded back to UTF-8.
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_json_safe(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value
