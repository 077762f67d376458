"""``create_app(settings)``: the v1 HTTP API of ../shared/design/api.md.

The village data, the database and the weight profile are loaded once, in ``lifespan``.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi_offline
import orjson
from fastapi import FastAPI, HTTPException, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from service.config import MAX_BODY_BYTES, Settings, get_settings
from service.deps import is_json_media
from service.errors import add_error_handlers
from service.routes import pages, prospects, public, recommendations, villages, weights
from service.state import ServiceState
from service.store import Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Swagger UI's files, from a PyPI package, so that /docs works with no network.
DOCS_ASSETS = Path(fastapi_offline.__file__).with_name("static")
API_VERSION = "1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API; ``settings`` default to the environment (``SOHOSOLO_*``)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.sqlalchemy_url)
        try:
            store.upgrade()
            state = ServiceState(settings, store)
            state.install_weights()
            state.snapshot()
            app.state.sohosolo = state
            state.exposure.start()
            try:
                yield
            finally:
                state.exposure.stop()
        finally:
            store.dispose()

    app = FastAPI(
        title="Soho Solo village matcher",
        version=API_VERSION,
        summary="Ranks the Soho Solo partner villages of the Gers for prospects, with reasons.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    # Routes are matched in order: the rankings, the busiest, first.
    for router in (
        recommendations.router,
        public.router,
        villages.router,
        prospects.router,
        weights.router,
        pages.router,
    ):
        app.include_router(router)

    add_error_handlers(app)

    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )

    if settings.cors_origins:
        # Only the public endpoints are meant for the prospection site's pages: keys are
        # not accepted cross-origin (X-API-Key is not an allowed header).
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    return app


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
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, status.HTTP_413_CONTENT_TOO_LARGE, too_large(self.max_bytes))
            return
        has_body = (declared is not None and declared.strip(b"0") != b"") or (
            b"chunked" in headers.get(b"transfer-encoding", b"")
        )
        # The first Content-Type, as Starlette and FastAPI read it.
        content_type = next(
            (
                value.decode("latin-1")
                for name, value in scope["headers"]
                if name == b"content-type"
            ),
            None,
        )
        if has_body and scope["method"] in BODY_METHODS and not is_json_media(content_type):
            found = repr(content_type) if content_type else "none"
            detail = f"expected Content-Type: application/json, found {found}"
            await _refuse(send, status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited, send)


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


def app_factory() -> FastAPI:
    """For ``uvicorn --factory service.app:app_factory`` (what ``sohosolo serve`` runs)."""
    return create_app()
