"""``create_app(settings)``: the v1 HTTP API of ../shared/design/api.md.

The village data, the database and the weight profile are loaded once, in ``lifespan``.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from service.body_limit import BodyLimit
from service.config import MAX_BODY_BYTES, Settings, get_settings
from service.errors import add_error_handlers
from service.routes import (
    audit,
    exposure,
    homes,
    outcomes,
    pages,
    prospects,
    public,
    recommendations,
    villages,
    weights,
)
from service.state import ServiceState
from service.store import Store

#: Swagger UI's files, from a PyPI package, so that /docs works with no network.
DOCS_ASSETS = Path(fastapi_offline.__file__).with_name("static")
API_VERSION = "1"
#: One router per resource, in the order requests are matched: the rankings, the busiest, first.
ROUTERS = (
    recommendations.router,
    public.router,
    villages.router,
    homes.router,
    prospects.router,
    outcomes.router,
    weights.router,
    exposure.router,
    audit.router,
    pages.router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API; ``settings`` default to the environment (``SOHOSOLO_*``)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.sqlalchemy_url, write_timeout=settings.write_timeout_seconds)
        try:
            store.upgrade()
            state = ServiceState(settings, store)
            state.install_weights()
            state.snapshot()
            state.database.check()
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

    for router in ROUTERS:
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


def app_factory() -> FastAPI:
    """For ``uvicorn --factory service.app:app_factory`` (what ``sohosolo serve`` runs)."""
    return create_app()
