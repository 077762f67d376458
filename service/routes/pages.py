"""The HTML pages: the landing page at the root, the embeddable page (the profile form, the
ranking and the map, for the prospection site) and the API documentation."""

import re
import secrets
from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from service import pages
from service.deps import SnapshotDep, StateDep
from service.params import PageLang
from service.responses import page_headers

router = APIRouter(tags=["pages"])

#: An origin as CORS lists it (scheme, host, optional port): anything else could smuggle a
#: directive into the policy, so it is left out of ``frame-ancestors``.
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def embed_policy(nonce: str, frame_origins: Sequence[str]) -> dict[str, str]:
    """Only the page's own inline script and style run; it talks to its own origin only, and
    only its own origin and the configured ones may frame it."""
    ancestors = " ".join(["'self'", *(o for o in frame_origins if ORIGIN.match(o))])
    return {
        "script-src": f"'nonce-{nonce}'",
        "style-src": f"'nonce-{nonce}'",
        "connect-src": "'self'",
        "frame-ancestors": ancestors,
    }


def landing_policy(nonce: str) -> dict[str, str]:
    """The landing page's own inline style, and nothing else."""
    return {"style-src": f"'nonce-{nonce}'"}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def landing(state: StateDep, lang: PageLang) -> HTMLResponse:
    """What a newcomer finds at the root: what the service is, and links to the visitors'
    form, the API documentation and the service's health."""
    nonce = secrets.token_urlsafe(18)
    return HTMLResponse(
        pages.landing(state, lang, nonce), headers=page_headers(landing_policy(nonce))
    )


@router.get("/embed", response_class=HTMLResponse, summary="The page for the prospection site")
def embed(state: StateDep, snapshot: SnapshotDep, lang: PageLang) -> HTMLResponse:
    """An HTML page for an iframe: the profile form, the ranked villages with reasons, a map.

    Self-contained (no external resource) and under a strict Content-Security-Policy; it posts
    to ``v1/recommendations`` beside it.
    """
    nonce = secrets.token_urlsafe(18)
    return HTMLResponse(
        pages.embed(state, lang, nonce, snapshot.recommender.offered_musts),
        headers=page_headers(embed_policy(nonce, state.settings.cors_origins)),
    )


#: Where the app serves Swagger UI's packaged files (``create_app`` mounts them).
DOCS_PATH = "/static/docs"


def docs_policy(nonce: str) -> dict[str, str]:
    """Swagger UI's packaged script and style, its own inline start-up script, and requests to
    this origin only (the document, and "Try it out")."""
    return {
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self'",
        "connect-src": "'self'",
    }


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI on the OpenAPI document, from the installed package (works offline)."""
    nonce = secrets.token_urlsafe(18)
    page = get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title=f"{request.app.title}: API",
        swagger_js_url=f"{DOCS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_PATH}/favicon.png",
        # Swagger UI would otherwise fetch a badge from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    # FastAPI writes its start-up script as a bare <script>: the nonce lets it, and only it, run.
    html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">', 1)
    return HTMLResponse(html, headers=page_headers(docs_policy(nonce)))
