"""``create_app(settings)``: the v1 HTTP API of ../shared/design/api.md.

The village data, the database and the weight profile are loaded once, in ``lifespan``.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from geodata.io import read_partner_rows
from service.body_limit import BodyLimit
from service.config import MAX_BODY_BYTES, Settings, get_settings
from service.errors import PROBLEMS, add_error_handlers
from service.logs import redact_access_log
from service.openapi import publish
from service.routes import (
    accounts,
    alerts,
    allocations,
    audit,
    committee,
    console_matching,
    console_programme,
    console_prospects,
    exposure,
    facts,
    homes,
    intranet_account,
    intranet_staff,
    intranet_village,
    needs,
    outcomes,
    pages,
    prospects,
    public,
    recommendations,
    session,
    village_prospects,
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
    needs.router,
    committee.router,
    facts.router,
    prospects.router,
    outcomes.router,
    village_prospects.router,
    alerts.router,
    allocations.router,
    weights.router,
    exposure.router,
    audit.router,
    session.router,
    accounts.router,
    pages.router,
    intranet_account.router,
    intranet_village.router,
    intranet_staff.router,
    console_prospects.router,
    console_programme.router,
    console_matching.router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API; ``settings`` default to the environment (``SOHOSOLO_*``)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redact_access_log()
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
        # Starlette redirects /v1/health/ to an absolute URL built from the request's Host
        # header, which any client sets: a hostile Host would be reflected in Location (cache
        # poisoning, links to elsewhere). The 404 names the path without the slash instead.
        redirect_slashes=False,
    )

    for router in ROUTERS:
        app.include_router(router)

    add_error_handlers(app)
    # The partner list is a small CSV: read here too, so that the document states k's maximum
    # even before the lifespan has loaded the villages.
    partners = [row["insee"] for row in read_partner_rows(settings.partners_path)]
    publish(app, partners, settings.default_k, keyed_fault=PROBLEMS[503])

    app.mount(pages.DOCS_PATH, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

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
