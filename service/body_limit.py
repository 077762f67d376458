"""The request bodies the service reads: JSON only (415 otherwise; the intranet's pages also
take HTML forms) and at most ``MAX_BODY_BYTES`` (413), refused by their headers or, for the
size, as they stream."""

import email.message
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from fastapi import HTTPException, status

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_json_media(content_type: str | None) -> bool:
    """Whether a Content-Type is JSON as FastAPI decides it before it reads a body as JSON:
    ``application/json`` or ``application/*+json``, parsed by the email package."""
    if content_type is None:
        return False
    if content_type == "application/json":  # what clients send: no parsing
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


#: Where HTML forms post (application/x-www-form-urlencoded): the intranet's pages.
FORM_PATHS = "/intranet/"
FORM_MEDIA = "application/x-www-form-urlencoded"


def is_form_media(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";")[0].strip().lower() == FORM_MEDIA


def too_large(max_bytes: int) -> str:
    return f"request body too large: the limit is {max_bytes} bytes"


class BodyTooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, detail=too_large(max_bytes))


#: Methods whose requests carry a JSON body here.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class BodyLimit:
    """Refuses request bodies that are not JSON (415) or over ``max_bytes`` (413), by their
    headers or, for the size, as they stream; nothing past the headers is read first."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await _refuse(send, *refusal)
            return
        await self.app(scope, self.limited(receive), send)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """The status and detail of a refusal the headers alone tell (413 or 415), or None."""
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return status.HTTP_413_CONTENT_TOO_LARGE, too_large(self.max_bytes)
        has_body = (declared is not None and declared.strip(b"0") != b"") or (
            b"chunked" in headers.get(b"transfer-encoding", b"")
        )
        content_type = _first_content_type(scope)
        form = scope["path"].startswith(FORM_PATHS) and is_form_media(content_type)
        if (
            has_body
            and scope["method"] in BODY_METHODS
            and not (is_json_media(content_type) or form)
        ):
            found = repr(content_type) if content_type else "none"
            return status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, (
                f"expected Content-Type: application/json, found {found}"
            )
        return None

    def limited(self, receive: Receive) -> Receive:
        """``receive``, refusing the body (413) once more than ``max_bytes`` have streamed in."""
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        return receive_within_limit


def _first_content_type(scope: Scope) -> str | None:
    """The first Content-Type header, as Starlette and FastAPI read it."""
    return next(
        (value.decode("latin-1") for name, value in scope["headers"] if name == b"content-type"),
        None,
    )


async def _refuse(send: Send, status_code: int, detail: str) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
